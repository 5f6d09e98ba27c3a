// SPDX-License-Identifier: GPL-2.0-only
// svcadm apply [-f FILE|-]
//
// Every line is parsed before anything is sent, with the same definitions as the real
// command line; then all changes go to the kernel as one transaction, applied entirely
// or not at all.
#include "apply.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
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
    if (batch.ops.empty()) {
        return 0;
    }
    svcnl::Socket sock;
    try {
        sock.transaction(batch.ops);
    } catch (const svcnl::KernelError& e) {
        throw svcnl::Error(describe_apply_error(batch, e));
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
        "set-backends or flush. Blank lines and # comments are skipped; words may be quoted\n"
        "with '...' or \"...\". Every line is checked before anything is changed, then all\n"
        "of them are applied as one transaction: entirely or not at all.");
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
