// SPDX-License-Identifier: GPL-2.0-only
// A generic netlink socket talking to the svcnat family.
#pragma once

#include <linux/netlink.h>
#include <linux/svcnat.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "svcnl/model.hpp"
#include "svcnl/nl.hpp"

namespace svcnl {

class Socket {
public:
    static constexpr int kDumpAttempts = 5;

    // Connects to generic netlink and resolves the svcnat family; resolving loads an
    // installed module on demand (MODULE_ALIAS_GENL_FAMILY). Extended ACKs and capped
    // ACKs are enabled. Throws FamilyNotFound or Error. Another family can be named for
    // tests of the request machinery.
    explicit Socket(const char* family_name = SVCNAT_FAMILY_NAME);

    [[nodiscard]] int family() const { return family_; }

    using ReplyHandler = std::function<void(const nlmsghdr*)>;

    // Sends `msg` (which must request an ACK, as every svcnl builder does) and processes
    // the replies until the ACK or the end of the dump; on_reply sees every data message.
    // Throws KernelError if the kernel reports an error, Error for local failures.
    // Returns true if a dump message was flagged NLM_F_DUMP_INTR.
    bool request(nl_msg* msg, const ReplyHandler& on_reply = {});

    // One configuration change, applied on its own.
    void execute(const Op& op);

    Service get_service(const ServiceKey& key);

    // Every service with all its backends, in kernel order. The whole dump is retried
    // when the table changed under it; Error after `attempts` failed tries.
    std::vector<Service> dump_services(int attempts = kDumpAttempts);

    // Applies `ops` in order as one transaction: all of them or none. Ops are sent in
    // TXN_OPS messages of at most kTxnMsgMax bytes. On failure the transaction is aborted
    // (best effort) and the KernelError thrown names the failing op (op_index()).
    void transaction(std::span<const Op> ops, std::size_t max_msg_size = 0);

    // The node configuration with the node-wide counters (config-get).
    NodeConfig get_config();
    // Replaces the node configuration (config-set); the counters are not sent.
    void set_config(const NodeConfig& config);

    // What svcnat would do with a synthetic first packet (trace); changes nothing.
    TraceReply trace(const TraceRequest& req);

    // Pipelined requests that each get exactly one answer: a data message or an error
    // (requests built without NLM_F_ACK, and not dumps). make(i) builds request i of
    // `count`; on_reply(i, reply) sees the answer of request i. The requests go out in
    // batches of many per send, as many as the receive buffer can hold answers for, and
    // every answer of a batch is read before the next batch. If the kernel fails a
    // request, the rest of its batch is still read, nothing more is sent, and the first
    // error is thrown as KernelError; errors thrown by on_reply end it the same way.
    using MakeRequest = std::function<MsgPtr(std::size_t)>;
    using IndexedReply = std::function<void(std::size_t, const nlmsghdr*)>;
    void request_batch(std::size_t count, const MakeRequest& make, const IndexedReply& on_reply);

    // `count` traces through request_batch(): make(i) is the request of trace i.
    using MakeTrace = std::function<TraceRequest(std::size_t)>;
    using TraceHandler = std::function<void(std::size_t, const TraceReply&)>;
    void trace_many(std::size_t count, const MakeTrace& make, const TraceHandler& on_reply);

    // The live affinity entries of a service (affinity-get), sorted by client address.
    std::vector<AffinityEntry> affinity_entries(const ServiceKey& key,
                                                int attempts = kDumpAttempts);

private:
    void abort_transaction(std::uint32_t txn_id) noexcept;

    SockPtr sock_;
    int family_ = 0;
};

}  // namespace svcnl
