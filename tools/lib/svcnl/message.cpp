// SPDX-License-Identifier: GPL-2.0-only
#include "svcnl/message.hpp"

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/svcnat.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <set>
#include <string>
#include <utility>

#include "svcnl/error.hpp"

namespace svcnl {

namespace {

// The largest payload a netlink attribute can have: nla_len is 16 bits.
constexpr std::size_t kAttrMax = 0xffff;
constexpr std::size_t kMsgOverhead = NLMSG_HDRLEN + GENL_HDRLEN;

constexpr std::size_t attr_size(std::size_t payload) {
    return NLA_ALIGN(NLA_HDRLEN + payload);
}

// Which parts of a service a command sends.
struct Parts {
    bool service = true;         // the SVCNAT_A_SERVICE nest at all
    bool name = false;           // the name, if the service has one
    bool frontends = false;      // NodePort, external/LB IPs, source ranges, policies
    bool backends = false;       // every backend
    bool one_backend = false;    // exactly the first backend
    bool backend_values = true;  // weight and flags (if set) of the backends sent
    bool settings = false;       // affinity and scheduler settings
    bool flush = false;          // the flush-conns flag, if set
};

Parts parts_for(std::uint32_t cmd) {
    switch (cmd) {
        case SVCNAT_CMD_SERVICE_NEW:
            return {.name = true, .frontends = true, .backends = true, .settings = true};
        case SVCNAT_CMD_SERVICE_SET:
            return {.name = true, .frontends = true, .settings = true};
        case SVCNAT_CMD_SERVICE_DEL:
            return {};
        case SVCNAT_CMD_BACKEND_NEW:
            return {.one_backend = true};
        case SVCNAT_CMD_BACKEND_SET:
            return {.one_backend = true, .flush = true};
        case SVCNAT_CMD_BACKEND_DEL:
            return {.one_backend = true, .backend_values = false, .flush = true};
        case SVCNAT_CMD_BACKEND_REPLACE:
            return {.backends = true, .flush = true};
        case SVCNAT_CMD_FLUSH:
            return {.service = false};
        default:
            throw Error("not a configuration command: " + cmd_name(cmd));
    }
}

std::span<const Backend> backends_sent(const Op& op, const Parts& parts) {
    if (parts.backends) {
        return op.service.backends;
    }
    if (parts.one_backend) {
        if (op.service.backends.empty()) {
            throw Error(cmd_name(op.cmd) + " needs a backend");
        }
        return std::span<const Backend>(op.service.backends).first(1);
    }
    return {};
}

std::size_t addr_size(const Address& addr) {
    return attr_size(addr.size());
}

// A prefix nest: the address, and the length unless it is sent as a single address.
std::size_t prefix_size(const Address& addr, bool with_len) {
    return NLA_HDRLEN + addr_size(addr) + (with_len ? attr_size(sizeof(std::uint8_t)) : 0);
}

std::size_t frontends_size(const Service& svc) {
    std::size_t size = 0;
    if (svc.node_port) {
        size += attr_size(sizeof(std::uint16_t));
    }
    for (const Address& addr : svc.external_ips) {
        size += prefix_size(addr, false);
    }
    for (const Address& addr : svc.lb_ips) {
        size += prefix_size(addr, false);
    }
    for (const Prefix& prefix : svc.source_ranges) {
        size += prefix_size(prefix.addr, true);
    }
    if (svc.ext_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        size += attr_size(sizeof(std::uint32_t));
    }
    if (svc.int_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        size += attr_size(sizeof(std::uint32_t));
    }
    return size;
}

// The affinity and scheduler attributes that are not the kernel's default.
std::size_t settings_size(const Service& svc) {
    const std::size_t u32 = attr_size(sizeof(std::uint32_t));
    std::size_t size = 0;
    size += svc.affinity != SVCNAT_AFFINITY_NONE ? u32 : 0;
    size += svc.affinity_timeout ? u32 : 0;
    size += svc.scheduler != SVCNAT_SCHEDULER_RANDOM ? u32 : 0;
    size += svc.maglev_size ? u32 : 0;
    size += svc.hash ? u32 : 0;
    return size;
}

std::size_t backend_size(const Backend& be, const Parts& parts) {
    std::size_t size = NLA_HDRLEN + addr_size(be.addr) + attr_size(sizeof(std::uint16_t));
    if (parts.backend_values) {
        size += be.weight ? attr_size(sizeof(std::uint32_t)) : 0;
        size += be.flags ? attr_size(sizeof(std::uint32_t)) : 0;
    }
    return size;
}

// Size of the SVCNAT_A_SERVICE (or SVCNAT_A_OP_SERVICE) nest of op; 0 if there is none.
std::size_t service_nest_size(const Op& op, const Parts& parts) {
    if (!parts.service) {
        return 0;
    }
    const Service& svc = op.service;
    std::size_t size = NLA_HDRLEN + attr_size(sizeof(std::uint8_t)) + addr_size(svc.addr) +
                       attr_size(sizeof(std::uint16_t));
    if (parts.name && svc.name) {
        size += attr_size(svc.name->size() + 1);
    }
    if (parts.frontends) {
        size += frontends_size(svc);
    }
    if (parts.settings) {
        size += settings_size(svc);
    }
    if (parts.flush && svc.flush_conns) {
        size += attr_size(0);
    }
    for (const Backend& be : backends_sent(op, parts)) {
        size += backend_size(be, parts);
    }
    return size;
}

void check_put(int err) {
    if (err < 0) {
        throw Error(std::string("cannot build netlink message: ") + nl_geterror(err));
    }
}

nlattr* nest_start(nl_msg* msg, int type) {
    nlattr* nest = nla_nest_start(msg, type);
    if (nest == nullptr) {
        check_put(-NLE_NOMEM);
    }
    return nest;
}

void put_addr(nl_msg* msg, int v4_type, int v6_type, const Address& addr) {
    if (addr.is_ipv4()) {
        std::uint32_t be32 = 0;  // already network byte order
        std::memcpy(&be32, addr.data(), sizeof(be32));
        check_put(nla_put_u32(msg, v4_type, be32));
    } else {
        check_put(nla_put(msg, v6_type, static_cast<int>(addr.size()), addr.data()));
    }
}

void put_prefix(nl_msg* msg, int type, const Address& addr, std::optional<std::uint8_t> len) {
    nlattr* nest = nest_start(msg, type);
    put_addr(msg, SVCNAT_A_PREFIX_ADDR_IPV4, SVCNAT_A_PREFIX_ADDR_IPV6, addr);
    if (len) {
        check_put(nla_put_u8(msg, SVCNAT_A_PREFIX_LEN, *len));
    }
    check_put(nla_nest_end(msg, nest));
}

void put_frontends(nl_msg* msg, const Service& svc) {
    if (svc.node_port) {
        check_put(nla_put_u16(msg, SVCNAT_A_SERVICE_NODE_PORT, htons(*svc.node_port)));
    }
    for (const Address& addr : svc.external_ips) {
        put_prefix(msg, SVCNAT_A_SERVICE_EXTERNAL_IP, addr, std::nullopt);
    }
    for (const Address& addr : svc.lb_ips) {
        put_prefix(msg, SVCNAT_A_SERVICE_LB_IP, addr, std::nullopt);
    }
    for (const Prefix& prefix : svc.source_ranges) {
        put_prefix(msg, SVCNAT_A_SERVICE_SOURCE_RANGE, prefix.addr, prefix.len);
    }
    if (svc.ext_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        check_put(nla_put_u32(msg, SVCNAT_A_SERVICE_EXT_POLICY, svc.ext_policy));
    }
    if (svc.int_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        check_put(nla_put_u32(msg, SVCNAT_A_SERVICE_INT_POLICY, svc.int_policy));
    }
}

void put_settings(nl_msg* msg, const Service& svc) {
    if (svc.affinity != SVCNAT_AFFINITY_NONE) {
        check_put(nla_put_u32(msg, SVCNAT_A_SERVICE_AFFINITY, svc.affinity));
    }
    if (svc.affinity_timeout) {
        check_put(nla_put_u32(msg, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT, *svc.affinity_timeout));
    }
    if (svc.scheduler != SVCNAT_SCHEDULER_RANDOM) {
        check_put(nla_put_u32(msg, SVCNAT_A_SERVICE_SCHEDULER, svc.scheduler));
    }
    if (svc.maglev_size) {
        check_put(nla_put_u32(msg, SVCNAT_A_SERVICE_MAGLEV_SIZE, *svc.maglev_size));
    }
    if (svc.hash) {
        check_put(nla_put_u32(msg, SVCNAT_A_SERVICE_HASH, *svc.hash));
    }
}

void put_backend(nl_msg* msg, const Backend& be, const Parts& parts) {
    nlattr* nest = nest_start(msg, SVCNAT_A_SERVICE_BACKEND);
    put_addr(msg, SVCNAT_A_BACKEND_ADDR_IPV4, SVCNAT_A_BACKEND_ADDR_IPV6, be.addr);
    check_put(nla_put_u16(msg, SVCNAT_A_BACKEND_PORT, htons(be.port)));
    if (parts.backend_values && be.weight) {
        check_put(nla_put_u32(msg, SVCNAT_A_BACKEND_WEIGHT, *be.weight));
    }
    if (parts.backend_values && be.flags) {
        check_put(nla_put_u32(msg, SVCNAT_A_BACKEND_FLAGS, *be.flags));
    }
    check_put(nla_nest_end(msg, nest));
}

void put_service(nl_msg* msg, int type, const Op& op, const Parts& parts) {
    if (!parts.service) {
        return;
    }
    const Service& svc = op.service;
    nlattr* nest = nest_start(msg, type);
    check_put(nla_put_u8(msg, SVCNAT_A_SERVICE_PROTO, static_cast<std::uint8_t>(svc.proto)));
    put_addr(msg, SVCNAT_A_SERVICE_ADDR_IPV4, SVCNAT_A_SERVICE_ADDR_IPV6, svc.addr);
    check_put(nla_put_u16(msg, SVCNAT_A_SERVICE_PORT, htons(svc.port)));
    if (parts.name && svc.name) {
        if (svc.name->find('\0') != std::string::npos) {
            throw Error("service name contains a NUL character");
        }
        check_put(nla_put_string(msg, SVCNAT_A_SERVICE_NAME, svc.name->c_str()));
    }
    if (parts.frontends) {
        put_frontends(msg, svc);
    }
    if (parts.settings) {
        put_settings(msg, svc);
    }
    if (parts.flush && svc.flush_conns) {
        check_put(nla_put_flag(msg, SVCNAT_A_SERVICE_FLUSH_CONNS));
    }
    for (const Backend& be : backends_sent(op, parts)) {
        put_backend(msg, be, parts);
    }
    check_put(nla_nest_end(msg, nest));
}

// Throws if a nest of `size` bytes (header included) cannot be encoded.
void check_nest_size(const Op& op, std::size_t size) {
    if (size > kAttrMax) {
        throw Error("service " + proto_name(op.service.proto) + " " +
                    format_endpoint(op.service.addr, op.service.port) + ": " +
                    std::to_string(op.service.backends.size()) +
                    " backends do not fit in one netlink attribute (64 KiB, about 2300 IPv4 "
                    "backends)");
    }
}

MsgPtr new_request(int family, std::uint8_t cmd, int flags, std::size_t size) {
    MsgPtr msg = make_msg(size);
    if (genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK | flags, cmd,
                    SVCNAT_FAMILY_VERSION) == nullptr) {
        check_put(-NLE_NOMEM);
    }
    return msg;
}

const unsigned char* bytes_of(const void* ptr) {
    return static_cast<const unsigned char*>(ptr);
}

// Calls fn(attr) for every attribute in [head, head + len).
template <typename Fn>
void for_each_attr(const void* head, std::size_t len, Fn&& fn) {
    const auto* nla = static_cast<const nlattr*>(head);
    for (int rem = static_cast<int>(len); nla_ok(nla, rem) != 0; nla = nla_next(nla, &rem)) {
        fn(nla);
    }
}

template <typename Fn>
void for_each_nested(const nlattr* nest, Fn&& fn) {
    for_each_attr(nla_data(nest), static_cast<std::size_t>(nla_len(nest)), std::forward<Fn>(fn));
}

// Calls fn(attr) for every top-level attribute of a generic netlink message.
template <typename Fn>
void for_each_genl_attr(const nlmsghdr* nlh, Fn&& fn) {
    if (nlh->nlmsg_len < kMsgOverhead) {
        throw Error("malformed svcnat reply: message too short");
    }
    for_each_attr(bytes_of(nlh) + kMsgOverhead, nlh->nlmsg_len - kMsgOverhead,
                  std::forward<Fn>(fn));
}

std::size_t payload_len(const nlattr* nla) {
    return static_cast<std::size_t>(nla_len(nla));
}

void need_len(const nlattr* nla, std::size_t len, bool exact, const char* what) {
    const std::size_t have = payload_len(nla);
    if (have < len || (exact && have != len)) {
        throw Error(std::string("malformed svcnat reply: bad length of ") + what);
    }
}

std::uint32_t get_u32(const nlattr* nla, const char* what) {
    need_len(nla, sizeof(std::uint32_t), false, what);
    return nla_get_u32(nla);
}

std::uint16_t get_port(const nlattr* nla) {
    need_len(nla, sizeof(std::uint16_t), false, "port");
    return ntohs(nla_get_u16(nla));
}

Address get_addr(const nlattr* nla, bool ipv4) {
    if (ipv4) {
        need_len(nla, 4, true, "IPv4 address");
        std::array<std::uint8_t, 4> buf{};
        std::memcpy(buf.data(), nla_data(nla), buf.size());
        return Address::ipv4(buf);
    }
    need_len(nla, 16, true, "IPv6 address");
    std::array<std::uint8_t, 16> buf{};
    std::memcpy(buf.data(), nla_data(nla), buf.size());
    return Address::ipv6(buf);
}

std::uint8_t get_u8(const nlattr* nla, const char* what) {
    need_len(nla, sizeof(std::uint8_t), false, what);
    return nla_get_u8(nla);
}

std::uint64_t get_u64(const nlattr* nla, const char* what) {
    need_len(nla, sizeof(std::uint64_t), false, what);
    std::uint64_t value = 0;
    std::memcpy(&value, nla_data(nla), sizeof(value));  // may be only 4-byte aligned
    return value;
}

// A prefix nest; an absent length is the full length.
Prefix parse_prefix(const nlattr* nest) {
    std::optional<Address> addr;
    std::optional<std::uint8_t> len;
    for_each_nested(nest, [&](const nlattr* nla) {
        switch (nla_type(nla)) {
            case SVCNAT_A_PREFIX_ADDR_IPV4:
            case SVCNAT_A_PREFIX_ADDR_IPV6:
                addr = get_addr(nla, nla_type(nla) == SVCNAT_A_PREFIX_ADDR_IPV4);
                break;
            case SVCNAT_A_PREFIX_LEN:
                len = get_u8(nla, "prefix length");
                break;
            default:
                break;  // newer kernel
        }
    });
    if (!addr) {
        throw Error("malformed svcnat reply: prefix without address");
    }
    return Prefix{*addr, len.value_or(Prefix::full_len(*addr))};
}

Stats parse_stats(const nlattr* nest) {
    Stats stats;
    for_each_nested(nest, [&](const nlattr* nla) {
        switch (nla_type(nla)) {
            case SVCNAT_A_STATS_CONNS:
                stats.conns = get_u64(nla, "counter");
                break;
            case SVCNAT_A_STATS_MASQUERADED:
                stats.masqueraded = get_u64(nla, "counter");
                break;
            case SVCNAT_A_STATS_REJECTED_NO_ENDPOINTS:
                stats.rejected_no_endpoints = get_u64(nla, "counter");
                break;
            case SVCNAT_A_STATS_DROPPED_NO_LOCAL:
                stats.dropped_no_local = get_u64(nla, "counter");
                break;
            case SVCNAT_A_STATS_DROPPED_SOURCE_RANGE:
                stats.dropped_source_range = get_u64(nla, "counter");
                break;
            case SVCNAT_A_STATS_REJECTED_UNKNOWN_PORT:
                stats.rejected_unknown_port = get_u64(nla, "counter");
                break;
            case SVCNAT_A_STATS_DROPPED_UNALLOCATED:
                stats.dropped_unallocated = get_u64(nla, "counter");
                break;
            default:
                break;  // pad, newer kernel
        }
    });
    return stats;
}

Backend parse_backend(const nlattr* nest) {
    Backend be;
    bool have_addr = false;
    bool have_port = false;
    for_each_nested(nest, [&](const nlattr* nla) {
        switch (nla_type(nla)) {
            case SVCNAT_A_BACKEND_ADDR_IPV4:
            case SVCNAT_A_BACKEND_ADDR_IPV6:
                be.addr = get_addr(nla, nla_type(nla) == SVCNAT_A_BACKEND_ADDR_IPV4);
                have_addr = true;
                break;
            case SVCNAT_A_BACKEND_PORT:
                be.port = get_port(nla);
                have_port = true;
                break;
            case SVCNAT_A_BACKEND_WEIGHT:
                be.weight = get_u32(nla, "backend weight");
                break;
            case SVCNAT_A_BACKEND_FLAGS:
                be.flags = get_u32(nla, "backend flags");
                break;
            default:
                break;  // newer kernel
        }
    });
    if (!have_addr || !have_port) {
        throw Error("malformed svcnat reply: backend without address or port");
    }
    be.weight = be.weight_or_default();
    be.flags = be.flags_or_default();
    return be;
}

AffinityEntry parse_affinity_entry(const nlattr* nest) {
    AffinityEntry entry;
    bool have_client = false;
    bool have_backend = false;
    for_each_nested(nest, [&](const nlattr* nla) {
        switch (nla_type(nla)) {
            case SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV4:
            case SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV6:
                entry.client = get_addr(nla, nla_type(nla) == SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV4);
                have_client = true;
                break;
            case SVCNAT_A_AFFINITY_ENTRY_BACKEND:
                entry.backend = parse_backend(nla);
                have_backend = true;
                break;
            case SVCNAT_A_AFFINITY_ENTRY_EXPIRES:
                entry.expires_ms = get_u32(nla, "affinity expiry");
                break;
            default:
                break;  // newer kernel
        }
    });
    if (!have_client || !have_backend) {
        throw Error("malformed svcnat reply: affinity entry without client or backend");
    }
    return entry;
}

}  // namespace

