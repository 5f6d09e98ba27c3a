// SPDX-License-Identifier: GPL-2.0-only
// svcadm list [--stats] [-n] [-t|-u|--sctp ADDR:PORT] [-o table|json]
// svcadm list --affinity -t|-u|--sctp ADDR:PORT [-o table|json]
#include <iostream>
#include <vector>

#include "cli.hpp"
#include "format.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

namespace {

struct ListOptions {
    ServiceOptions service;
    bool numeric = false;  // output is always numeric; accepted like ipvsadm -n
    bool stats = false;
    bool affinity = false;
    std::string output = "table";
};

int run_list(const ListOptions& opts, const std::optional<svcnl::Service>& one) {
    svcnl::Socket sock;
    std::vector<svcnl::Service> services;
    if (one) {
        services.push_back(sock.get_service(one->key()));
    } else {
        services = sock.dump_services();
    }
    svcnl::sort_services(services);
    std::cout << (opts.output == "json" ? format_json(services)
                                        : format_table(services, opts.stats));
    return 0;
}

int run_list_affinity(const std::string& output, const svcnl::ServiceKey& key) {
    svcnl::Socket sock;
    std::vector<svcnl::Service> services{sock.get_service(key)};
    svcnl::sort_services(services);  // the backends, for the column width
    const std::vector<svcnl::AffinityEntry> entries = sock.affinity_entries(key);
    std::cout << (output == "json" ? format_affinity_json(services[0], entries)
                                   : format_affinity(services[0], entries));
    return 0;
}

}  // namespace

void setup_list(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<ListOptions>(app, "list", "List services and their backends");
    sub->footer(
        "--affinity lists the live ClientIP affinity entries of one service instead: the\n"
        "service line, then one line per client, sorted by client address:\n"
        "  client CLIENT -> BACKEND expires Ns");
    add_service_options(sub, opts->service);
    sub->add_flag("-n,--numeric", opts->numeric, "Numeric output (always the case)");
    CLI::Option* stats =
        sub->add_flag("--stats", opts->stats,
                      "Counters per service: connections, packets rejected or dropped and why "
                      "(always in JSON)");
    sub->add_flag("--affinity", opts->affinity,
                  "The live affinity entries of the service given with -t, -u or --sctp")
        ->excludes(stats);
    sub->add_option("-o,--output", opts->output, "Output format")
        ->type_name("table|json")
        ->default_str("table")
        ->check(CLI::IsMember({"table", "json"}));
    sub->callback([opts = opts, &out] {
        out.name = "list";
        if (opts->affinity) {
            const svcnl::ServiceKey key = required_service(opts->service, " with --affinity").key();
            out.run = [output = opts->output, key] {
                return run_list_affinity(output, key);
            };
            return;
        }
        out.run = [list = *opts, one = selected_service(opts->service)] {
            return run_list(list, one);
        };
    });
}

}  // namespace svcadm
