// SPDX-License-Identifier: GPL-2.0-only
#include "svcnl/error.hpp"

#include <linux/genetlink.h>
#include <linux/svcnat.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <span>

namespace svcnl {

FamilyNotFound::FamilyNotFound()
    : Error("svcnat kernel module not loaded (family " SVCNAT_FAMILY_NAME " not found)") {}

namespace {

// Reads the extended ACK attributes in [begin, begin + len).
void parse_ack_tlvs(const unsigned char* begin, int len, AckInfo& info) {
    const auto* nla = reinterpret_cast<const nlattr*>(begin);
    for (int rem = len; nla_ok(nla, rem) != 0; nla = nla_next(nla, &rem)) {
        const int type = nla_type(nla);
        const auto payload = static_cast<std::size_t>(nla_len(nla));
        const auto* data = static_cast<const char*>(nla_data(nla));
        switch (type) {
            case NLMSGERR_ATTR_MSG:
                info.message.assign(data, strnlen(data, payload));
                break;
            case NLMSGERR_ATTR_MISS_TYPE:
                if (payload >= sizeof(std::uint32_t)) {
                    info.miss_type = nla_get_u32(nla);
                }
                break;
            case NLMSGERR_ATTR_MISS_NEST:
                if (payload >= sizeof(std::uint32_t)) {
                    info.miss_nest = nla_get_u32(nla);
                }
                break;
            case NLMSGERR_ATTR_OFFS:
                if (payload >= sizeof(std::uint32_t)) {
                    info.offset = nla_get_u32(nla);
                }
                break;
            case NLMSGERR_ATTR_COOKIE:
                if (payload == sizeof(std::uint32_t)) {
                    info.cookie = nla_get_u32(nla);
                }
                break;
            default:
                break;
        }
    }
}

const unsigned char* msg_bytes(const nlmsghdr* nlh) {
    return reinterpret_cast<const unsigned char*>(nlh);
}

}  // namespace

AckInfo parse_error_msg(const nlmsghdr* nlh) {
    AckInfo info;
    const std::size_t total = nlh->nlmsg_len;
    if (total < NLMSG_HDRLEN + sizeof(int)) {
        info.error = -EPROTO;
        return info;
    }
    const auto* err = static_cast<const nlmsgerr*>(nlmsg_data(nlh));
    info.error = err->error;
    if (total < NLMSG_HDRLEN + sizeof(nlmsgerr) || (nlh->nlmsg_flags & NLM_F_ACK_TLVS) == 0) {
        return info;
    }
    // The error header echoes the request's nlmsghdr; without NLM_F_CAPPED the rest of the
    // request follows it. The TLVs come after that.
    std::size_t tlv_off = NLMSG_HDRLEN + sizeof(nlmsgerr);
    if ((nlh->nlmsg_flags & NLM_F_CAPPED) == 0 && err->msg.nlmsg_len > NLMSG_HDRLEN) {
        tlv_off += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
    }
    if (tlv_off < total) {
        parse_ack_tlvs(msg_bytes(nlh) + tlv_off, static_cast<int>(total - tlv_off), info);
    }
    return info;
}

AckInfo parse_done_msg(const nlmsghdr* nlh) {
    AckInfo info;
    const std::size_t total = nlh->nlmsg_len;
    if (total < NLMSG_HDRLEN + sizeof(int)) {
        return info;  // old kernels send an empty NLMSG_DONE
    }
    std::memcpy(&info.error, nlmsg_data(nlh), sizeof(int));
    const std::size_t tlv_off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
    if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) != 0 && tlv_off < total) {
        parse_ack_tlvs(msg_bytes(nlh) + tlv_off, static_cast<int>(total - tlv_off), info);
    }
    return info;
}