std::size_t op_size_bound(const Op& op) {
    const Parts parts = parts_for(op.cmd);
    return NLA_HDRLEN + attr_size(sizeof(std::uint32_t)) + service_nest_size(op, parts);
}

void check_op_size(const Op& op) {
    check_nest_size(op, op_size_bound(op));
}

MsgPtr build_op_request(int family, const Op& op) {
    const Parts parts = parts_for(op.cmd);
    const std::size_t nest = service_nest_size(op, parts);
    check_nest_size(op, nest);
    MsgPtr msg = new_request(family, op.cmd, 0, NLMSG_ALIGN(kMsgOverhead + nest));
    put_service(msg.get(), SVCNAT_A_SERVICE, op, parts);
    return msg;
}

MsgPtr build_get_request(int family, const ServiceKey& key) {
    const Op op{SVCNAT_CMD_SERVICE_GET,
                Service{.proto = key.proto, .addr = key.addr, .port = key.port}};
    const Parts parts{};  // the key only
    MsgPtr msg = new_request(family, SVCNAT_CMD_SERVICE_GET, 0,
                             NLMSG_ALIGN(kMsgOverhead + service_nest_size(op, parts)));
    put_service(msg.get(), SVCNAT_A_SERVICE, op, parts);
    return msg;
}

