// SPDX-License-Identifier: GPL-2.0-only
// svcadm set-config: a change of the node configuration, applied read-modify-write.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "svcnl/model.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

// What one set-config command line changes; the fields it does not name stay as they are.
struct ConfigChange {
    std::optional<std::vector<svcnl::Prefix>> cluster_cidrs;
    std::optional<std::vector<svcnl::Prefix>> nodeport_cidrs;
    std::optional<std::vector<svcnl::Prefix>> service_cidrs;
    std::optional<bool> masquerade_all;
    std::optional<std::uint32_t> masq_mark;
    std::optional<std::uint32_t> masq_mode;
    std::optional<std::uint32_t> unknown_port;
    std::optional<std::uint32_t> unallocated;

    void apply_to(svcnl::NodeConfig& config) const;
    bool operator==(const ConfigChange&) const = default;
};

// Reads the node configuration (config-get), applies `changes` to it in order and writes it
// back (config-set). Returns the configuration as it was before, counters dropped.
svcnl::NodeConfig change_config(svcnl::Socket& sock, std::span<const ConfigChange> changes);

}  // namespace svcadm
