// SPDX-License-Identifier: GPL-2.0-only
#include "svcnl/model.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <tuple>

namespace svcnl {

std::string proto_name(Proto proto) {
    switch (proto) {
        case Proto::tcp:
            return "tcp";
        case Proto::udp:
            return "udp";
        case Proto::sctp:
            return "sctp";
    }
    return "proto " + std::to_string(static_cast<unsigned>(proto));
}

Address Address::ipv4(const std::array<std::uint8_t, 4>& bytes) {
    Address addr;
    addr.family_ = Family::ipv4;
    std::copy(bytes.begin(), bytes.end(), addr.bytes_.begin());
    return addr;
}

Address Address::ipv6(const std::array<std::uint8_t, 16>& bytes) {
    Address addr;
    addr.family_ = Family::ipv6;
    addr.bytes_ = bytes;
    return addr;
}

std::optional<Address> Address::parse(std::string_view text) {
    // inet_pton needs a NUL-terminated string; the longest IPv6 text form fits easily.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
        text.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    const std::string str(text);
    std::array<std::uint8_t, 16> buf{};
    if (inet_pton(AF_INET, str.c_str(), buf.data()) == 1) {
        return ipv4({buf[0], buf[1], buf[2], buf[3]});
    }
    if (inet_pton(AF_INET6, str.c_str(), buf.data()) == 1) {
        return ipv6(buf);
    }
    return std::nullopt;
}

std::string Address::to_string() const {
    std::array<char, INET6_ADDRSTRLEN> buf{};
    const int af = is_ipv4() ? AF_INET : AF_INET6;
    if (inet_ntop(af, bytes_.data(), buf.data(), buf.size()) == nullptr) {
        return "?";
    }
    return buf.data();
}

std::string format_endpoint(const Address& addr, std::uint16_t port) {
    if (addr.is_ipv4()) {
        return addr.to_string() + ":" + std::to_string(port);
    }
    return "[" + addr.to_string() + "]:" + std::to_string(port);
}

std::string Prefix::to_string() const {
    return addr.to_string() + "/" + std::to_string(len);
}

std::string enum_name(EnumNames names, std::uint32_t value) {
    if (value < names.size()) {
        return std::string(names[value]);
    }
    return std::to_string(value);
}

std::optional<std::uint32_t> enum_value(EnumNames names, std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) {
            return static_cast<std::uint32_t>(i);
        }
    }
    return std::nullopt;
}

bool NodeConfig::is_default() const {
    NodeConfig plain = *this;
    plain.stats.reset();
    return plain == NodeConfig{};
}

bool is_mutating_cmd(std::uint32_t cmd) {
    switch (cmd) {
        case SVCNAT_CMD_SERVICE_NEW:
        case SVCNAT_CMD_SERVICE_SET:
        case SVCNAT_CMD_SERVICE_DEL:
        case SVCNAT_CMD_BACKEND_NEW:
        case SVCNAT_CMD_BACKEND_SET:
        case SVCNAT_CMD_BACKEND_DEL:
        case SVCNAT_CMD_BACKEND_REPLACE:
        case SVCNAT_CMD_FLUSH:
            return true;
        default:
            return false;
    }
}

std::string cmd_name(std::uint32_t cmd) {
    switch (cmd) {
        case SVCNAT_CMD_SERVICE_NEW:
            return "service-new";
        case SVCNAT_CMD_SERVICE_SET:
            return "service-set";
        case SVCNAT_CMD_SERVICE_DEL:
            return "service-del";
        case SVCNAT_CMD_SERVICE_GET:
            return "service-get";
        case SVCNAT_CMD_BACKEND_NEW:
            return "backend-new";
        case SVCNAT_CMD_BACKEND_SET:
            return "backend-set";
        case SVCNAT_CMD_BACKEND_DEL:
            return "backend-del";
        case SVCNAT_CMD_BACKEND_REPLACE:
            return "backend-replace";
        case SVCNAT_CMD_FLUSH:
            return "flush";
        case SVCNAT_CMD_TXN_BEGIN:
            return "txn-begin";
        case SVCNAT_CMD_TXN_OPS:
            return "txn-ops";
        case SVCNAT_CMD_TXN_COMMIT:
            return "txn-commit";
        case SVCNAT_CMD_TXN_ABORT:
            return "txn-abort";
        case SVCNAT_CMD_CONFIG_SET:
            return "config-set";
        case SVCNAT_CMD_CONFIG_GET:
            return "config-get";
        case SVCNAT_CMD_TRACE:
            return "trace";
        case SVCNAT_CMD_AFFINITY_GET:
            return "affinity-get";
        default:
            return "cmd " + std::to_string(cmd);
    }
}

void sort_services(std::vector<Service>& services) {
    const auto service_order = [](const Service& a, const Service& b) {
        return std::tie(a.addr, a.port, a.proto) < std::tie(b.addr, b.port, b.proto);
    };
    const auto backend_order = [](const Backend& a, const Backend& b) {
        return std::tie(a.addr, a.port) < std::tie(b.addr, b.port);
    };
    std::sort(services.begin(), services.end(), service_order);
    for (Service& svc : services) {
        std::sort(svc.backends.begin(), svc.backends.end(), backend_order);
        std::sort(svc.external_ips.begin(), svc.external_ips.end());
        std::sort(svc.lb_ips.begin(), svc.lb_ips.end());
        std::sort(svc.source_ranges.begin(), svc.source_ranges.end());
    }
}

}  // namespace svcnl
