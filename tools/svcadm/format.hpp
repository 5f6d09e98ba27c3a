// SPDX-License-Identifier: GPL-2.0-only
// Output formats of svcadm list (table, json) and svcadm save. The formatters print the
// services in the order given; callers sort them first (svcnl::sort_services).
#pragma once

#include <cstdint>
#include <optional>
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
//     node-port: 30080
//     stats: conns 3 masqueraded 1 rejected-no-endpoints 0 dropped-no-local 0 ...
//     -> 10.0.2.11:80       1      ready,serving
// Under each service, one "  OPTION: VALUE..." line per frontend option and policy that is
// not the default, then the scheduler and affinity lines when not the default:
//     scheduler: rr | scheduler: maglev hash src [size 1021]
//     affinity: clientip timeout 10800
// then with `stats` the counters line.
std::string format_table(const std::vector<svcnl::Service>& services, bool stats = false);

// list --affinity: the service line as format_table() prints it (without the headers),
// then one line per entry, in the order given:
//   "  client 10.244.1.13 -> 10.244.1.11:80 expires 10799s" (seconds rounded up)
std::string format_affinity(const svcnl::Service& svc,
                            const std::vector<svcnl::AffinityEntry>& entries);
std::string format_affinity_json(const svcnl::Service& svc,
                                 const std::vector<svcnl::AffinityEntry>& entries);

// One trace of trace --flows: its source and the backend it was sent to (none unless the
// verdict is dnat and a backend was chosen).
struct Flow {
    svcnl::Address src;
    std::uint16_t src_port = 0;
    std::optional<svcnl::Backend> backend;
};
// "flow SRC PORT -> ADDR:PORT|-" per flow in order, then "backend ADDR:PORT COUNT" per
// backend chosen at least once, sorted by address and port, then "total N".
std::string format_flows(const std::vector<Flow>& flows);
std::string format_flows_json(const std::vector<Flow>& flows);

// The stable JSON document described in Documentation/svcadm.md.
std::string format_json(const std::vector<svcnl::Service>& services);

// show-config: one "KEY: VALUE" line per setting, then the node counters.
std::string format_config(const svcnl::NodeConfig& config);
std::string format_config_json(const svcnl::NodeConfig& config);

// trace: "verdict=... reason=... origin=... frontend=... set=... masquerade=yes|no
// masq-reason=...", then the service, candidate, backend and hairpin lines.
std::string format_trace(const svcnl::TraceReply& reply);
std::string format_trace_json(const svcnl::TraceReply& reply);

// A JSON string literal, quotes included.
std::string json_string(std::string_view text);

// The set-config command line (without "svcadm") that gives every setting of `config`
// explicitly, so that it replaces the whole configuration. Throws svcnl::Error for values
// svcadm has no name for.
std::string format_set_config(const svcnl::NodeConfig& config);

// Input for svcadm apply that recreates the configuration: format_set_config() first when
// `config` is not the default, then one add-service line per service (with its frontends
// and policies) followed by one add-backend line per backend. Throws svcnl::Error for a
// service that cannot be written as such lines (unknown protocol or policy, control
// characters in its name).
std::string format_save(const std::vector<svcnl::Service>& services,
                        const svcnl::NodeConfig& config = {});

}  // namespace svcadm
