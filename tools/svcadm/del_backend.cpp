// SPDX-License-Identifier: GPL-2.0-only
// svcadm del-backend -t|-u|--sctp ADDR:PORT -r ADDR:PORT [--flush-conns]
#include <linux/svcnat.h>

#include "cli.hpp"
#include "parse.hpp"

namespace svcadm {

namespace {

struct DelBackendOptions {
    ServiceOptions service;
    std::string backend;
    bool flush_conns = false;
};

}  // namespace

void setup_del_backend(CLI::App& app, Command& out) {
    auto [sub, opts] =
        add_command<DelBackendOptions>(app, "del-backend", "Delete a backend from a service");
    add_service_options(sub, opts->service);
    add_backend_option(sub, opts->backend);
    add_flush_conns_option(sub, opts->flush_conns);
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(opts->service);
        const Endpoint ep = parse_endpoint(opts->backend);
        svc.backends.push_back(svcnl::Backend{.addr = ep.addr, .port = ep.port});
        svc.flush_conns = opts->flush_conns;
        out.name = "del-backend";
        out.op = svcnl::Op{SVCNAT_CMD_BACKEND_DEL, std::move(svc)};
    });
}

}  // namespace svcadm
