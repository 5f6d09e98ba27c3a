// SPDX-License-Identifier: GPL-2.0-only
// svcadm set-backends -t|-u|--sctp ADDR:PORT [-r ADDR:PORT[@WEIGHT] ...] [--flush-conns]
//
// Replaces the whole backend set at once; no -r leaves the service without backends. The
// new backends are ready and serving; their weight is WEIGHT, default 1.
#include <linux/svcnat.h>

#include <vector>

#include "cli.hpp"
#include "parse.hpp"
#include "svcnl/error.hpp"
#include "svcnl/message.hpp"

namespace svcadm {

namespace {

struct SetBackendsOptions {
    ServiceOptions service;
    std::vector<std::string> backends;
    bool flush_conns = false;
};

}  // namespace

void setup_set_backends(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<SetBackendsOptions>(app, "set-backends",
                                                       "Replace all backends of a service at once");
    sub->footer(
        "Packets see the old set or the new set, never a mix. Without -r the service is left\n"
        "without backends. The new backends are ready and serving, with weight WEIGHT\n"
        "(default 1).");
    add_service_options(sub, opts->service);
    sub->add_option("-r,--backend", opts->backends, "Backend, repeat for each")
        ->type_name("ADDR:PORT[@WEIGHT]")
        ->allow_extra_args(false)
        ->check(endpoint_validator(true));
    add_flush_conns_option(sub, opts->flush_conns);
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(opts->service);
        for (const std::string& text : opts->backends) {
            const Endpoint ep = parse_endpoint(text, true);
            svc.backends.push_back(svcnl::Backend{
                .addr = ep.addr,
                .port = ep.port,
                .weight = ep.weight.value_or(svcnl::kDefaultWeight),
            });
        }
        svc.flush_conns = opts->flush_conns;
        svcnl::Op op{SVCNAT_CMD_BACKEND_REPLACE, std::move(svc)};
        try {
            svcnl::check_op_size(op);
        } catch (const svcnl::Error& e) {
            throw CLI::ValidationError(e.what());
        }
        out.name = "set-backends";
        out.op = std::move(op);
    });
}

}  // namespace svcadm
