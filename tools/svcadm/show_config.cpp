// SPDX-License-Identifier: GPL-2.0-only
// svcadm show-config [-o text|json]
#include <iostream>

#include "cli.hpp"
#include "format.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

namespace {

struct ShowConfigOptions {
    std::string output = "text";
};

int run_show_config(const ShowConfigOptions& opts) {
    svcnl::Socket sock;
    const svcnl::NodeConfig config = sock.get_config();
    std::cout << (opts.output == "json" ? format_config_json(config) : format_config(config));
    return 0;
}

}  // namespace

void setup_show_config(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<ShowConfigOptions>(
        app, "show-config", "Show the node configuration and the node-wide counters");
    sub->add_option("-o,--output", opts->output, "Output format")
        ->type_name("text|json")
        ->default_str("text")
        ->check(CLI::IsMember({"text", "json"}));
    sub->callback([opts = opts, &out] {
        out.name = "show-config";
        out.run = [show = *opts] {
            return run_show_config(show);
        };
    });
}

}  // namespace svcadm
