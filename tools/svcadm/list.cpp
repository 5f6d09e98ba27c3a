// SPDX-License-Identifier: GPL-2.0-only
// svcadm list [--stats] [-n] [-t|-u|--sctp ADDR:PORT] [-o table|json]
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

}  // namespace

void setup_list(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<ListOptions>(app, "list", "List services and their backends");
    add_service_options(sub, opts->service);
    sub->add_flag("-n,--numeric", opts->numeric, "Numeric output (always the case)");
    sub->add_flag("--stats", opts->stats,
                  "Counters per service: connections, packets rejected or dropped and why "
                  "(always in JSON)");
    sub->add_option("-o,--output", opts->output, "Output format")
        ->type_name("table|json")
        ->default_str("table")
        ->check(CLI::IsMember({"table", "json"}));
    sub->callback([opts = opts, &out] {
        out.name = "list";
        out.run = [list = *opts, one = selected_service(opts->service)] {
            return run_list(list, one);
        };
    });
}

}  // namespace svcadm
