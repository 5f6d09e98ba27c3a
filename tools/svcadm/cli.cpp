// SPDX-License-Identifier: GPL-2.0-only
#include "cli.hpp"

#include <linux/svcnat.h>

#include <algorithm>
#include <iostream>

#include "parse.hpp"
#include "svcnl/error.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

namespace {

constexpr const char* kVersion = "svcadm 0.1 (svcnat netlink family version 1)";

CLI::Validator make_validator(std::function<void(const std::string&)> check,
                              const std::string& name) {
    return {[check = std::move(check)](std::string& value) -> std::string {
                try {
                    check(value);
                } catch (const UsageError& e) {
                    return e.what();
                }
                return {};
            },
            "", name};
}

}  // namespace

CLI::Validator endpoint_validator(bool allow_weight) {
    return make_validator(
        [allow_weight](const std::string& value) { (void)parse_endpoint(value, allow_weight); },
        "ENDPOINT");
}

CLI::Validator weight_validator() {
    return make_validator([](const std::string& value) { (void)parse_weight(value); }, "WEIGHT");
}

CLI::Validator name_validator() {
    return make_validator([](const std::string& value) { check_name(value); }, "NAME");
}

CLI::Validator service_validator() {
    return make_validator([](const std::string& value) { (void)parse_service_endpoint(value); },
                          "SERVICE");
}

CLI::Validator address_validator(const std::string& what) {
    return make_validator([what](const std::string& value) { (void)parse_address(value, what); },
                          "ADDR");
}

CLI::Validator cidr_validator() {
    return make_validator([](const std::string& value) { (void)parse_cidr(value); }, "CIDR");
}

CLI::Validator port_validator() {
    return make_validator([](const std::string& value) { (void)parse_port(value); }, "PORT");
}

CLI::Validator choice_validator(svcnl::EnumNames names, const std::string& what) {
    return make_validator(
        [names, what](const std::string& value) { (void)parse_choice(value, names, what); },
        "CHOICE");
}

CLI::Validator on_off_validator(const std::string& what) {
    return make_validator([what](const std::string& value) { (void)parse_on_off(value, what); },
                          "on|off");
}

CLI::Validator mark_validator() {
    return make_validator([](const std::string& value) { (void)parse_mark(value); }, "MARK");
}

CLI::Validator source_validator() {
    return make_validator([](const std::string& value) { (void)parse_source(value); }, "SOURCE");
}

CLI::Validator origin_validator() {
    return make_validator([](const std::string& value) { (void)parse_origin(value); }, "ORIGIN");
}

CLI::Validator affinity_validator() {
    return make_validator([](const std::string& value) { (void)parse_affinity(value); },
                          "AFFINITY");
}

CLI::Validator affinity_timeout_validator() {
    return make_validator([](const std::string& value) { (void)parse_affinity_timeout(value); },
                          "SECONDS");
}

CLI::Validator maglev_size_validator() {
    return make_validator([](const std::string& value) { (void)parse_maglev_size(value); }, "SIZE");
}

CLI::Validator flow_count_validator() {
    return make_validator([](const std::string& value) { (void)parse_flow_count(value); }, "N");
}

void add_service_options(CLI::App* sub, ServiceOptions& opts) {
    sub->add_option("-t,--tcp", opts.tcp, "TCP service")
        ->type_name("ADDR:PORT")
        ->check(service_validator());
    sub->add_option("-u,--udp", opts.udp, "UDP service")
        ->type_name("ADDR:PORT")
        ->check(service_validator());
    sub->add_option("--sctp", opts.sctp, "SCTP service")
        ->type_name("ADDR:PORT")
        ->check(service_validator());
}

void add_frontend_options(CLI::App* sub, FrontendOptions& opts) {
    sub->add_option("--node-port", opts.node_port, "NodePort, served on the node's addresses")
        ->type_name("PORT")
        ->check(port_validator());
    sub->add_option("--external-ip", opts.external_ips, "An externalIP (repeat for more)")
        ->type_name("ADDR")
        ->allow_extra_args(false)
        ->check(address_validator("external IP"));
    sub->add_option("--lb-ip", opts.lb_ips, "A load-balancer ingress IP (repeat for more)")
        ->type_name("ADDR")
        ->allow_extra_args(false)
        ->check(address_validator("load-balancer IP"));
    sub->add_option("--source-range", opts.source_ranges,
                    "A loadBalancerSourceRange; applies to the load-balancer IPs only")
        ->type_name("CIDR")
        ->allow_extra_args(false)
        ->check(cidr_validator());
    sub->add_option("--external-policy", opts.external_policy,
                    "externalTrafficPolicy (default cluster)")
        ->type_name("cluster|local")
        ->check(choice_validator(svcnl::kTrafficPolicyNames, "external policy"));
    sub->add_option("--internal-policy", opts.internal_policy,
                    "internalTrafficPolicy (default cluster)")
        ->type_name("cluster|local")
        ->check(choice_validator(svcnl::kTrafficPolicyNames, "internal policy"));
}

