// SPDX-License-Identifier: GPL-2.0-only
#include "svcnl/socket.hpp"

#include <linux/netlink.h>
#include <linux/svcnat.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "svcnl/error.hpp"
#include "svcnl/message.hpp"

namespace svcnl {

SockPtr make_sock() {
    SockPtr sock(nl_socket_alloc());
    if (!sock) {
        throw std::bad_alloc();
    }
    return sock;
}

MsgPtr make_msg(std::size_t size) {
    MsgPtr msg(nlmsg_alloc_size(size));
    if (!msg) {
        throw std::bad_alloc();
    }
    return msg;
}

CbPtr make_cb() {
    CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb) {
        throw std::bad_alloc();
    }
    return cb;
}

namespace {

constexpr int kSocketBuffer = 1 << 20;

std::string libnl_error(std::string_view what, int err) {
    return std::string(what) + ": " + nl_geterror(err);
}

// State shared with the libnl callbacks of one request.
struct RequestState {
    const Socket::ReplyHandler* on_reply = nullptr;
    bool done = false;
    bool interrupted = false;
    std::optional<AckInfo> failure;
    std::exception_ptr callback_error;
};

RequestState& state_of(void* arg) {
    return *static_cast<RequestState*>(arg);
}

int on_valid(nl_msg* msg, void* arg) noexcept {
    RequestState& st = state_of(arg);
    if (st.on_reply != nullptr && *st.on_reply && !st.callback_error) {
        try {
            (*st.on_reply)(nlmsg_hdr(msg));
        } catch (...) {
            // Keep reading to the end of the reply, then report.
            st.callback_error = std::current_exception();
        }
    }
    return NL_OK;
}

int on_ack(nl_msg* /*msg*/, void* arg) noexcept {
    state_of(arg).done = true;
    return NL_STOP;
}

int on_finish(nl_msg* msg, void* arg) noexcept {
    RequestState& st = state_of(arg);
    st.done = true;
    try {
        AckInfo info = parse_done_msg(nlmsg_hdr(msg));
        if (info.error != 0) {
            st.failure = std::move(info);
        }
    } catch (...) {
        st.callback_error = std::current_exception();
    }
    return NL_STOP;
}

int on_error(sockaddr_nl* /*nla*/, nlmsgerr* err, void* arg) noexcept {
    RequestState& st = state_of(arg);
    st.done = true;
    try {
        // libnl hands over the payload; the flags telling where the extended ACK
        // attributes are live in the message header right before it.
        const auto* nlh = reinterpret_cast<const nlmsghdr*>(
            reinterpret_cast<const unsigned char*>(err) - NLMSG_HDRLEN);
        st.failure = parse_error_msg(nlh);
    } catch (...) {
        st.callback_error = std::current_exception();
    }
    return NL_STOP;
}

int on_dump_intr(nl_msg* /*msg*/, void* arg) noexcept {
    state_of(arg).interrupted = true;
    return NL_OK;
}

void set_sockopt(nl_sock* sock, int opt) {
    const int one = 1;
    // Failing is not fatal: old kernels simply give plain errors.
    (void)setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, opt, &one, sizeof(one));
}

}  // namespace

Socket::Socket(const char* family_name) : sock_(make_sock()) {
    int err = genl_connect(sock_.get());
    if (err < 0) {
        throw Error(libnl_error("cannot open a generic netlink socket", err));
    }
    set_sockopt(sock_.get(), NETLINK_EXT_ACK);
    set_sockopt(sock_.get(), NETLINK_CAP_ACK);
    err = nl_socket_set_buffer_size(sock_.get(), kSocketBuffer, kSocketBuffer);
    if (err < 0) {
        throw Error(libnl_error("cannot size the netlink socket buffers", err));
    }
    family_ = genl_ctrl_resolve(sock_.get(), family_name);
    if (family_ == -NLE_OBJ_NOTFOUND && std::strcmp(family_name, SVCNAT_FAMILY_NAME) == 0) {
        throw FamilyNotFound();
    }
    if (family_ < 0) {
        throw Error(libnl_error(
            "cannot resolve the generic netlink family " + std::string(family_name), family_));
    }
}

