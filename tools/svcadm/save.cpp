// SPDX-License-Identifier: GPL-2.0-only
// svcadm save
//
// Prints the configuration as svcadm apply input, sorted, so that save, flush, apply and
// save again prints the same text.
#include <iostream>

#include "cli.hpp"
#include "format.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

namespace {

struct SaveOptions {};

int run_save() {
    svcnl::Socket sock;
    std::vector<svcnl::Service> services = sock.dump_services();
    svcnl::sort_services(services);
    std::cout << format_save(services);
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