namespace {

enum class AttrSet {
    svcnat,
    service,
    backend,
    op,
    prefix,
    stats,
    config,
    trace,
    affinity_entry,
    none
};

struct AttrInfo {
    const char* name;
    AttrSet nested;
};

std::span<const AttrInfo> attr_table(AttrSet set) {
    // Indexed by attribute type; index 0 is unused.
    static constexpr std::array<AttrInfo, 6> kSvcnat{{
        {"", AttrSet::none},
        {"service", AttrSet::service},
        {"txn-id", AttrSet::none},
        {"op", AttrSet::op},
        {"config", AttrSet::config},
        {"trace", AttrSet::trace},
    }};
    static constexpr std::array<AttrInfo, 22> kService{{
        {"", AttrSet::none},
        {"proto", AttrSet::none},
        {"addr-ipv4", AttrSet::none},
        {"addr-ipv6", AttrSet::none},
        {"port", AttrSet::none},
        {"name", AttrSet::none},
        {"backend", AttrSet::backend},
        {"backend-count", AttrSet::none},
        {"node-port", AttrSet::none},
        {"external-ip", AttrSet::prefix},
        {"lb-ip", AttrSet::prefix},
        {"source-range", AttrSet::prefix},
        {"ext-policy", AttrSet::none},
        {"int-policy", AttrSet::none},
        {"stats", AttrSet::stats},
        {"affinity", AttrSet::none},
        {"affinity-timeout", AttrSet::none},
        {"scheduler", AttrSet::none},
        {"maglev-size", AttrSet::none},
        {"hash", AttrSet::none},
        {"flush-conns", AttrSet::none},
        {"affinity-entry", AttrSet::affinity_entry},
    }};
    static constexpr std::array<AttrInfo, 5> kAffinityEntry{{
        {"", AttrSet::none},
        {"client-ipv4", AttrSet::none},
        {"client-ipv6", AttrSet::none},
        {"backend", AttrSet::backend},
        {"expires", AttrSet::none},
    }};
    static constexpr std::array<AttrInfo, 6> kBackend{{
        {"", AttrSet::none},
        {"addr-ipv4", AttrSet::none},
        {"addr-ipv6", AttrSet::none},
        {"port", AttrSet::none},
        {"weight", AttrSet::none},
        {"flags", AttrSet::none},
    }};
    static constexpr std::array<AttrInfo, 3> kOp{{
        {"", AttrSet::none},
        {"cmd", AttrSet::none},
        {"service", AttrSet::service},
    }};
    static constexpr std::array<AttrInfo, 4> kPrefix{{
        {"", AttrSet::none},
        {"addr-ipv4", AttrSet::none},
        {"addr-ipv6", AttrSet::none},
        {"len", AttrSet::none},
    }};
    static constexpr std::array<AttrInfo, 9> kStats{{
        {"", AttrSet::none},
        {"pad", AttrSet::none},
        {"conns", AttrSet::none},
        {"masqueraded", AttrSet::none},
        {"rejected-no-endpoints", AttrSet::none},
        {"dropped-no-local", AttrSet::none},
        {"dropped-source-range", AttrSet::none},
        {"rejected-unknown-port", AttrSet::none},
        {"dropped-unallocated", AttrSet::none},
    }};
    static constexpr std::array<AttrInfo, 10> kConfig{{
        {"", AttrSet::none},
        {"cluster-cidr", AttrSet::prefix},
        {"nodeport-cidr", AttrSet::prefix},
        {"service-cidr", AttrSet::prefix},
        {"masquerade-all", AttrSet::none},
        {"masq-mark", AttrSet::none},
        {"masq-mode", AttrSet::none},
        {"unknown-port", AttrSet::none},
        {"unallocated", AttrSet::none},
        {"stats", AttrSet::stats},
    }};
    static constexpr std::array<AttrInfo, 22> kTrace{{
        {"", AttrSet::none},
        {"proto", AttrSet::none},
        {"src-ipv4", AttrSet::none},
        {"src-ipv6", AttrSet::none},
        {"src-port", AttrSet::none},
        {"dst-ipv4", AttrSet::none},
        {"dst-ipv6", AttrSet::none},
        {"dst-port", AttrSet::none},
        {"origin", AttrSet::none},
        {"verdict", AttrSet::none},
        {"reason", AttrSet::none},
        {"frontend", AttrSet::none},
        {"service", AttrSet::service},
        {"endpoint-set", AttrSet::none},
        {"candidate", AttrSet::backend},
        {"backend", AttrSet::backend},
        {"masquerade", AttrSet::none},
        {"masq-reason", AttrSet::none},
        {"hairpin", AttrSet::none},
        {"choose", AttrSet::none},
        {"affinity", AttrSet::none},
        {"scheduler", AttrSet::none},
    }};
    static_assert(kSvcnat.size() == SVCNAT_A_MAX + 1);
    static_assert(kPrefix.size() == SVCNAT_A_PREFIX_MAX + 1);
    static_assert(kStats.size() == SVCNAT_A_STATS_MAX + 1);
    static_assert(kConfig.size() == SVCNAT_A_CONFIG_MAX + 1);
    static_assert(kTrace.size() == SVCNAT_A_TRACE_MAX + 1);
    static_assert(kService.size() == SVCNAT_A_SERVICE_MAX + 1);
    static_assert(kBackend.size() == SVCNAT_A_BACKEND_MAX + 1);
    static_assert(kOp.size() == SVCNAT_A_OP_MAX + 1);
    static_assert(kAffinityEntry.size() == SVCNAT_A_AFFINITY_ENTRY_MAX + 1);
    switch (set) {
        case AttrSet::svcnat:
            return kSvcnat;
        case AttrSet::service:
            return kService;
        case AttrSet::backend:
            return kBackend;
        case AttrSet::op:
            return kOp;
        case AttrSet::prefix:
            return kPrefix;
        case AttrSet::stats:
            return kStats;
        case AttrSet::config:
            return kConfig;
        case AttrSet::trace:
            return kTrace;
        case AttrSet::affinity_entry:
            return kAffinityEntry;
        case AttrSet::none:
            break;
    }
    return {};
}

const char* set_name(AttrSet set) {
    switch (set) {
        case AttrSet::svcnat:
            return "svcnat";
        case AttrSet::service:
            return "service";
        case AttrSet::backend:
            return "backend";
        case AttrSet::op:
            return "op";
        case AttrSet::prefix:
            return "prefix";
        case AttrSet::stats:
            return "stats";
        case AttrSet::config:
            return "config";
        case AttrSet::trace:
            return "trace";
        case AttrSet::affinity_entry:
            return "affinity-entry";
        case AttrSet::none:
            break;
    }
    return "?";
}

// Finds which attribute set the nest starting at byte `target` of the message uses.
std::optional<AttrSet> find_nest(const unsigned char* base, std::size_t off, int len, AttrSet set,
                                 std::size_t target) {
    const auto* nla = reinterpret_cast<const nlattr*>(base + off);
    for (int rem = len; nla_ok(nla, rem) != 0; nla = nla_next(nla, &rem)) {
        const auto table = attr_table(set);
        const auto type = static_cast<std::size_t>(nla_type(nla));
        const AttrSet nested = type < table.size() ? table[type].nested : AttrSet::none;
        const auto* nla_begin = reinterpret_cast<const unsigned char*>(nla);
        const auto nla_off = static_cast<std::size_t>(nla_begin - base);
        if (nla_off == target) {
            return nested;
        }
        if (nested != AttrSet::none && target > nla_off && target < nla_off + nla->nla_len) {
            return find_nest(base, nla_off + NLA_HDRLEN, nla_len(nla), nested, target);
        }
    }
    return std::nullopt;
}

}  // namespace

