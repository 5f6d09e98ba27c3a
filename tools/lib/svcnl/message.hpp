// SPDX-License-Identifier: GPL-2.0-only
// Building svcnat requests and parsing svcnat replies. Pure functions over nl_msg and
// nlmsghdr: no socket, no kernel, so they are unit-tested directly.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "svcnl/model.hpp"
#include "svcnl/nl.hpp"

namespace svcnl {

// Requests are built with genlmsg_put(NL_AUTO_PORT, NL_AUTO_SEQ); the socket fills in
// the port and sequence number when sending. All requests carry NLM_F_ACK.

// A direct request for a mutating op. What goes into the SVCNAT_A_SERVICE nest depends on
// op.cmd:
//   service-new      key, name (if set), frontends, policies, settings, every backend
//   service-set      key, name (if set), frontends, policies, settings
// where the frontends are the NodePort (if set), every external IP and load-balancer IP
// (prefix nests without a length), every source range (prefix nests with the length),
// and the policies are sent only when they are not cluster (the kernel's default). The
// settings are affinity and scheduler when not the default (none, random), and
// affinity-timeout, maglev-size and hash when set.
//   service-del      key
//   backend-new      key, the first backend: addr, port, weight and flags (those set)
//   backend-set      the same, and flush-conns if set
//   backend-del      key, the first backend's addr and port, flush-conns if set
//   backend-replace  key, every backend (possibly none), flush-conns if set
//   flush            no attribute
// Throws Error if op.cmd is not a mutating command, if a backend op has no backend, or if
// the service does not fit in one netlink attribute (64 KiB: about 2300 IPv4 backends).
MsgPtr build_op_request(int family, const Op& op);

// SERVICE_GET for one service (only the key is sent).
MsgPtr build_get_request(int family, const ServiceKey& key);
// SERVICE_GET dump of every service.
MsgPtr build_dump_request(int family);

MsgPtr build_txn_begin(int family);
// TXN_COMMIT or TXN_ABORT.
MsgPtr build_txn_end(int family, std::uint8_t cmd, std::uint32_t txn_id);

// The largest TXN_OPS message build_txn_ops() makes, unless a single op is bigger.
inline constexpr std::size_t kTxnMsgMax = std::size_t{32} * 1024;

struct TxnChunk {
    MsgPtr msg;
    std::size_t count;  // ops[first, first + count) are in msg
};

// A TXN_OPS message holding ops[first], ops[first + 1], ... in order, as many as fit in
// max_size bytes (at least one). Each op is an SVCNAT_A_OP nest {OP_CMD, OP_SERVICE} with
// the OP_SERVICE contents of build_op_request().
TxnChunk build_txn_ops(int family, std::uint32_t txn_id, std::span<const Op> ops, std::size_t first,
                       std::size_t max_size = kTxnMsgMax);

// An upper bound of the bytes the SVCNAT_A_OP nest of `op` takes.
std::size_t op_size_bound(const Op& op);

// Throws Error if `op` cannot be encoded, alone or in a transaction: its service nest
// would exceed the 64 KiB attribute limit.
void check_op_size(const Op& op);

// Parses a SVCNAT_A_SERVICE nest. Unknown attributes are ignored (newer kernels); known
// attributes with a bad length, or a missing key, throw Error. Backend weight and flags
// are filled with the documented defaults when absent.
Service parse_service(const nlattr* nest);

// Parses the SVCNAT_A_SERVICE of a SERVICE_GET reply or dump message.
Service parse_service_msg(const nlmsghdr* nlh);

// The SVCNAT_A_TXN_ID of a TXN_BEGIN reply; throws Error if missing.
std::uint32_t parse_txn_id_msg(const nlmsghdr* nlh);

// CONFIG_GET (no attributes).
MsgPtr build_config_get(int family);
// CONFIG_SET with every field of `config` but the counters: the lists as prefix nests with
// their lengths, the scalars always (the kernel replaces the whole configuration).
MsgPtr build_config_set(int family, const NodeConfig& config);
// Parses a SVCNAT_A_CONFIG nest (fields the kernel does not send keep their defaults), or
// the SVCNAT_A_CONFIG of a CONFIG_GET reply.
NodeConfig parse_config(const nlattr* nest);
NodeConfig parse_config_msg(const nlmsghdr* nlh);

// AFFINITY_GET dump of the affinity entries of one service (only the key is sent).
MsgPtr build_affinity_request(int family, const ServiceKey& key);
// Joins the messages of an affinity dump (parse_service_msg() of each): every part must
// have `key`. The entries come sorted by client address, each client once.
std::vector<AffinityEntry> merge_affinity_dump(const ServiceKey& key, std::vector<Service>&& parts);

// TRACE with the SVCNAT_A_TRACE request nest; without `ack` the request does not ask for
// an ACK, so a successful trace is answered by its reply alone.
MsgPtr build_trace_request(int family, const TraceRequest& req, bool ack = true);
// Parses the SVCNAT_A_TRACE nest of a TRACE reply; Error if it has no verdict.
TraceReply parse_trace(const nlattr* nest);
TraceReply parse_trace_msg(const nlmsghdr* nlh);

// Joins the messages of a dump into services: consecutive parts with the same key are one
// service split over several messages; everything but the backends is taken from the first
// part. Throws Error if the parts are inconsistent (a key that comes back after another one,
// or a backend count that does not match).
std::vector<Service> merge_dump(std::vector<Service>&& parts);

}  // namespace svcnl
