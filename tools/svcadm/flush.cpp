// SPDX-License-Identifier: GPL-2.0-only
// svcadm flush
#include <linux/svcnat.h>

#include "cli.hpp"

namespace svcadm {

namespace {

struct FlushOptions {};

}  // namespace

void setup_flush(CLI::App& app, Command& out) {
    CLI::App* sub = add_command<FlushOptions>(app, "flush", "Delete every service").first;
    sub->callback([&out] {
        out.name = "flush";
        out.op = svcnl::Op{SVCNAT_CMD_FLUSH, {}};
    });
}

}  // namespace svcadm
