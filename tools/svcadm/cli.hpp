// SPDX-License-Identifier: GPL-2.0-only
// svcadm's command line: the CLI11 definitions of every subcommand, shared by the real
// command line and by apply, which parses each of its input lines with them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config.hpp"
#include "svcnl/model.hpp"

namespace svcadm {

// A parsed command line: a change of the services, which can be sent on its own or as part
// of an apply transaction; a change of the node configuration (set-config, also allowed in
// apply); or an action of its own (list, save, apply, show-config, trace).
struct Command {
    std::string name;                    // the subcommand
    std::optional<svcnl::Op> op;         // changes of the services
    std::optional<ConfigChange> config;  // set-config
    std::function<int()> run;            // the actions: returns the exit status
};

class CommandLine {
public:
    CommandLine();
    CommandLine(const CommandLine&) = delete;
    CommandLine& operator=(const CommandLine&) = delete;
    CommandLine(CommandLine&&) = delete;
    CommandLine& operator=(CommandLine&&) = delete;
    ~CommandLine() = default;

    // Parses the arguments (without the program name). May be called again for another
    // command line. Throws CLI::ParseError, including CLI::Success for --help/--version.
    Command parse(const std::vector<std::string>& args);

    CLI::App& app() { return app_; }

private:
    CLI::App app_;
    Command result_;
};

// Adds a subcommand whose options live in a fresh Options object, reset to its defaults
// every time the subcommand is parsed (the same CommandLine parses many apply lines).
template <typename Options>
std::pair<CLI::App*, std::shared_ptr<Options>> add_command(CLI::App& app, const std::string& name,
                                                           const std::string& description) {
    auto opts = std::make_shared<Options>();
    CLI::App* sub = app.add_subcommand(name, description);
    sub->preparse_callback([opts](std::size_t /*remaining*/) { *opts = Options{}; });
    return {sub, opts};
}

// -t/-u/--sctp ADDR:PORT (a cluster IP: "None" and DNS names are refused with a message
// saying that headless and ExternalName services cannot be expressed)
struct ServiceOptions {
    std::string tcp;
    std::string udp;
    std::string sctp;
};
void add_service_options(CLI::App* sub, ServiceOptions& opts);
// -r ADDR:PORT, required: the one backend an add/edit/del-backend acts on.
void add_backend_option(CLI::App* sub, std::string& backend);
// The service (key only) the options select; nullopt if none is given. Throws
// CLI::ValidationError if more than one is given.
std::optional<svcnl::Service> selected_service(const ServiceOptions& opts);
// As selected_service(), but one of the options is required; `hint` is added to the
// error.
svcnl::Service required_service(const ServiceOptions& opts, const std::string& hint = {});

// --node-port --external-ip --lb-ip --source-range --external-policy --internal-policy
struct FrontendOptions {
    std::string node_port;
    std::vector<std::string> external_ips;
    std::vector<std::string> lb_ips;
    std::vector<std::string> source_ranges;
    std::string external_policy;
    std::string internal_policy;

    // Sets the frontends and policies of `svc` to exactly what the options say (absent:
    // none, cluster). Throws CLI::ValidationError for more than SVCNAT_MAX_ADDRS values of
    // one option or a value given twice.
    void apply_to(svcnl::Service& svc) const;
};
void add_frontend_options(CLI::App* sub, FrontendOptions& opts);

// -s/--scheduler --maglev-size --hash --affinity --affinity-timeout
struct SettingsOptions {
    std::string scheduler;
    std::string maglev_size;
    std::string hash;
    std::string affinity;
    std::string affinity_timeout;

    // Sets the scheduler and affinity settings of `svc` to exactly what the options say
    // (absent: random, automatic size, hash src, affinity none, default timeout). Throws
    // CLI::ValidationError for --maglev-size or --hash without --scheduler maglev, and
    // --affinity-timeout without --affinity clientip.
    void apply_to(svcnl::Service& svc) const;
};
void add_settings_options(CLI::App* sub, SettingsOptions& opts);

// --flush-conns on del-backend, edit-backend, set-backends.
void add_flush_conns_option(CLI::App* sub, bool& flush_conns);

// The values of a repeatable CIDR option (named `option` in errors): at most
// SVCNAT_MAX_ADDRS, none twice, else CLI::ValidationError.
std::vector<svcnl::Prefix> parse_cidr_list(const std::vector<std::string>& values,
                                           const std::string& option);

// --not-ready --not-serving --terminating --local
struct ConditionOptions {
    bool not_ready = false;
    bool not_serving = false;
    bool terminating = false;
    bool local = false;

    // READY|SERVING unless cleared, plus TERMINATING and LOCAL if set.
    [[nodiscard]] std::uint32_t flags() const;
};
void add_condition_options(CLI::App* sub, ConditionOptions& opts);

// Validators that run svcadm's own parsers (parse.hpp), so that errors read the same
// everywhere.
CLI::Validator endpoint_validator(bool allow_weight);
CLI::Validator weight_validator();
CLI::Validator name_validator();
CLI::Validator service_validator();
CLI::Validator address_validator(const std::string& what);
CLI::Validator cidr_validator();
CLI::Validator port_validator();
CLI::Validator choice_validator(svcnl::EnumNames names, const std::string& what);
CLI::Validator on_off_validator(const std::string& what);
CLI::Validator mark_validator();
CLI::Validator source_validator();
CLI::Validator origin_validator();
CLI::Validator affinity_validator();
CLI::Validator affinity_timeout_validator();
CLI::Validator maglev_size_validator();
CLI::Validator flow_count_validator();

// The subcommands, one file each.
void setup_add_service(CLI::App& app, Command& out);
void setup_edit_service(CLI::App& app, Command& out);
void setup_del_service(CLI::App& app, Command& out);
void setup_add_backend(CLI::App& app, Command& out);
void setup_edit_backend(CLI::App& app, Command& out);
void setup_del_backend(CLI::App& app, Command& out);
void setup_set_backends(CLI::App& app, Command& out);
void setup_list(CLI::App& app, Command& out);
void setup_save(CLI::App& app, Command& out);
void setup_apply(CLI::App& app, Command& out);
void setup_flush(CLI::App& app, Command& out);
void setup_set_config(CLI::App& app, Command& out);
void setup_show_config(CLI::App& app, Command& out);
void setup_trace(CLI::App& app, Command& out);

// Runs svcadm with the given arguments (without the program name) and returns the exit
// status: 0 success, 1 runtime or kernel error, 2 usage error. Errors are printed as one
// "svcadm: ..." line on stderr.
int run_svcadm(const std::vector<std::string>& args);

}  // namespace svcadm
