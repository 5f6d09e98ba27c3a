// SPDX-License-Identifier: GPL-2.0-only
// svcadm add-service -t|-u|--sctp CLUSTERIP:PORT [--name TEXT] [--node-port PORT]
//                    [--external-ip ADDR]... [--lb-ip ADDR]... [--source-range CIDR]...
//                    [--external-policy cluster|local] [--internal-policy cluster|local]
//                    [-s random|rr|maglev] [--maglev-size M] [--hash src|flow]
//                    [--affinity none|clientip] [--affinity-timeout SECONDS]
#include <linux/svcnat.h>

#include "cli.hpp"

namespace svcadm {

namespace {

struct AddServiceOptions {
    ServiceOptions service;
    std::string name;
    FrontendOptions frontends;
    SettingsOptions settings;
};

}  // namespace

void setup_add_service(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<AddServiceOptions>(app, "add-service", "Add a service");
    sub->footer(
        "A service is one Kubernetes ServicePort: its cluster IP and port, and every other way\n"
        "to reach it: --node-port, --external-ip and --lb-ip, which serve the same backends.\n"
        "--source-range applies to the load-balancer IPs only. The policies are the Service's\n"
        "externalTrafficPolicy and internalTrafficPolicy.\n"
        "-s picks how new connections choose a backend: random (weighted, kube-proxy's),\n"
        "rr (smooth weighted round robin) or maglev (consistent hashing of the source\n"
        "address, --hash src, or of the 5-tuple, --hash flow). --affinity clientip is\n"
        "sessionAffinity ClientIP, with --affinity-timeout (default 10800 s).\n"
        "Headless services (clusterIP None) and ExternalName services cannot be expressed:\n"
        "they have no cluster IP and no data path (kube-proxy programs nothing for them).");
    add_service_options(sub, opts->service);
    sub->add_option("--name", opts->name, "Name label, e.g. default/my-svc:http")
        ->type_name("TEXT")
        ->check(name_validator());
    add_frontend_options(sub, opts->frontends);
    add_settings_options(sub, opts->settings);
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(
            opts->service,
            " (the cluster IP: headless services, clusterIP None, cannot be expressed)");
        if (!opts->name.empty()) {
            svc.name = opts->name;
        }
        opts->frontends.apply_to(svc);
        opts->settings.apply_to(svc);
        out.name = "add-service";
        out.op = svcnl::Op{SVCNAT_CMD_SERVICE_NEW, std::move(svc)};
    });
}

}  // namespace svcadm