bool Socket::request(nl_msg* msg, const ReplyHandler& on_reply) {
    RequestState st;
    st.on_reply = &on_reply;
    CbPtr cb = make_cb();
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &st);
    nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &st);
    nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &st);
    nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &st);
    nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &st);

    // nl_send_auto() returns the number of bytes sent; only negative values are errors.
    int err = nl_send_auto(sock_.get(), msg);
    if (err < 0) {
        throw Error(libnl_error("cannot send a netlink request", err));
    }
    while (!st.done) {
        err = nl_recvmsgs(sock_.get(), cb.get());
        if (err < 0 && !st.done) {
            throw Error(libnl_error("cannot receive the netlink reply", err));
        }
    }
    if (st.failure) {
        const AckInfo& info = *st.failure;
        std::string missing;
        if (info.miss_type) {
            missing = describe_missing(nlmsg_hdr(msg), *info.miss_type, info.miss_nest);
        }
        std::optional<std::size_t> op_index;
        if (info.cookie) {
            op_index = *info.cookie;
        }
        throw KernelError(info.error < 0 ? -info.error : EPROTO, info.message, missing, op_index);
    }
    if (st.callback_error) {
        std::rethrow_exception(st.callback_error);
    }
    return st.interrupted;
}

void Socket::execute(const Op& op) {
    const MsgPtr msg = build_op_request(family_, op);
    request(msg.get());
}

Service Socket::get_service(const ServiceKey& key) {
    std::optional<Service> svc;
    const MsgPtr msg = build_get_request(family_, key);
    try {
        request(msg.get(), [&svc](const nlmsghdr* nlh) { svc = parse_service_msg(nlh); });
    } catch (const KernelError& e) {
        // A service too large for one reply message is only available through a dump.
        if (e.error() != EMSGSIZE) {
            throw;
        }
        for (Service& s : dump_services()) {
            if (s.key() == key) {
                return std::move(s);
            }
        }
        throw;
    }
    if (!svc) {
        throw Error("no reply to service-get");
    }
    if (svc->backend_count && *svc->backend_count != svc->backends.size()) {
        throw Error("service-get reply of " + proto_name(svc->proto) + " " +
                    format_endpoint(svc->addr, svc->port) + " has " +
                    std::to_string(svc->backends.size()) + " of its " +
                    std::to_string(*svc->backend_count) + " backends");
    }
    return std::move(*svc);
}

std::vector<Service> Socket::dump_services(int attempts) {
    for (int attempt = 1;; ++attempt) {
        std::vector<Service> parts;
        const MsgPtr msg = build_dump_request(family_);
        const bool interrupted = request(
            msg.get(), [&parts](const nlmsghdr* nlh) { parts.push_back(parse_service_msg(nlh)); });
        if (!interrupted) {
            try {
                return merge_dump(std::move(parts));
            } catch (const Error&) {
                if (attempt >= attempts) {
                    throw;
                }
                continue;
            }
        }
        if (attempt >= attempts) {
            throw Error("the service table kept changing during the dump (tried " +
                        std::to_string(attempts) + " times)");
        }
    }
}

NodeConfig Socket::get_config() {
    std::optional<NodeConfig> config;
    const MsgPtr msg = build_config_get(family_);
    request(msg.get(), [&config](const nlmsghdr* nlh) { config = parse_config_msg(nlh); });
    if (!config) {
        throw Error("no reply to config-get");
    }
    return std::move(*config);
}

void Socket::set_config(const NodeConfig& config) {
    const MsgPtr msg = build_config_set(family_, config);
    request(msg.get());
}

