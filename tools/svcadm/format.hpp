// SPDX-License-Identifier: GPL-2.0-only
// Output formats of svcadm list (table, json) and svcadm save. The formatters print the
// services in the order given; callers sort them first (svcnl::sort_services).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "svcnl/model.hpp"

namespace svcadm {

// "ready,serving", "serving,terminating,local", "-" when none; unknown bits as hex.
std::string format_conditions(std::uint32_t flags);

// ipvsadm -Ln style:
//   Prot LocalAddress:Port  Name
//     -> RemoteAddress:Port Weight Conditions
//   TCP  10.96.0.10:8081    default/my-debian:http
//     -> 10.0.2.11:80       1      ready,serving
std::string format_table(const std::vector<svcnl::Service>& services);

// The stable JSON document described in tools/svcadm/README.md.
std::string format_json(const std::vector<svcnl::Service>& services);

// A JSON string literal, quotes included.
std::string json_string(std::string_view text);

// Input for svcadm apply that recreates the services: one add-service line per service
// followed by one add-backend line per backend. Throws svcnl::Error for a service that
// cannot be written as such lines (unknown protocol, control characters in its name).
std::string format_save(const std::vector<svcnl::Service>& services);

}  // namespace svcadm
