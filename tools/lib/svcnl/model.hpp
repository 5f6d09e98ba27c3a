// SPDX-License-Identifier: GPL-2.0-only
// The svcnat data model as userspace sees it: services, backends and the operations
// that change them. Plain values, independent of netlink.
#pragma once

#include <linux/svcnat.h>
#include <netinet/in.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace svcnl {

// IP protocol number of a service. Values other than the named ones can come from a newer
// kernel and are kept as they are.
enum class Proto : std::uint8_t {
    tcp = IPPROTO_TCP,
    udp = IPPROTO_UDP,
    sctp = IPPROTO_SCTP,
};

// "tcp", "udp", "sctp", or "proto N" for anything else.
std::string proto_name(Proto proto);

class Address {
public:
    enum class Family : std::uint8_t { ipv4, ipv6 };

    Address() = default;
    static Address ipv4(const std::array<std::uint8_t, 4>& bytes);
    static Address ipv6(const std::array<std::uint8_t, 16>& bytes);
    // Parses a bare dotted-quad IPv4 or an IPv6 address (no brackets, no zone).
    static std::optional<Address> parse(std::string_view text);

    [[nodiscard]] Family family() const { return family_; }
    [[nodiscard]] bool is_ipv4() const { return family_ == Family::ipv4; }
    // Network byte order; 4 bytes for IPv4, 16 for IPv6.
    [[nodiscard]] const std::uint8_t* data() const { return bytes_.data(); }
    [[nodiscard]] std::size_t size() const { return is_ipv4() ? 4 : 16; }
    [[nodiscard]] std::string to_string() const;

    // IPv4 sorts before IPv6, then numerically.
    // NOLINTNEXTLINE(modernize-use-nullptr): false positive on defaulted <=> (clang-tidy 14)
    auto operator<=>(const Address&) const = default;

private:
    Family family_ = Family::ipv4;
    std::array<std::uint8_t, 16> bytes_{};
};

// "10.0.0.1:80" or "[fd00::1]:80".
std::string format_endpoint(const Address& addr, std::uint16_t port);

inline constexpr std::uint32_t kDefaultWeight = 1;
inline constexpr std::uint32_t kDefaultFlags =
    SVCNAT_BACKEND_FLAGS_READY | SVCNAT_BACKEND_FLAGS_SERVING;
inline constexpr std::uint32_t kKnownFlags =
    SVCNAT_BACKEND_FLAGS_READY | SVCNAT_BACKEND_FLAGS_SERVING | SVCNAT_BACKEND_FLAGS_TERMINATING |
    SVCNAT_BACKEND_FLAGS_LOCAL;
inline constexpr std::size_t kNameMax = SVCNAT_NAME_LEN - 1;

struct Backend {
    Address addr{};
    std::uint16_t port = 0;  // host byte order
    // Absent in a request: the kernel default (creation) or unchanged (backend-set).
    // Always present in what the parsers return.
    std::optional<std::uint32_t> weight{};
    std::optional<std::uint32_t> flags{};  // SVCNAT_BACKEND_FLAGS_*

    [[nodiscard]] std::uint32_t weight_or_default() const {
        return weight.value_or(kDefaultWeight);
    }
    [[nodiscard]] std::uint32_t flags_or_default() const { return flags.value_or(kDefaultFlags); }

    bool operator==(const Backend&) const = default;
};

// An address with a prefix length: a CIDR, or a single address (full length).
struct Prefix {
    Address addr{};
    std::uint8_t len = 32;

    // The full length for the address family: 32 or 128.
    [[nodiscard]] static std::uint8_t full_len(const Address& addr) {
        return addr.is_ipv4() ? 32 : 128;
    }
    static Prefix host(const Address& addr) { return {addr, full_len(addr)}; }
    // "10.244.0.0/16"; always with the length.
    [[nodiscard]] std::string to_string() const;

    // NOLINTNEXTLINE(modernize-use-nullptr): false positive on defaulted <=> (clang-tidy 14)
    auto operator<=>(const Prefix&) const = default;
};

// Counters the kernel keeps per service (the first five) and per network namespace (the
// last two). Counters a reply does not carry are 0.
struct Stats {
    std::uint64_t conns = 0;
    std::uint64_t masqueraded = 0;
    std::uint64_t rejected_no_endpoints = 0;
    std::uint64_t dropped_no_local = 0;
    std::uint64_t dropped_source_range = 0;
    std::uint64_t rejected_unknown_port = 0;
    std::uint64_t dropped_unallocated = 0;

    bool operator==(const Stats&) const = default;
};

