// SPDX-License-Identifier: GPL-2.0-only
// svcadm edit-service -t|-u|--sctp CLUSTERIP:PORT [--name TEXT] [--node-port PORT]
//                     [--external-ip ADDR]... [--lb-ip ADDR]... [--source-range CIDR]...
//                     [--external-policy cluster|local] [--internal-policy cluster|local]
//                     [-s random|rr|maglev] [--maglev-size M] [--hash src|flow]
//                     [--affinity none|clientip] [--affinity-timeout SECONDS]
//
// Like ipvsadm -E: the name, the frontends, the policies, the scheduler and the affinity
// are set to exactly what the options say (an option not given means no name, no
// NodePort, no such addresses, policy cluster, scheduler random, affinity none). The
// backends are kept.
#include <linux/svcnat.h>

#include "cli.hpp"

namespace svcadm {

namespace {

struct EditServiceOptions {
    ServiceOptions service;
    std::string name;
    FrontendOptions frontends;
    SettingsOptions settings;
};

}  // namespace

void setup_edit_service(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<EditServiceOptions>(
        app, "edit-service",
        "Replace a service's name, frontends, policies, scheduler and affinity");
    sub->footer(
        "The name, NodePort, external IPs, load-balancer IPs, source ranges, policies,\n"
        "scheduler and affinity are set to exactly what the options say, like ipvsadm -E:\n"
        "an option left out removes that setting (policies go back to cluster, the\n"
        "scheduler to random, the affinity to none). The backends are kept.");
    add_service_options(sub, opts->service);
    sub->add_option("--name", opts->name, "Name label, e.g. default/my-svc:http")
        ->type_name("TEXT")
        ->check(name_validator());
    add_frontend_options(sub, opts->frontends);
    add_settings_options(sub, opts->settings);
    sub->callback([opts = opts, &out] {
        svcnl::Service svc = required_service(opts->service);
        svc.name = opts->name;
        opts->frontends.apply_to(svc);
        opts->settings.apply_to(svc);
        out.name = "edit-service";
        out.op = svcnl::Op{SVCNAT_CMD_SERVICE_SET, std::move(svc)};
    });
}

}  // namespace svcadm