MsgPtr build_dump_request(int family) {
    return new_request(family, SVCNAT_CMD_SERVICE_GET, NLM_F_DUMP, kMsgOverhead);
}

MsgPtr build_txn_begin(int family) {
    return new_request(family, SVCNAT_CMD_TXN_BEGIN, 0, kMsgOverhead);
}

MsgPtr build_txn_end(int family, std::uint8_t cmd, std::uint32_t txn_id) {
    if (cmd != SVCNAT_CMD_TXN_COMMIT && cmd != SVCNAT_CMD_TXN_ABORT) {
        throw Error("not a transaction end command: " + cmd_name(cmd));
    }
    MsgPtr msg = new_request(family, cmd, 0, kMsgOverhead + attr_size(sizeof(txn_id)));
    check_put(nla_put_u32(msg.get(), SVCNAT_A_TXN_ID, txn_id));
    return msg;
}

TxnChunk build_txn_ops(int family, std::uint32_t txn_id, std::span<const Op> ops, std::size_t first,
                       std::size_t max_size) {
    if (first >= ops.size()) {
        throw Error("no ops left for a txn-ops message");
    }
    const std::size_t head = kMsgOverhead + attr_size(sizeof(txn_id));
    // Size the message for what will go in, but at least for the first op.
    std::size_t end = first;
    std::size_t size = head;
    for (; end < ops.size(); ++end) {
        const std::size_t op_size = op_size_bound(ops[end]);
        check_nest_size(ops[end], op_size);
        if (end > first && size + op_size > max_size) {
            break;
        }
        size += op_size;
    }

    MsgPtr msg = new_request(family, SVCNAT_CMD_TXN_OPS, 0, NLMSG_ALIGN(size));
    check_put(nla_put_u32(msg.get(), SVCNAT_A_TXN_ID, txn_id));
    for (std::size_t i = first; i < end; ++i) {
        const Op& op = ops[i];
        const Parts parts = parts_for(op.cmd);
        nlattr* nest = nest_start(msg.get(), SVCNAT_A_OP);
        check_put(nla_put_u32(msg.get(), SVCNAT_A_OP_CMD, op.cmd));
        put_service(msg.get(), SVCNAT_A_OP_SERVICE, op, parts);
        check_put(nla_nest_end(msg.get(), nest));
    }
    return {std::move(msg), end - first};
}

