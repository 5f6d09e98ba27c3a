// SPDX-License-Identifier: GPL-2.0-only
// svcadm apply [-f FILE|-]
//
// Every line is parsed before anything is sent, with the same definitions as the real
// command line. set-config lines (first in the input) are applied with one config-set;
// then all service changes go to the kernel as one transaction, applied entirely or not
// at all. If that transaction fails, the previous node configuration is written back.
#include "apply.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "cli.hpp"
#include "parse.hpp"
#include "svcnl/error.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

namespace {

struct ApplyOptions {
    std::string file = "-";
};

std::string at_line(std::size_t line, const std::string& message) {
    return "line " + std::to_string(line) + ": " + message;
}

int run_apply(const ApplyOptions& opts) {
    Batch batch;
    if (opts.file == "-") {
        batch = parse_apply(std::cin);
    } else {
        std::ifstream in(opts.file);
        if (!in) {
            throw svcnl::Error("cannot open " + opts.file + ": " + std::strerror(errno));
        }
        batch = parse_apply(in);
    }
    if (batch.ops.empty() && batch.configs.empty()) {
        return 0;
    }
    svcnl::Socket sock;
    std::optional<svcnl::NodeConfig> old_config;
    if (!batch.configs.empty()) {
        try {
            old_config = change_config(sock, batch.configs);
        } catch (const svcnl::KernelError& e) {
            throw svcnl::Error(at_line(batch.config_lines.back(), e.describe_without_op()));
        }
    }
    if (batch.ops.empty()) {
        return 0;
    }
    try {
        sock.transaction(batch.ops);
    } catch (const svcnl::KernelError& e) {
        std::string message = describe_apply_error(batch, e);
        if (old_config) {
            try {
                sock.set_config(*old_config);
            } catch (const std::exception& restore) {
                message += "; the node configuration could not be restored: ";
                message += restore.what();
            }
        }
        throw svcnl::Error(message);
    }
    return 0;
}

}  // namespace

Batch parse_apply(std::istream& in) {
    CommandLine cli;
    Batch batch;
    std::string text;
    for (std::size_t line = 1; std::getline(in, text); ++line) {
        std::vector<std::string> words;
        Command cmd;
        try {
            words = split_line(text);
            if (words.empty()) {
                continue;
            }
            cmd = cli.parse(words);
        } catch (const UsageError& e) {
            throw UsageError(at_line(line, e.what()));
        } catch (const CLI::Success&) {
            throw UsageError(at_line(line, "--help and --version cannot be used in apply"));
        } catch (const CLI::ParseError& e) {
            throw UsageError(at_line(line, e.what()));
        }
        if (cmd.config) {
            if (!batch.ops.empty()) {
                throw UsageError(at_line(line, "set-config must come before every other command"));
            }
            batch.configs.push_back(std::move(*cmd.config));
            batch.config_lines.push_back(line);
            continue;
        }
        if (!cmd.op) {
            throw UsageError(at_line(line, cmd.name + " cannot be used in apply"));
        }
        batch.ops.push_back(std::move(*cmd.op));
        batch.lines.push_back(line);
    }
    if (in.bad()) {
        throw svcnl::Error(std::string("cannot read the input: ") + std::strerror(errno));
    }
    return batch;
}

std::string describe_apply_error(const Batch& batch, const svcnl::KernelError& error) {
    const auto index = error.op_index();
    if (!index || *index >= batch.lines.size()) {
        return error.what();
    }
    return at_line(batch.lines[*index], error.describe_without_op());
}

void setup_apply(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<ApplyOptions>(
        app, "apply", "Apply configuration commands from a file, all or nothing");
    sub->footer(
        "One command per line, written as on the command line without the word svcadm:\n"
        "add-service, edit-service, del-service, add-backend, edit-backend, del-backend,\n"
        "set-backends or flush, after any set-config lines. Blank lines and # comments are\n"
        "skipped; words may be quoted with '...' or \"...\". Every line is checked before\n"
        "anything is changed. The set-config lines are applied first, with one config-set;\n"
        "then all other commands as one transaction: entirely or not at all. If the\n"
        "transaction fails, the previous node configuration is written back.");
    sub->add_option("-f,--file", opts->file, "Input file, - for standard input")
        ->type_name("FILE")
        ->default_str("-");
    sub->callback([opts = opts, &out] {
        out.name = "apply";
        out.run = [apply = *opts] {
            return run_apply(apply);
        };
    });
}

}  // namespace svcadm