void add_settings_options(CLI::App* sub, SettingsOptions& opts) {
    sub->add_option("-s,--scheduler", opts.scheduler,
                    "How new connections pick a backend (default random)")
        ->type_name("random|rr|maglev")
        ->check(choice_validator(svcnl::kSchedulerNames, "scheduler"));
    sub->add_option("--maglev-size", opts.maglev_size,
                    "Maglev lookup table size, a prime (default: from the backend count)")
        ->type_name("M")
        ->check(maglev_size_validator());
    sub->add_option("--hash", opts.hash, "What maglev hashes (default src)")
        ->type_name("src|flow")
        ->check(choice_validator(svcnl::kHashNames, "hash"));
    sub->add_option("--affinity", opts.affinity, "sessionAffinity (default none)")
        ->type_name("none|clientip")
        ->check(affinity_validator());
    sub->add_option("--affinity-timeout", opts.affinity_timeout,
                    "ClientIP affinity timeout (default 10800)")
        ->type_name("SECONDS")
        ->check(affinity_timeout_validator());
}

void SettingsOptions::apply_to(svcnl::Service& svc) const {
    svc.scheduler = SVCNAT_SCHEDULER_RANDOM;
    if (!scheduler.empty()) {
        svc.scheduler = parse_choice(scheduler, svcnl::kSchedulerNames, "scheduler");
    }
    const bool maglev = svc.scheduler == SVCNAT_SCHEDULER_MAGLEV;
    svc.maglev_size.reset();
    if (!maglev_size.empty()) {
        if (!maglev) {
            throw CLI::ValidationError("--maglev-size needs --scheduler maglev");
        }
        svc.maglev_size = parse_maglev_size(maglev_size);
    }
    svc.hash.reset();
    if (!hash.empty()) {
        if (!maglev) {
            throw CLI::ValidationError("--hash needs --scheduler maglev");
        }
        svc.hash = parse_choice(hash, svcnl::kHashNames, "hash");
    }
    svc.affinity = SVCNAT_AFFINITY_NONE;
    if (!affinity.empty()) {
        svc.affinity = parse_affinity(affinity);
    }
    svc.affinity_timeout.reset();
    if (!affinity_timeout.empty()) {
        if (svc.affinity != SVCNAT_AFFINITY_CLIENT_IP) {
            throw CLI::ValidationError("--affinity-timeout needs --affinity clientip");
        }
        svc.affinity_timeout = parse_affinity_timeout(affinity_timeout);
    }
}

void add_flush_conns_option(CLI::App* sub, bool& flush_conns) {
    sub->add_flag("--flush-conns", flush_conns,
                  "Also delete the TCP connections to backends that stop being candidates "
                  "(UDP and SCTP ones always are)");
}