Service parse_service(const nlattr* nest) {
    Service svc;
    bool have_proto = false;
    bool have_addr = false;
    bool have_port = false;
    for_each_nested(nest, [&](const nlattr* nla) {
        switch (nla_type(nla)) {
            case SVCNAT_A_SERVICE_PROTO:
                need_len(nla, sizeof(std::uint8_t), false, "protocol");
                svc.proto = static_cast<Proto>(nla_get_u8(nla));
                have_proto = true;
                break;
            case SVCNAT_A_SERVICE_ADDR_IPV4:
            case SVCNAT_A_SERVICE_ADDR_IPV6:
                svc.addr = get_addr(nla, nla_type(nla) == SVCNAT_A_SERVICE_ADDR_IPV4);
                have_addr = true;
                break;
            case SVCNAT_A_SERVICE_PORT:
                svc.port = get_port(nla);
                have_port = true;
                break;
            case SVCNAT_A_SERVICE_NAME: {
                const auto* data = static_cast<const char*>(nla_data(nla));
                svc.name = std::string(data, strnlen(data, payload_len(nla)));
                break;
            }
            case SVCNAT_A_SERVICE_BACKEND:
                svc.backends.push_back(parse_backend(nla));
                break;
            case SVCNAT_A_SERVICE_BACKEND_COUNT:
                svc.backend_count = get_u32(nla, "backend count");
                break;
            case SVCNAT_A_SERVICE_NODE_PORT:
                svc.node_port = get_port(nla);
                break;
            case SVCNAT_A_SERVICE_EXTERNAL_IP:
                svc.external_ips.push_back(parse_prefix(nla).addr);
                break;
            case SVCNAT_A_SERVICE_LB_IP:
                svc.lb_ips.push_back(parse_prefix(nla).addr);
                break;
            case SVCNAT_A_SERVICE_SOURCE_RANGE:
                svc.source_ranges.push_back(parse_prefix(nla));
                break;
            case SVCNAT_A_SERVICE_EXT_POLICY:
                svc.ext_policy = get_u32(nla, "external policy");
                break;
            case SVCNAT_A_SERVICE_INT_POLICY:
                svc.int_policy = get_u32(nla, "internal policy");
                break;
            case SVCNAT_A_SERVICE_STATS:
                svc.stats = parse_stats(nla);
                break;
            case SVCNAT_A_SERVICE_AFFINITY:
                svc.affinity = get_u32(nla, "affinity");
                break;
            case SVCNAT_A_SERVICE_AFFINITY_TIMEOUT:
                svc.affinity_timeout = get_u32(nla, "affinity timeout");
                break;
            case SVCNAT_A_SERVICE_SCHEDULER:
                svc.scheduler = get_u32(nla, "scheduler");
                break;
            case SVCNAT_A_SERVICE_MAGLEV_SIZE:
                svc.maglev_size = get_u32(nla, "maglev size");
                break;
            case SVCNAT_A_SERVICE_HASH:
                svc.hash = get_u32(nla, "hash");
                break;
            case SVCNAT_A_SERVICE_FLUSH_CONNS:
                svc.flush_conns = true;
                break;
            case SVCNAT_A_SERVICE_AFFINITY_ENTRY:
                svc.affinity_entries.push_back(parse_affinity_entry(nla));
                break;
            default:
                break;  // newer kernel
        }
    });
    if (!have_proto || !have_addr || !have_port) {
        throw Error("malformed svcnat reply: service without protocol, address or port");
    }
    return svc;
}