TraceReply Socket::trace(const TraceRequest& req) {
    std::optional<TraceReply> reply;
    const MsgPtr msg = build_trace_request(family_, req);
    request(msg.get(), [&reply](const nlmsghdr* nlh) { reply = parse_trace_msg(nlh); });
    if (!reply) {
        throw Error("no reply to trace");
    }
    return std::move(*reply);
}

namespace {

// Answers of a batch that fit in the receive buffer, from the largest answer seen so far.
// An answer's skb takes its length rounded up to a power of two (slab) plus the skb
// overhead; half of the buffer is left as a margin.
constexpr int kAnswerTimeoutMs = 30000;

std::size_t batch_size(int rcvbuf, std::size_t largest) {
    constexpr std::size_t kMaxBatch = 256;
    constexpr std::size_t kSkbOverhead = 1024;
    std::size_t slab = 512;
    while (slab < largest + kSkbOverhead) {
        slab *= 2;
    }
    const std::size_t fit = static_cast<std::size_t>(std::max(rcvbuf, 0)) / 2 / (slab + 512);
    return std::clamp<std::size_t>(fit, 1, kMaxBatch);
}

}  // namespace

void Socket::request_batch(std::size_t count, const MakeRequest& make,
                           const IndexedReply& on_reply) {
    const int fd = nl_socket_get_fd(sock_.get());
    const std::uint32_t port = nl_socket_get_local_port(sock_.get());
    int rcvbuf = 0;
    socklen_t optlen = sizeof(rcvbuf);
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &optlen) < 0) {
        throw Error(std::string("cannot read the netlink receive buffer size: ") +
                    std::strerror(errno));
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    // Sequence numbers of their own, far from libnl's, so that no stray answer can be
    // taken for one of libnl's later requests (none is left unread anyway).
    const std::uint32_t base = 0x80000000U;
    std::vector<unsigned char> out;
    std::vector<unsigned char> in(std::size_t{1} << 18);
    std::size_t largest = 0;

    for (std::size_t first = 0, batch = 1; first < count;) {
        const std::size_t end = std::min(count, first + batch);
        out.clear();
        for (std::size_t i = first; i < end; ++i) {
            const MsgPtr msg = make(i);
            nlmsghdr* nlh = nlmsg_hdr(msg.get());
            nlh->nlmsg_flags = static_cast<std::uint16_t>(nlh->nlmsg_flags | NLM_F_REQUEST);
            nlh->nlmsg_pid = port;
            nlh->nlmsg_seq = base + static_cast<std::uint32_t>(i);
            const auto* bytes = reinterpret_cast<const unsigned char*>(nlh);
            out.insert(out.end(), bytes, bytes + nlh->nlmsg_len);
            out.resize(NLMSG_ALIGN(out.size()));
        }
        ssize_t sent = -1;
        do {
            sent = sendto(fd, out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
                          sizeof(kernel));
        } while (sent < 0 && errno == EINTR);
        if (sent < 0 || static_cast<std::size_t>(sent) != out.size()) {
            throw Error(std::string("cannot send netlink requests: ") + std::strerror(errno));
        }

        std::optional<AckInfo> failure;
        std::exception_ptr callback_error;
        for (std::size_t answered = 0; answered < end - first;) {
            // The kernel handles the requests while they are sent, so their answers are
            // all queued already; wait only if one is missing, and not forever.
            const ssize_t got = recv(fd, in.data(), in.size(), MSG_TRUNC | MSG_DONTWAIT);
            if (got < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
                    const int ready = poll(&pfd, 1, kAnswerTimeoutMs);
                    if (ready == 0) {
                        throw Error("no answer from the kernel to " +
                                    std::to_string(end - first - answered) + " of " +
                                    std::to_string(end - first) + " requests");
                    }
                    if (ready < 0 && errno != EINTR) {
                        throw Error(std::string("cannot wait for netlink answers: ") +
                                    std::strerror(errno));
                    }
                    continue;
                }
                if (errno == ENOBUFS) {
                    throw Error("netlink answers were lost: the receive buffer overflowed");
                }
                throw Error(std::string("cannot receive netlink answers: ") + std::strerror(errno));
            }
            if (static_cast<std::size_t>(got) > in.size()) {
                throw Error("netlink answer too large (" + std::to_string(got) + " bytes)");
            }
            int len = static_cast<int>(got);
            for (auto* nlh = reinterpret_cast<nlmsghdr*>(in.data()); nlmsg_ok(nlh, len) != 0;
                 nlh = nlmsg_next(nlh, &len)) {
                const std::size_t index = nlh->nlmsg_seq - base;
                if (nlh->nlmsg_pid != port || index < first || index >= end) {
                    continue;  // not an answer of this batch
                }
                largest = std::max<std::size_t>(largest, nlh->nlmsg_len);
                if (nlh->nlmsg_type == NLMSG_ERROR) {
                    AckInfo info = parse_error_msg(nlh);
                    if (info.error == 0) {
                        continue;  // an ACK after all: not the answer
                    }
                    if (!failure) {
                        failure = std::move(info);
                    }
                } else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && !callback_error && !failure) {
                    try {
                        on_reply(index, nlh);
                    } catch (...) {
                        callback_error = std::current_exception();
                    }
                }
                ++answered;
            }
        }
        if (failure) {
            const AckInfo& info = *failure;
            throw KernelError(info.error < 0 ? -info.error : EPROTO, info.message, {});
        }
        if (callback_error) {
            std::rethrow_exception(callback_error);
        }
        first = end;
        batch = batch_size(rcvbuf, largest);
    }
}