namespace {

// Parses every value of a repeatable option: at most SVCNAT_MAX_ADDRS, none twice.
template <typename T, typename Parse>
std::vector<T> parse_list(const std::vector<std::string>& values, const std::string& option,
                          Parse&& parse) {
    if (values.size() > SVCNAT_MAX_ADDRS) {
        throw CLI::ValidationError(option + ": at most " + std::to_string(SVCNAT_MAX_ADDRS) +
                                   " values (got " + std::to_string(values.size()) + ")");
    }
    std::vector<T> out;
    for (const std::string& value : values) {
        T item = parse(value);
        if (std::find(out.begin(), out.end(), item) != out.end()) {
            std::string message = option;
            message += ": '" + value + "' given twice";
            throw CLI::ValidationError(message);
        }
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace

std::vector<svcnl::Prefix> parse_cidr_list(const std::vector<std::string>& values,
                                           const std::string& option) {
    return parse_list<svcnl::Prefix>(values, option,
                                     [](const std::string& v) { return parse_cidr(v); });
}

void FrontendOptions::apply_to(svcnl::Service& svc) const {
    svc.node_port.reset();
    if (!node_port.empty()) {
        svc.node_port = parse_port(node_port);
    }
    svc.external_ips = parse_list<svcnl::Address>(
        external_ips, "--external-ip",
        [](const std::string& v) { return parse_address(v, "external IP"); });
    svc.lb_ips = parse_list<svcnl::Address>(lb_ips, "--lb-ip", [](const std::string& v) {
        return parse_address(v, "load-balancer IP");
    });
    svc.source_ranges = parse_cidr_list(source_ranges, "--source-range");
    svc.ext_policy = SVCNAT_TRAFFIC_POLICY_CLUSTER;
    if (!external_policy.empty()) {
        svc.ext_policy =
            parse_choice(external_policy, svcnl::kTrafficPolicyNames, "external policy");
    }
    svc.int_policy = SVCNAT_TRAFFIC_POLICY_CLUSTER;
    if (!internal_policy.empty()) {
        svc.int_policy =
            parse_choice(internal_policy, svcnl::kTrafficPolicyNames, "internal policy");
    }
}

void add_backend_option(CLI::App* sub, std::string& backend) {
    sub->add_option("-r,--backend", backend, "Backend")
        ->type_name("ADDR:PORT")
        ->required()
        ->check(endpoint_validator(false));
}

std::optional<svcnl::Service> selected_service(const ServiceOptions& opts) {
    const std::array<std::pair<svcnl::Proto, const std::string*>, 3> choices{{
        {svcnl::Proto::tcp, &opts.tcp},
        {svcnl::Proto::udp, &opts.udp},
        {svcnl::Proto::sctp, &opts.sctp},
    }};
    std::optional<svcnl::Service> svc;
    for (const auto& [proto, text] : choices) {
        if (text->empty()) {
            continue;
        }
        if (svc) {
            throw CLI::ValidationError("give only one of -t, -u and --sctp");
        }
        const Endpoint ep = parse_service_endpoint(*text);
        svc = svcnl::Service{.proto = proto, .addr = ep.addr, .port = ep.port};
    }
    return svc;
}

svcnl::Service required_service(const ServiceOptions& opts, const std::string& hint) {
    auto svc = selected_service(opts);
    if (!svc) {
        throw CLI::RequiredError("one of -t, -u or --sctp ADDR:PORT is required" + hint,
                                 CLI::ExitCodes::RequiredError);
    }
    return std::move(*svc);
}

std::uint32_t ConditionOptions::flags() const {
    std::uint32_t flags = svcnl::kDefaultFlags;
    if (not_ready) {
        flags &= ~static_cast<std::uint32_t>(SVCNAT_BACKEND_FLAGS_READY);
    }
    if (not_serving) {
        flags &= ~static_cast<std::uint32_t>(SVCNAT_BACKEND_FLAGS_SERVING);
    }
    if (terminating) {
        flags |= SVCNAT_BACKEND_FLAGS_TERMINATING;
    }
    if (local) {
        flags |= SVCNAT_BACKEND_FLAGS_LOCAL;
    }
    return flags;
}

void add_condition_options(CLI::App* sub, ConditionOptions& opts) {
    sub->add_flag("--not-ready", opts.not_ready, "The backend is not ready");
    sub->add_flag("--not-serving", opts.not_serving, "The backend is not serving");
    sub->add_flag("--terminating", opts.terminating, "The backend is terminating");
    sub->add_flag("--local", opts.local, "The backend runs on this node");
}

CommandLine::CommandLine()
    : app_("Configure svcnat, the in-kernel Kubernetes Service NAT", "svcadm") {
    app_.require_subcommand(1);
    app_.set_version_flag("--version", kVersion);
    setup_add_service(app_, result_);
    setup_edit_service(app_, result_);
    setup_del_service(app_, result_);
    setup_add_backend(app_, result_);
    setup_edit_backend(app_, result_);
    setup_del_backend(app_, result_);
    setup_set_backends(app_, result_);
    setup_list(app_, result_);
    setup_save(app_, result_);
    setup_apply(app_, result_);
    setup_flush(app_, result_);
    setup_set_config(app_, result_);
    setup_show_config(app_, result_);
    setup_trace(app_, result_);
    app_.footer(
        "A service is -t (TCP), -u (UDP) or --sctp (SCTP) followed by ADDR:PORT, IPv6\n"
        "addresses in brackets: [ADDR]:PORT. See 'svcadm COMMAND --help' for each command.");
}

Command CommandLine::parse(const std::vector<std::string>& args) {
    result_ = Command{};
    if (args.empty()) {
        throw CLI::RequiredError("no command given (see 'svcadm --help')",
                                 CLI::ExitCodes::RequiredError);
    }
    // CLI11 would only say that a subcommand is required.
    if (const std::string& first = args.front(); !first.starts_with("-")) {
        const auto subs =
            app_.get_subcommands([&first](CLI::App* sub) { return sub->check_name(first); });
        if (subs.empty()) {
            throw CLI::ExtrasError("unknown command '" + first + "'", CLI::ExitCodes::ExtrasError);
        }
    }
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
    app_.parse(reversed);
    return std::move(result_);
}

namespace {

void print_error(const std::string& message) {
    std::cerr << "svcadm: " << svcnl::one_line(message) << '\n';
}

int execute(const Command& cmd) {
    if (cmd.op) {
        svcnl::Socket sock;
        sock.execute(*cmd.op);
        return 0;
    }
    if (cmd.config) {
        svcnl::Socket sock;
        change_config(sock, std::span<const ConfigChange>(&*cmd.config, 1));
        return 0;
    }
    return cmd.run();
}

}  // namespace

int run_svcadm(const std::vector<std::string>& args) {
    CommandLine cli;
    Command cmd;
    try {
        cmd = cli.parse(args);
    } catch (const CLI::Success& e) {
        return cli.app().exit(e);  // --help, --version: prints to stdout
    } catch (const CLI::ParseError& e) {
        print_error(e.what());
        return 2;
    }

    int status = 1;
    try {
        status = execute(cmd);
    } catch (const UsageError& e) {
        print_error(e.what());
        return 2;
    } catch (const std::exception& e) {
        print_error(e.what());
        return 1;
    }
    std::cout.flush();
    if (!std::cout) {
        print_error("error writing to standard output");
        return 1;
    }
    return status;
}

}  // namespace svcadm