Service parse_service_msg(const nlmsghdr* nlh) {
    std::optional<Service> svc;
    for_each_genl_attr(nlh, [&](const nlattr* nla) {
        if (nla_type(nla) == SVCNAT_A_SERVICE) {
            svc = parse_service(nla);
        }
    });
    if (!svc) {
        throw Error("malformed svcnat reply: no service attribute");
    }
    return std::move(*svc);
}

std::uint32_t parse_txn_id_msg(const nlmsghdr* nlh) {
    std::optional<std::uint32_t> txn_id;
    for_each_genl_attr(nlh, [&](const nlattr* nla) {
        if (nla_type(nla) == SVCNAT_A_TXN_ID) {
            txn_id = get_u32(nla, "transaction id");
        }
    });
    if (!txn_id) {
        throw Error("malformed svcnat reply: no transaction id");
    }
    return *txn_id;
}

MsgPtr build_config_get(int family) {
    return new_request(family, SVCNAT_CMD_CONFIG_GET, 0, kMsgOverhead);
}

MsgPtr build_config_set(int family, const NodeConfig& config) {
    const std::array<std::pair<int, const std::vector<Prefix>*>, 3> lists{{
        {SVCNAT_A_CONFIG_CLUSTER_CIDR, &config.cluster_cidrs},
        {SVCNAT_A_CONFIG_NODEPORT_CIDR, &config.nodeport_cidrs},
        {SVCNAT_A_CONFIG_SERVICE_CIDR, &config.service_cidrs},
    }};
    std::size_t size = kMsgOverhead + NLA_HDRLEN + attr_size(sizeof(std::uint8_t)) +
                       4 * attr_size(sizeof(std::uint32_t));
    for (const auto& [type, prefixes] : lists) {
        for (const Prefix& prefix : *prefixes) {
            size += prefix_size(prefix.addr, true);
        }
    }
    if (size > kAttrMax) {
        throw Error("node configuration too large for one netlink attribute");
    }
    MsgPtr msg = new_request(family, SVCNAT_CMD_CONFIG_SET, 0, NLMSG_ALIGN(size));
    nlattr* nest = nest_start(msg.get(), SVCNAT_A_CONFIG);
    for (const auto& [type, prefixes] : lists) {
        for (const Prefix& prefix : *prefixes) {
            put_prefix(msg.get(), type, prefix.addr, prefix.len);
        }
    }
    check_put(nla_put_u8(msg.get(), SVCNAT_A_CONFIG_MASQUERADE_ALL, config.masquerade_all ? 1 : 0));
    check_put(nla_put_u32(msg.get(), SVCNAT_A_CONFIG_MASQ_MARK, config.masq_mark));
    check_put(nla_put_u32(msg.get(), SVCNAT_A_CONFIG_MASQ_MODE, config.masq_mode));
    check_put(nla_put_u32(msg.get(), SVCNAT_A_CONFIG_UNKNOWN_PORT, config.unknown_port));
    check_put(nla_put_u32(msg.get(), SVCNAT_A_CONFIG_UNALLOCATED, config.unallocated));
    check_put(nla_nest_end(msg.get(), nest));
    return msg;
}

