// SPDX-License-Identifier: GPL-2.0-only
// svcadm add-service -t|-u|--sctp ADDR:PORT [--name TEXT]
#include <linux/svcnat.h>

#include "cli.hpp"

namespace svcadm {

namespace {

struct AddServiceOptions {
    ServiceOptions service;
    std::string name;
};

}  // namespace

void setup_add_service(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<AddServiceOptions>(app, "add-service", "Add a service");
    add_service_options(sub, opts->service);
    sub->add_option("--name", opts->name, "Name label, e.g. default/my-svc:http")
        ->type_name("TEXT")
        ->check(name_validator());
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(opts->service);
        if (!opts->name.empty()) {
            svc.name = opts->name;
        }
        out.name = "add-service";
        out.op = svcnl::Op{SVCNAT_CMD_SERVICE_NEW, std::move(svc)};
    });
}

}  // namespace svcadm