// The names of the values of the spec's enums, indexed by value: the strings svcadm prints
// and accepts.
using EnumNames = std::span<const std::string_view>;
inline constexpr std::array<std::string_view, 2> kTrafficPolicyNames{"cluster", "local"};
inline constexpr std::array<std::string_view, 2> kMasqModeNames{"snat", "mark"};
inline constexpr std::array<std::string_view, 2> kUnknownPortNames{"accept", "reject"};
inline constexpr std::array<std::string_view, 2> kUnallocatedNames{"accept", "drop"};
inline constexpr std::array<std::string_view, 3> kOriginNames{"pod", "node", "other"};
inline constexpr std::array<std::string_view, 4> kFrontendNames{"cluster-ip", "node-port",
                                                                "external-ip", "lb-ip"};
inline constexpr std::array<std::string_view, 4> kVerdictNames{"accept", "dnat", "reject", "drop"};
inline constexpr std::array<std::string_view, 7> kReasonNames{
    "no-service",   "endpoint",     "no-endpoints", "no-local-endpoints",
    "source-range", "unknown-port", "unallocated"};
inline constexpr std::array<std::string_view, 3> kEndpointSetNames{"none", "cluster", "local"};
inline constexpr std::array<std::string_view, 6> kMasqReasonNames{
    "none", "not-pod-source", "masquerade-all", "external-cluster", "node-local", "hairpin"};
// svcadm's spelling of the affinity enum: Kubernetes' ClientIP, lower-cased (the spec's
// client-ip is accepted on input too).
inline constexpr std::array<std::string_view, 2> kAffinityNames{"none", "clientip"};
inline constexpr std::array<std::string_view, 3> kSchedulerNames{"random", "rr", "maglev"};
inline constexpr std::array<std::string_view, 2> kHashNames{"src", "flow"};

static_assert(kTrafficPolicyNames.size() == SVCNAT_TRAFFIC_POLICY_LOCAL + 1);
static_assert(kMasqModeNames.size() == SVCNAT_MASQ_MODE_MARK + 1);
static_assert(kUnknownPortNames.size() == SVCNAT_UNKNOWN_PORT_REJECT + 1);
static_assert(kUnallocatedNames.size() == SVCNAT_UNALLOCATED_DROP + 1);
static_assert(kOriginNames.size() == SVCNAT_ORIGIN_OTHER + 1);
static_assert(kFrontendNames.size() == SVCNAT_FRONTEND_LB_IP + 1);
static_assert(kVerdictNames.size() == SVCNAT_VERDICT_DROP + 1);
static_assert(kReasonNames.size() == SVCNAT_REASON_UNALLOCATED + 1);
static_assert(kEndpointSetNames.size() == SVCNAT_ENDPOINT_SET_LOCAL + 1);
static_assert(kMasqReasonNames.size() == SVCNAT_MASQ_REASON_HAIRPIN + 1);
static_assert(kAffinityNames.size() == SVCNAT_AFFINITY_CLIENT_IP + 1);
static_assert(kSchedulerNames.size() == SVCNAT_SCHEDULER_MAGLEV + 1);
static_assert(kHashNames.size() == SVCNAT_HASH_FLOW + 1);

inline constexpr std::uint32_t kAffinityTimeoutDefault = SVCNAT_AFFINITY_TIMEOUT_DEFAULT;
inline constexpr std::uint32_t kAffinityTimeoutMax = SVCNAT_AFFINITY_TIMEOUT_MAX;
inline constexpr std::uint32_t kMaglevSizeMin = 7;
inline constexpr std::uint32_t kMaglevSizeMax = SVCNAT_MAGLEV_SIZE_MAX;

// The name of `value`, or its decimal number for a value the table does not have (a newer
// kernel).
std::string enum_name(EnumNames names, std::uint32_t value);
// The value named `name` (exact match), or nullopt.
std::optional<std::uint32_t> enum_value(EnumNames names, std::string_view name);

// The identity of a service.
struct ServiceKey {
    Proto proto = Proto::tcp;
    Address addr{};
    std::uint16_t port = 0;  // host byte order

    // NOLINTNEXTLINE(modernize-use-nullptr): false positive on defaulted <=> (clang-tidy 14)
    auto operator<=>(const ServiceKey&) const = default;
};

// A live ClientIP affinity entry of a service (affinity-get): new connections from
// `client` go to `backend` (address and port only) for another `expires_ms` milliseconds.
struct AffinityEntry {
    Address client{};
    Backend backend{};
    std::uint32_t expires_ms = 0;

    bool operator==(const AffinityEntry&) const = default;
};

