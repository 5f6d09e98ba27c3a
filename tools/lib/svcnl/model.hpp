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

// The identity of a service.
struct ServiceKey {
    Proto proto = Proto::tcp;
    Address addr{};
    std::uint16_t port = 0;  // host byte order

    // NOLINTNEXTLINE(modernize-use-nullptr): false positive on defaulted <=> (clang-tidy 14)
    auto operator<=>(const ServiceKey&) const = default;
};

struct Service {
    Proto proto = Proto::tcp;
    Address addr{};
    std::uint16_t port = 0;  // host byte order
    std::optional<std::string> name{};
    std::vector<Backend> backends{};
    // Replies only: how many backends the kernel says the service has.
    std::optional<std::uint32_t> backend_count{};

    [[nodiscard]] ServiceKey key() const { return {proto, addr, port}; }
    bool operator==(const Service&) const = default;
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

// Orders services by address, port, then protocol, and each service's backends by
// address and port, so every listing of the same configuration is identical.
void sort_services(std::vector<Service>& services);

}  // namespace svcnl
