// SPDX-License-Identifier: GPL-2.0-only
// svcadm add-backend -t|-u|--sctp ADDR:PORT -r ADDR:PORT [-w WEIGHT]
//                    [--not-ready] [--not-serving] [--terminating] [--local]
#include <linux/svcnat.h>

#include "cli.hpp"
#include "parse.hpp"

namespace svcadm {

namespace {

struct AddBackendOptions {
    ServiceOptions service;
    std::string backend;
    std::string weight;
    ConditionOptions conditions;
};

}  // namespace

void setup_add_backend(CLI::App& app, Command& out) {
    auto [sub, opts] =
        add_command<AddBackendOptions>(app, "add-backend", "Add a backend to a service");
    add_service_options(sub, opts->service);
    add_backend_option(sub, opts->backend);
    sub->add_option("-w,--weight", opts->weight, "Weight 0..65535 (0: no new connections)")
        ->type_name("WEIGHT")
        ->default_str("1")
        ->check(weight_validator());
    add_condition_options(sub, opts->conditions);
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(opts->service);
        const Endpoint ep = parse_endpoint(opts->backend);
        svc.backends.push_back(svcnl::Backend{
            .addr = ep.addr,
            .port = ep.port,
            .weight = opts->weight.empty() ? svcnl::kDefaultWeight : parse_weight(opts->weight),
            .flags = opts->conditions.flags(),
        });
        out.name = "add-backend";
        out.op = svcnl::Op{SVCNAT_CMD_BACKEND_NEW, std::move(svc)};
    });
}

}  // namespace svcadm