struct Service {
    Proto proto = Proto::tcp;
    Address addr{};
    std::uint16_t port = 0;  // host byte order
    std::optional<std::string> name{};
    std::vector<Backend> backends{};
    // Replies only: how many backends the kernel says the service has.
    std::optional<std::uint32_t> backend_count{};
    // Frontends besides the cluster IP: the NodePort, externalIPs and load-balancer IPs
    // (all on `port`), and the load-balancer source ranges.
    std::optional<std::uint16_t> node_port{};  // host byte order
    std::vector<Address> external_ips{};
    std::vector<Address> lb_ips{};
    std::vector<Prefix> source_ranges{};
    // SVCNAT_TRAFFIC_POLICY_*: externalTrafficPolicy and internalTrafficPolicy.
    std::uint32_t ext_policy = SVCNAT_TRAFFIC_POLICY_CLUSTER;
    std::uint32_t int_policy = SVCNAT_TRAFFIC_POLICY_CLUSTER;
    // SVCNAT_AFFINITY_*, and the timeout in seconds (only with client-ip; absent: the
    // kernel default, kAffinityTimeoutDefault).
    std::uint32_t affinity = SVCNAT_AFFINITY_NONE;
    std::optional<std::uint32_t> affinity_timeout{};
    // SVCNAT_SCHEDULER_*; the maglev table size and hash (SVCNAT_HASH_*) only with maglev
    // (absent: automatic size, hash src).
    std::uint32_t scheduler = SVCNAT_SCHEDULER_RANDOM;
    std::optional<std::uint32_t> maglev_size{};
    std::optional<std::uint32_t> hash{};
    // backend-del, backend-set, backend-replace: also delete the TCP conntrack entries to
    // the backends that stop being candidates.
    bool flush_conns = false;
    // Replies only.
    std::optional<Stats> stats{};
    // affinity-get replies only.
    std::vector<AffinityEntry> affinity_entries{};

    [[nodiscard]] ServiceKey key() const { return {proto, addr, port}; }
    bool operator==(const Service&) const = default;
};

// The node configuration of a network namespace (config-set replaces all of it).
struct NodeConfig {
    std::vector<Prefix> cluster_cidrs{};
    std::vector<Prefix> nodeport_cidrs{};
    std::vector<Prefix> service_cidrs{};
    bool masquerade_all = false;
    std::uint32_t masq_mark = SVCNAT_MASQ_MARK_DEFAULT;
    std::uint32_t masq_mode = SVCNAT_MASQ_MODE_SNAT;
    std::uint32_t unknown_port = SVCNAT_UNKNOWN_PORT_ACCEPT;
    std::uint32_t unallocated = SVCNAT_UNALLOCATED_ACCEPT;
    // Replies only: the node-wide counters.
    std::optional<Stats> stats{};

    // Everything but the counters equals a default NodeConfig.
    [[nodiscard]] bool is_default() const;
    bool operator==(const NodeConfig&) const = default;
};

// A synthetic first packet for the trace command.
struct TraceRequest {
    Proto proto = Proto::tcp;
    Address src{};
    std::optional<std::uint16_t> src_port{};  // absent: the kernel's default (40000)
    Address dst{};
    std::uint16_t dst_port = 0;
    std::optional<std::uint32_t> origin{};  // SVCNAT_ORIGIN_*; absent: decided by the source
    // Choose a backend as a packet would, even when the choice is not deterministic.
    bool choose = false;
};

// What svcnat would do with that packet. Values the reply does not carry keep the defaults
// below.
struct TraceReply {
    std::uint32_t verdict = SVCNAT_VERDICT_ACCEPT;
    std::uint32_t reason = SVCNAT_REASON_NO_SERVICE;
    std::optional<std::uint32_t> origin{};
    std::optional<std::uint32_t> frontend{};
    std::optional<Service> service{};  // key and name only
    std::uint32_t endpoint_set = SVCNAT_ENDPOINT_SET_NONE;
    std::vector<Backend> candidates{};
    std::optional<Backend> backend{};  // when the choice is deterministic, or chosen
    bool masquerade = false;
    std::uint32_t masq_reason = SVCNAT_MASQ_REASON_NONE;
    bool hairpin = false;
    bool affinity = false;                     // the backend comes from an affinity entry
    std::optional<std::uint32_t> scheduler{};  // SVCNAT_SCHEDULER_* of the matched service

    bool operator==(const TraceReply&) const = default;
};

// One configuration change: a mutating SVCNAT_CMD_* and its argument. Which parts of
// `service` are sent depends on the command (see message.hpp).
struct Op {
    std::uint8_t cmd = SVCNAT_CMD_FLUSH;
    Service service{};

    bool operator==(const Op&) const = default;
};

// True for the commands that may appear in a transaction.
bool is_mutating_cmd(std::uint32_t cmd);

// "service-new", "backend-set", ... (the YAML spec's names); "cmd N" if unknown.
std::string cmd_name(std::uint32_t cmd);

// Orders services by address, port, then protocol, each service's backends by address and
// port, and its external IPs, load-balancer IPs and source ranges, so every listing of the
// same configuration is identical.
void sort_services(std::vector<Service>& services);

}  // namespace svcnl
