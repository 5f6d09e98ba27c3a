// SPDX-License-Identifier: GPL-2.0-only
// svcadm del-service -t|-u|--sctp ADDR:PORT
#include <linux/svcnat.h>

#include "cli.hpp"

namespace svcadm {

namespace {

struct DelServiceOptions {
    ServiceOptions service;
};

}  // namespace

void setup_del_service(CLI::App& app, Command& out) {
    auto [sub, opts] =
        add_command<DelServiceOptions>(app, "del-service", "Delete a service and its backends");
    add_service_options(sub, opts->service);
    sub->callback([opts = opts, &out] {
        out.name = "del-service";
        out.op = svcnl::Op{SVCNAT_CMD_SERVICE_DEL, required_service(opts->service)};
    });
}

}  // namespace svcadm