NodeConfig parse_config(const nlattr* nest) {
    NodeConfig config;
    for_each_nested(nest, [&](const nlattr* nla) {
        switch (nla_type(nla)) {
            case SVCNAT_A_CONFIG_CLUSTER_CIDR:
                config.cluster_cidrs.push_back(parse_prefix(nla));
                break;
            case SVCNAT_A_CONFIG_NODEPORT_CIDR:
                config.nodeport_cidrs.push_back(parse_prefix(nla));
                break;
            case SVCNAT_A_CONFIG_SERVICE_CIDR:
                config.service_cidrs.push_back(parse_prefix(nla));
                break;
            case SVCNAT_A_CONFIG_MASQUERADE_ALL:
                config.masquerade_all = get_u8(nla, "masquerade-all") != 0;
                break;
            case SVCNAT_A_CONFIG_MASQ_MARK:
                config.masq_mark = get_u32(nla, "masq-mark");
                break;
            case SVCNAT_A_CONFIG_MASQ_MODE:
                config.masq_mode = get_u32(nla, "masq-mode");
                break;
            case SVCNAT_A_CONFIG_UNKNOWN_PORT:
                config.unknown_port = get_u32(nla, "unknown-port");
                break;
            case SVCNAT_A_CONFIG_UNALLOCATED:
                config.unallocated = get_u32(nla, "unallocated");
                break;
            case SVCNAT_A_CONFIG_STATS:
                config.stats = parse_stats(nla);
                break;
            default:
                break;  // newer kernel
        }
    });
    return config;
}