std::string describe_missing(const nlmsghdr* request, std::uint32_t type,
                             std::optional<std::uint32_t> nest_offset) {
    std::optional<AttrSet> set = AttrSet::svcnat;
    if (nest_offset) {
        set.reset();
        constexpr std::size_t kAttrOff = NLMSG_HDRLEN + GENL_HDRLEN;
        if (request != nullptr && request->nlmsg_len > kAttrOff) {
            set = find_nest(msg_bytes(request), kAttrOff,
                            static_cast<int>(request->nlmsg_len - kAttrOff), AttrSet::svcnat,
                            *nest_offset);
        }
    }
    const auto table = set ? attr_table(*set) : std::span<const AttrInfo>{};
    if (type == 0 || type >= table.size()) {
        std::string text = "missing attribute type " + std::to_string(type);
        if (nest_offset) {
            text += " in the nest at offset " + std::to_string(*nest_offset);
        }
        return text;
    }
    std::string text = std::string("missing attribute ") + table[type].name;
    if (*set != AttrSet::svcnat) {
        text += std::string(" in ") + set_name(*set);
    }
    return text;
}

std::optional<OpPrefix> split_op_prefix(std::string_view message) {
    constexpr std::string_view kOp = "op ";
    std::size_t pos = 0;
    if (!message.starts_with(kOp)) {
        // "svcnat: op N: ..." (a module prefix without spaces in it)
        const std::size_t colon = message.find(": ");
        if (colon == std::string_view::npos || colon == 0 ||
            message.substr(0, colon).find(' ') != std::string_view::npos ||
            !message.substr(colon + 2).starts_with(kOp)) {
            return std::nullopt;
        }
        pos = colon + 2;
    }
    pos += kOp.size();
    std::size_t index = 0;
    const char* first = message.data() + pos;
    const char* last = message.data() + message.size();
    const auto [end, ec] = std::from_chars(first, last, index);
    if (ec != std::errc{} || end == first || end == last || *end != ':') {
        return std::nullopt;
    }
    std::size_t rest = static_cast<std::size_t>(end - message.data()) + 1;
    while (rest < message.size() && message[rest] == ' ') {
        ++rest;
    }
    return OpPrefix{index, rest};
}

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

namespace {

std::string compose(const std::string& detail, const std::string& missing, int error) {
    std::string text = detail;
    if (!missing.empty()) {
        text += text.empty() ? missing : ", " + missing;
    }
    std::string reason = std::strerror(error);
    if (error == EPERM && text.empty()) {
        reason += " (CAP_NET_ADMIN is required)";
    }
    if (text.empty()) {
        return reason;
    }
    return one_line(text) + " (" + reason + ")";
}

// what(): the message as the kernel sent it, with "op N: " in front if the op index came
// separately.
std::string compose_with_op(const std::string& message, const std::string& missing, int error,
                            std::optional<std::size_t> op_index) {
    std::string text = compose(message, missing, error);
    if (!op_index || split_op_prefix(message)) {
        return text;
    }
    return "op " + std::to_string(*op_index) + ": " + text;
}

}  // namespace

KernelError::KernelError(int error, std::string message, std::string missing,
                         std::optional<std::size_t> op_index)
    : Error(compose_with_op(message, missing, error, op_index)),
      error_(error),
      message_(std::move(message)),
      missing_(std::move(missing)),
      op_index_(op_index) {
    if (const auto prefix = split_op_prefix(message_)) {
        if (!op_index_) {
            op_index_ = prefix->index;
        }
        detail_ = message_.substr(prefix->rest);
    } else {
        detail_ = message_;
    }
}

std::string KernelError::describe_without_op() const {
    return compose(detail_, missing_, error_);
}

}  // namespace svcnl
