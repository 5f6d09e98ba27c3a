// SPDX-License-Identifier: GPL-2.0-only
// svcadm set-config [--cluster-cidr CIDR]... [--no-cluster-cidr] [--masquerade-all on|off]
//                   [--nodeport-address CIDR]... [--no-nodeport-address] [--masq-mark MARK]
//                   [--masq-mode snat|mark] [--service-cidr CIDR]... [--no-service-cidr]
//                   [--unknown-port accept|reject] [--unallocated accept|drop]
//
// Read-modify-write: config-get, change what the options name, config-set. A list option
// replaces that whole list.
#include <linux/svcnat.h>

#include "cli.hpp"
#include "config.hpp"
#include "parse.hpp"

namespace svcadm {

void ConfigChange::apply_to(svcnl::NodeConfig& config) const {
    if (cluster_cidrs) {
        config.cluster_cidrs = *cluster_cidrs;
    }
    if (nodeport_cidrs) {
        config.nodeport_cidrs = *nodeport_cidrs;
    }
    if (service_cidrs) {
        config.service_cidrs = *service_cidrs;
    }
    if (masquerade_all) {
        config.masquerade_all = *masquerade_all;
    }
    if (masq_mark) {
        config.masq_mark = *masq_mark;
    }
    if (masq_mode) {
        config.masq_mode = *masq_mode;
    }
    if (unknown_port) {
        config.unknown_port = *unknown_port;
    }
    if (unallocated) {
        config.unallocated = *unallocated;
    }
}

svcnl::NodeConfig change_config(svcnl::Socket& sock, std::span<const ConfigChange> changes) {
    svcnl::NodeConfig old = sock.get_config();
    old.stats.reset();
    svcnl::NodeConfig config = old;
    for (const ConfigChange& change : changes) {
        change.apply_to(config);
    }
    sock.set_config(config);
    return old;
}

namespace {

struct SetConfigOptions {
    std::vector<std::string> cluster_cidrs;
    bool no_cluster_cidr = false;
    std::vector<std::string> nodeport_addresses;
    bool no_nodeport_address = false;
    std::vector<std::string> service_cidrs;
    bool no_service_cidr = false;
    std::string masquerade_all;
    std::string masq_mark;
    std::string masq_mode;
    std::string unknown_port;
    std::string unallocated;
};

// A list option and its --no- form.
void add_list_option(CLI::App* sub, const std::string& name, std::vector<std::string>& values,
                     bool& none, const std::string& description) {
    CLI::Option* list = sub->add_option("--" + name, values, description + " (repeat for more)")
                            ->type_name("CIDR")
                            ->allow_extra_args(false)
                            ->check(cidr_validator());
    CLI::Option* clear = sub->add_flag("--no-" + name, none, "Empty the " + name + " list");
    list->excludes(clear);
}

std::optional<std::vector<svcnl::Prefix>> list_change(const std::vector<std::string>& values,
                                                      bool none, const std::string& option) {
    if (none) {
        return std::vector<svcnl::Prefix>{};
    }
    if (values.empty()) {
        return std::nullopt;
    }
    return parse_cidr_list(values, option);
}

std::optional<std::uint32_t> choice_change(const std::string& value, svcnl::EnumNames names,
                                           const std::string& what) {
    if (value.empty()) {
        return std::nullopt;
    }
    return parse_choice(value, names, what);
}

}  // namespace

void setup_set_config(CLI::App& app, Command& out) {
    auto [sub, opts] =
        add_command<SetConfigOptions>(app, "set-config", "Change the node configuration");
    sub->footer(
        "Only the options given change; a list option replaces that whole list, and --no-X\n"
        "empties it. The defaults: no cluster CIDR (no source is a pod), NodePorts on every\n"
        "local address but loopback, no service CIDR, masquerade-all off, mark 0x4000, mode\n"
        "snat, unknown-port accept and unallocated accept (as kube-proxy iptables).");
    add_list_option(sub, "cluster-cidr", opts->cluster_cidrs, opts->no_cluster_cidr,
                    "Pod CIDR of the cluster: sources inside are pods");
    sub->add_option("--masquerade-all", opts->masquerade_all, "Masquerade all cluster IP traffic")
        ->type_name("on|off")
        ->check(on_off_validator("masquerade-all"));
    add_list_option(sub, "nodeport-address", opts->nodeport_addresses, opts->no_nodeport_address,
                    "Serve NodePorts only on node addresses inside this CIDR");
    sub->add_option("--masq-mark", opts->masq_mark, "Masquerade mark bit (default 0x4000)")
        ->type_name("MARK")
        ->check(mark_validator());
    sub->add_option("--masq-mode", opts->masq_mode,
                    "snat: svcnat masquerades; mark: only set the mark bit")
        ->type_name("snat|mark")
        ->check(choice_validator(svcnl::kMasqModeNames, "masquerade mode"));
    add_list_option(sub, "service-cidr", opts->service_cidrs, opts->no_service_cidr,
                    "Service CIDR, for --unallocated");
    sub->add_option("--unknown-port", opts->unknown_port,
                    "A cluster IP on a port no service has: accept or reject")
        ->type_name("accept|reject")
        ->check(choice_validator(svcnl::kUnknownPortNames, "unknown-port behaviour"));
    sub->add_option("--unallocated", opts->unallocated,
                    "A service CIDR address no service has: accept or drop")
        ->type_name("accept|drop")
        ->check(choice_validator(svcnl::kUnallocatedNames, "unallocated behaviour"));
    sub->callback([opts = opts, &out] {
        const SetConfigOptions& o = *opts;
        ConfigChange change;
        change.cluster_cidrs = list_change(o.cluster_cidrs, o.no_cluster_cidr, "--cluster-cidr");
        change.nodeport_cidrs =
            list_change(o.nodeport_addresses, o.no_nodeport_address, "--nodeport-address");
        change.service_cidrs = list_change(o.service_cidrs, o.no_service_cidr, "--service-cidr");
        if (!o.masquerade_all.empty()) {
            change.masquerade_all = parse_on_off(o.masquerade_all, "masquerade-all");
        }
        if (!o.masq_mark.empty()) {
            change.masq_mark = parse_mark(o.masq_mark);
        }
        change.masq_mode = choice_change(o.masq_mode, svcnl::kMasqModeNames, "masquerade mode");
        change.unknown_port =
            choice_change(o.unknown_port, svcnl::kUnknownPortNames, "unknown-port behaviour");
        change.unallocated =
            choice_change(o.unallocated, svcnl::kUnallocatedNames, "unallocated behaviour");
        out.name = "set-config";
        out.config = std::move(change);
    });
}

}  // namespace svcadm