NodeConfig parse_config_msg(const nlmsghdr* nlh) {
    std::optional<NodeConfig> config;
    for_each_genl_attr(nlh, [&](const nlattr* nla) {
        if (nla_type(nla) == SVCNAT_A_CONFIG) {
            config = parse_config(nla);
        }
    });
    if (!config) {
        throw Error("malformed svcnat reply: no config attribute");
    }
    return std::move(*config);
}

MsgPtr build_affinity_request(int family, const ServiceKey& key) {
    const Op op{SVCNAT_CMD_AFFINITY_GET,
                Service{.proto = key.proto, .addr = key.addr, .port = key.port}};
    const Parts parts{};  // the key only
    MsgPtr msg = new_request(family, SVCNAT_CMD_AFFINITY_GET, NLM_F_DUMP,
                             NLMSG_ALIGN(kMsgOverhead + service_nest_size(op, parts)));
    put_service(msg.get(), SVCNAT_A_SERVICE, op, parts);
    return msg;
}

std::vector<AffinityEntry> merge_affinity_dump(const ServiceKey& key,
                                               std::vector<Service>&& parts) {
    std::vector<AffinityEntry> entries;
    for (Service& part : parts) {
        if (part.key() != key) {
            throw Error("inconsistent affinity dump: got entries of " + proto_name(part.proto) +
                        " " + format_endpoint(part.addr, part.port));
        }
        entries.insert(entries.end(), std::make_move_iterator(part.affinity_entries.begin()),
                       std::make_move_iterator(part.affinity_entries.end()));
    }
    // A client has one entry; an entry seen twice (moved during the dump) counts once.
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const AffinityEntry& a, const AffinityEntry& b) { return a.client < b.client; });
    const auto dup = std::unique(
        entries.begin(), entries.end(),
        [](const AffinityEntry& a, const AffinityEntry& b) { return a.client == b.client; });
    entries.erase(dup, entries.end());
    return entries;
}

MsgPtr build_trace_request(int family, const TraceRequest& req, bool ack) {
    const std::size_t size = kMsgOverhead + NLA_HDRLEN + attr_size(sizeof(std::uint8_t)) +
                             addr_size(req.src) + addr_size(req.dst) +
                             2 * attr_size(sizeof(std::uint16_t)) +
                             attr_size(sizeof(std::uint32_t)) + attr_size(0);
    MsgPtr msg = new_request(family, SVCNAT_CMD_TRACE, 0, NLMSG_ALIGN(size));
    if (!ack) {
        nlmsghdr* nlh = nlmsg_hdr(msg.get());
        nlh->nlmsg_flags = static_cast<std::uint16_t>(nlh->nlmsg_flags & ~NLM_F_ACK);
    }
    nlattr* nest = nest_start(msg.get(), SVCNAT_A_TRACE);
    check_put(nla_put_u8(msg.get(), SVCNAT_A_TRACE_PROTO, static_cast<std::uint8_t>(req.proto)));
    put_addr(msg.get(), SVCNAT_A_TRACE_SRC_IPV4, SVCNAT_A_TRACE_SRC_IPV6, req.src);
    if (req.src_port) {
        check_put(nla_put_u16(msg.get(), SVCNAT_A_TRACE_SRC_PORT, htons(*req.src_port)));
    }
    put_addr(msg.get(), SVCNAT_A_TRACE_DST_IPV4, SVCNAT_A_TRACE_DST_IPV6, req.dst);
    check_put(nla_put_u16(msg.get(), SVCNAT_A_TRACE_DST_PORT, htons(req.dst_port)));
    if (req.origin) {
        check_put(nla_put_u32(msg.get(), SVCNAT_A_TRACE_ORIGIN, *req.origin));
    }
    if (req.choose) {
        check_put(nla_put_flag(msg.get(), SVCNAT_A_TRACE_CHOOSE));
    }
    check_put(nla_nest_end(msg.get(), nest));
    return msg;
}

