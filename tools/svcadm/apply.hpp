// SPDX-License-Identifier: GPL-2.0-only
// svcadm apply: the parsing of its input, separate from sending it.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "config.hpp"
#include "svcnl/error.hpp"
#include "svcnl/model.hpp"

namespace svcadm {

// The configuration changes of an apply input, in order, with the input line of each.
struct Batch {
    std::vector<ConfigChange> configs;      // set-config lines, applied first
    std::vector<std::size_t> config_lines;  // 1-based, one per set-config
    std::vector<svcnl::Op> ops;             // the service changes: one transaction
    std::vector<std::size_t> lines;         // 1-based, one per op
};

// Reads apply input: one command per line, written as on the svcadm command line without
// the word svcadm; blank lines and # comments are skipped. Only the configuration
// commands are allowed, and set-config lines must come before every other command.
// Throws UsageError("line N: ...") for the first bad line.
Batch parse_apply(std::istream& in);

// The error message for a failed transaction of `batch`: "line N: MESSAGE (strerror)" when
// the kernel named an op of the batch, the plain message otherwise.
std::string describe_apply_error(const Batch& batch, const svcnl::KernelError& error);

}  // namespace svcadm
