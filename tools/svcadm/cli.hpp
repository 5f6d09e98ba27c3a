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

#include "svcnl/model.hpp"

namespace svcadm {

// A parsed command line: either a configuration change, which can be sent on its own or
// as part of an apply transaction, or an action of its own (list, save, apply).
struct Command {
    std::string name;             // the subcommand
    std::optional<svcnl::Op> op;  // configuration changes
    std::function<int()> run;     // list, save, apply: returns the exit status
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

// -t/-u/--sctp ADDR:PORT
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
// As selected_service(), but one of the options is required.
svcnl::Service required_service(const ServiceOptions& opts);

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

// Runs svcadm with the given arguments (without the program name) and returns the exit
// status: 0 success, 1 runtime or kernel error, 2 usage error. Errors are printed as one
// "svcadm: ..." line on stderr.
int run_svcadm(const std::vector<std::string>& args);

}  // namespace svcadm
