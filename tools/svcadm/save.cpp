// SPDX-License-Identifier: GPL-2.0-only
// svcadm save
//
// Prints the configuration as svcadm apply input, sorted, so that save, flush, apply and
// save again prints the same text. A node configuration that is not the default comes
// first, as a set-config line that gives every setting.
#include <cerrno>
#include <iostream>

#include "cli.hpp"
#include "format.hpp"
#include "svcnl/error.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

namespace {

struct SaveOptions {};

int run_save() {
    svcnl::Socket sock;
    svcnl::NodeConfig config;
    try {
        config = sock.get_config();
    } catch (const svcnl::KernelError& e) {
        // A module without node configuration: there is nothing to save but the services.
        if (e.error() != EOPNOTSUPP) {
            throw;
        }
    }
    std::vector<svcnl::Service> services = sock.dump_services();
    svcnl::sort_services(services);
    std::cout << format_save(services, config);
    return 0;
}

}  // namespace

void setup_save(CLI::App& app, Command& out) {
    CLI::App* sub =
        add_command<SaveOptions>(app, "save", "Print the configuration as input for apply").first;
    sub->callback([&out] {
        out.name = "save";
        out.run = run_save;
    });
}

}  // namespace svcadm