TraceReply parse_trace(const nlattr* nest) {
    TraceReply reply;
    bool have_verdict = false;
    for_each_nested(nest, [&](const nlattr* nla) {
        switch (nla_type(nla)) {
            case SVCNAT_A_TRACE_VERDICT:
                reply.verdict = get_u32(nla, "verdict");
                have_verdict = true;
                break;
            case SVCNAT_A_TRACE_REASON:
                reply.reason = get_u32(nla, "reason");
                break;
            case SVCNAT_A_TRACE_ORIGIN:
                reply.origin = get_u32(nla, "origin");
                break;
            case SVCNAT_A_TRACE_FRONTEND:
                reply.frontend = get_u32(nla, "frontend");
                break;
            case SVCNAT_A_TRACE_SERVICE:
                reply.service = parse_service(nla);
                break;
            case SVCNAT_A_TRACE_ENDPOINT_SET:
                reply.endpoint_set = get_u32(nla, "endpoint set");
                break;
            case SVCNAT_A_TRACE_CANDIDATE:
                reply.candidates.push_back(parse_backend(nla));
                break;
            case SVCNAT_A_TRACE_BACKEND:
                reply.backend = parse_backend(nla);
                break;
            case SVCNAT_A_TRACE_MASQUERADE:
                reply.masquerade = get_u8(nla, "masquerade") != 0;
                break;
            case SVCNAT_A_TRACE_MASQ_REASON:
                reply.masq_reason = get_u32(nla, "masquerade reason");
                break;
            case SVCNAT_A_TRACE_HAIRPIN:
                reply.hairpin = get_u8(nla, "hairpin") != 0;
                break;
            case SVCNAT_A_TRACE_AFFINITY:
                reply.affinity = get_u8(nla, "affinity") != 0;
                break;
            case SVCNAT_A_TRACE_SCHEDULER:
                reply.scheduler = get_u32(nla, "scheduler");
                break;
            default:
                break;  // the request's attributes, newer kernel
        }
    });
    if (!have_verdict) {
        throw Error("malformed svcnat reply: trace without verdict");
    }
    return reply;
}

TraceReply parse_trace_msg(const nlmsghdr* nlh) {
    std::optional<TraceReply> reply;
    for_each_genl_attr(nlh, [&](const nlattr* nla) {
        if (nla_type(nla) == SVCNAT_A_TRACE) {
            reply = parse_trace(nla);
        }
    });
    if (!reply) {
        throw Error("malformed svcnat reply: no trace attribute");
    }
    return std::move(*reply);
}

std::vector<Service> merge_dump(std::vector<Service>&& parts) {
    std::vector<Service> services;
    std::set<ServiceKey> seen;
    for (Service& part : parts) {
        const ServiceKey key = part.key();
        const std::string what = proto_name(key.proto) + " " + format_endpoint(key.addr, key.port);
        if (!services.empty() && services.back().key() == key) {
            Service& svc = services.back();
            if (svc.backend_count != part.backend_count) {
                throw Error("inconsistent dump: backend count of " + what + " changed");
            }
            svc.backends.insert(svc.backends.end(), std::make_move_iterator(part.backends.begin()),
                                std::make_move_iterator(part.backends.end()));
            continue;
        }
        if (!seen.insert(key).second) {
            throw Error("inconsistent dump: " + what + " appeared twice");
        }
        services.push_back(std::move(part));
    }
    for (const Service& svc : services) {
        if (svc.backend_count && *svc.backend_count != svc.backends.size()) {
            throw Error("inconsistent dump: " + proto_name(svc.proto) + " " +
                        format_endpoint(svc.addr, svc.port) + " has " +
                        std::to_string(*svc.backend_count) + " backends but " +
                        std::to_string(svc.backends.size()) + " were received");
        }
    }
    return services;
}

}  // namespace svcnl