void Socket::trace_many(std::size_t count, const MakeTrace& make, const TraceHandler& on_reply) {
    request_batch(
        count, [&](std::size_t i) { return build_trace_request(family_, make(i), false); },
        [&](std::size_t i, const nlmsghdr* nlh) { on_reply(i, parse_trace_msg(nlh)); });
}

std::vector<AffinityEntry> Socket::affinity_entries(const ServiceKey& key, int attempts) {
    for (int attempt = 1;; ++attempt) {
        std::vector<Service> parts;
        const MsgPtr msg = build_affinity_request(family_, key);
        const bool interrupted = request(
            msg.get(), [&parts](const nlmsghdr* nlh) { parts.push_back(parse_service_msg(nlh)); });
        // The entries change with every new connection; a dump the kernel flags as
        // interrupted is tried again, and the last try is taken as it is.
        if (!interrupted || attempt >= attempts) {
            return merge_affinity_dump(key, std::move(parts));
        }
    }
}

void Socket::abort_transaction(std::uint32_t txn_id) noexcept {
    try {
        const MsgPtr msg = build_txn_end(family_, SVCNAT_CMD_TXN_ABORT, txn_id);
        request(msg.get());
    } catch (...) {
        // Best effort: a failed op or commit has already freed the transaction, and
        // closing the socket frees it in any case.
        (void)0;
    }
}

void Socket::transaction(std::span<const Op> ops, std::size_t max_msg_size) {
    if (ops.empty()) {
        return;
    }
    if (max_msg_size == 0) {
        max_msg_size = kTxnMsgMax;
    }
    std::uint32_t txn_id = 0;
    {
        const MsgPtr begin = build_txn_begin(family_);
        request(begin.get(), [&txn_id](const nlmsghdr* nlh) { txn_id = parse_txn_id_msg(nlh); });
    }
    if (txn_id == 0) {
        throw Error("txn-begin returned no transaction id");
    }
    try {
        for (std::size_t next = 0; next < ops.size();) {
            TxnChunk chunk = build_txn_ops(family_, txn_id, ops, next, max_msg_size);
            request(chunk.msg.get());
            next += chunk.count;
        }
        const MsgPtr commit = build_txn_end(family_, SVCNAT_CMD_TXN_COMMIT, txn_id);
        request(commit.get());
    } catch (...) {
        abort_transaction(txn_id);
        throw;
    }
}

}  // namespace svcnl
