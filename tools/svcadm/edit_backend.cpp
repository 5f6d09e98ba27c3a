// SPDX-License-Identifier: GPL-2.0-only
// svcadm edit-backend -t|-u|--sctp ADDR:PORT -r ADDR:PORT [-w WEIGHT]
//                     [--not-ready] [--not-serving] [--terminating] [--local]
//                     [--flush-conns]
//
// The weight changes only if -w is given. The conditions are always set, to exactly what
// the options say: without condition options the backend becomes ready and serving (and
// neither terminating nor local), as add-backend would make it.
#include <linux/svcnat.h>

#include "cli.hpp"
#include "parse.hpp"

namespace svcadm {

namespace {

struct EditBackendOptions {
    ServiceOptions service;
    std::string backend;
    std::string weight;
    ConditionOptions conditions;
    bool flush_conns = false;
};

}  // namespace

void setup_edit_backend(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<EditBackendOptions>(app, "edit-backend",
                                                       "Change a backend's weight and conditions");
    sub->footer(
        "The weight changes only if -w is given. The conditions are always set to exactly\n"
        "what the options say: without condition options the backend becomes ready and\n"
        "serving, and neither terminating nor local.");
    add_service_options(sub, opts->service);
    add_backend_option(sub, opts->backend);
    sub->add_option("-w,--weight", opts->weight, "New weight 0..65535 (default: unchanged)")
        ->type_name("WEIGHT")
        ->check(weight_validator());
    add_condition_options(sub, opts->conditions);
    add_flush_conns_option(sub, opts->flush_conns);
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(opts->service);
        const Endpoint ep = parse_endpoint(opts->backend);
        svcnl::Backend be{.addr = ep.addr, .port = ep.port, .flags = opts->conditions.flags()};
        if (!opts->weight.empty()) {
            be.weight = parse_weight(opts->weight);
        }
        svc.backends.push_back(be);
        svc.flush_conns = opts->flush_conns;
        out.name = "edit-backend";
        out.op = svcnl::Op{SVCNAT_CMD_BACKEND_SET, std::move(svc)};
    });
}

}  // namespace svcadm
