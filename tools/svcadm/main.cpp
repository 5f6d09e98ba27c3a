// SPDX-License-Identifier: GPL-2.0-only
// svcadm: configure svcnat. The subcommands live in one file each; see cli.hpp.
#include <string>
#include <vector>

#include "cli.hpp"

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return svcadm::run_svcadm(args);
}
