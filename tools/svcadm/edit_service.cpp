// SPDX-License-Identifier: GPL-2.0-only
// svcadm edit-service -t|-u|--sctp ADDR:PORT [--name TEXT]
//
// The name is set to exactly what --name says: without --name (or with --name '') the
// service is left without a name.
#include <linux/svcnat.h>

#include "cli.hpp"

namespace svcadm {

namespace {

struct EditServiceOptions {
    ServiceOptions service;
    std::string name;
};

}  // namespace

void setup_edit_service(CLI::App& app, Command& out) {
    auto [sub, opts] =
        add_command<EditServiceOptions>(app, "edit-service", "Change a service's name");
    sub->footer("The name is set to exactly what --name says: without --name it is removed.");
    add_service_options(sub, opts->service);
    sub->add_option("--name", opts->name, "Name label, e.g. default/my-svc:http")
        ->type_name("TEXT")
        ->check(name_validator());
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(opts->service);
        svc.name = opts->name;
        out.name = "edit-service";
        out.op = svcnl::Op{SVCNAT_CMD_SERVICE_SET, std::move(svc)};
    });
}

}  // namespace svcadm
