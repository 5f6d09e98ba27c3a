// SPDX-License-Identifier: GPL-2.0-only
#include "parse.hpp"

#include <linux/svcnat.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace svcadm {

namespace {

constexpr std::string_view kEndpointForms = "a.b.c.d:PORT or [IPv6]:PORT";
constexpr std::array<std::string_view, 2> kOnOff{"off", "on"};

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

// Decimal digits only (no sign, no spaces), at most `max`.
std::optional<std::uint32_t> parse_decimal(std::string_view text, std::uint32_t max) {
    if (text.empty() || text.size() > 10) {
        return std::nullopt;
    }
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(value);
}

}  // namespace

std::uint16_t parse_port(std::string_view text) {
    const auto port = parse_decimal(text, 65535);
    if (!port || *port == 0) {
        throw UsageError("invalid port " + quoted(text) + " (expected 1..65535)");
    }
    return static_cast<std::uint16_t>(*port);
}

std::uint32_t parse_weight(std::string_view text) {
    const auto weight = parse_decimal(text, SVCNAT_WEIGHT_MAX);
    if (!weight) {
        throw UsageError("invalid weight " + quoted(text) + " (expected 0..65535)");
    }
    return *weight;
}

Endpoint parse_endpoint(std::string_view text, bool allow_weight) {
    Endpoint ep;
    std::string_view rest = text;
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        if (!allow_weight) {
            throw UsageError("invalid address " + quoted(text) + " (expected " +
                             std::string(kEndpointForms) + ", no @WEIGHT here)");
        }
        ep.weight = parse_weight(rest.substr(at + 1));
        rest = rest.substr(0, at);
    }

    std::string_view host;
    std::string_view port;
    bool want_ipv6 = false;
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
            throw UsageError("invalid address " + quoted(text) + " (expected " +
                             std::string(kEndpointForms) + ")");
        }
        host = rest.substr(1, close - 1);
        port = rest.substr(close + 2);
        want_ipv6 = true;
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) {
            throw UsageError("missing port in " + quoted(text) + " (expected " +
                             std::string(kEndpointForms) + ")");
        }
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            throw UsageError("invalid address " + quoted(text) +
                             " (write IPv6 addresses in brackets: [IPv6]:PORT)");
        }
    }
    const auto addr = svcnl::Address::parse(host);
    if (!addr || addr->is_ipv4() == want_ipv6) {
        throw UsageError("invalid " + std::string(want_ipv6 ? "IPv6" : "IPv4") + " address " +
                         quoted(host) + " in " + quoted(text));
    }
    ep.addr = *addr;
    ep.port = parse_port(port);
    return ep;
}

namespace {

constexpr std::string_view kNoClusterIp =
    "headless services (clusterIP None) have no data path and cannot be expressed: a service "
    "needs a cluster IP";

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool has_letter(std::string_view text) {
    return std::ranges::any_of(
        text, [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

}  // namespace

Endpoint parse_service_endpoint(std::string_view text) {
    const auto colon = text.rfind(':');
    const std::string_view host = colon == std::string_view::npos ? text : text.substr(0, colon);
    if (iequals(host, "None") || host.empty()) {
        throw UsageError(std::string(kNoClusterIp) + " (got " + quoted(text) + ")");
    }
    try {
        return parse_endpoint(text);
    } catch (const UsageError& e) {
        if (host.find(':') == std::string_view::npos && has_letter(host) &&
            colon != std::string_view::npos) {
            throw UsageError(std::string(e.what()) +
                             " (a DNS name? ExternalName services cannot be expressed: a service "
                             "needs a cluster IP)");
        }
        throw;
    }
}

svcnl::Address parse_address(std::string_view text, std::string_view what) {
    const auto addr = svcnl::Address::parse(text);
    if (!addr) {
        throw UsageError("invalid " + std::string(what) + " " + quoted(text) +
                         " (expected an IPv4 or IPv6 address)");
    }
    return *addr;
}

svcnl::Prefix parse_cidr(std::string_view text) {
    const auto slash = text.find('/');
    const std::string_view host = text.substr(0, slash);
    const auto addr = svcnl::Address::parse(host);
    if (!addr) {
        throw UsageError("invalid CIDR " + quoted(text) +
                         " (expected ADDR/LEN, e.g. 10.244.0.0/16)");
    }
    const std::uint8_t full = svcnl::Prefix::full_len(*addr);
    svcnl::Prefix prefix = svcnl::Prefix::host(*addr);
    if (slash != std::string_view::npos) {
        const auto len = parse_decimal(text.substr(slash + 1), full);
        if (!len || text.size() - slash - 1 > 3) {
            throw UsageError("invalid prefix length in " + quoted(text) + " (expected 0.." +
                             std::to_string(full) + ")");
        }
        prefix.len = static_cast<std::uint8_t>(*len);
    }
    // The host bits must be 0.
    svcnl::Prefix network = prefix;
    std::array<std::uint8_t, 16> bytes{};
    std::copy(addr->data(), addr->data() + addr->size(), bytes.begin());
    for (std::size_t bit = prefix.len; bit < full; ++bit) {
        bytes.at(bit / 8) &= static_cast<std::uint8_t>(~(0x80U >> (bit % 8)));
    }
    if (addr->is_ipv4()) {
        network.addr = svcnl::Address::ipv4({bytes[0], bytes[1], bytes[2], bytes[3]});
    } else {
        network.addr = svcnl::Address::ipv6(bytes);
    }
    if (network.addr != prefix.addr) {
        throw UsageError("host bits set in " + quoted(text) + " (did you mean " +
                         network.to_string() + "?)");
    }
    return prefix;
}

Source parse_source(std::string_view text) {
    if (const auto addr = svcnl::Address::parse(text)) {
        return {*addr, std::nullopt};
    }
    if (text.find(':') == std::string_view::npos) {
        throw UsageError("invalid source " + quoted(text) +
                         " (expected ADDR, a.b.c.d:PORT or [IPv6]:PORT)");
    }
    const Endpoint ep = parse_endpoint(text);
    return {ep.addr, ep.port};
}

std::uint32_t parse_mark(std::string_view text) {
    std::optional<std::uint32_t> mark;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        const std::string_view digits = text.substr(2);
        std::uint32_t value = 0;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
        if (!digits.empty() && ec == std::errc{} && end == digits.data() + digits.size()) {
            mark = value;
        }
    } else {
        mark = parse_decimal(text, 0xffffffffU);
    }
    if (!mark || *mark == 0 || (*mark & (*mark - 1)) != 0) {
        throw UsageError("invalid mark " + quoted(text) +
                         " (expected a single bit, e.g. 0x4000 or 16384)");
    }
    return *mark;
}

std::string format_mark(std::uint32_t mark) {
    std::array<char, 8> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), mark, 16);
    (void)ec;  // 8 hex digits always fit
    return "0x" + std::string(buf.data(), end);
}

bool parse_on_off(std::string_view text, std::string_view what) {
    return parse_choice(text, kOnOff, what) == 1;
}

std::uint32_t parse_choice(std::string_view text, svcnl::EnumNames names, std::string_view what) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (iequals(text, names[i])) {
            return static_cast<std::uint32_t>(i);
        }
    }
    std::string choices;
    for (std::size_t i = 0; i < names.size(); ++i) {
        choices += i == 0 ? "" : (i + 1 == names.size() ? " or " : ", ");
        choices += names[i];
    }
    throw UsageError("invalid " + std::string(what) + " " + quoted(text) + " (expected " + choices +
                     ")");
}

std::uint32_t parse_origin(std::string_view text) {
    constexpr std::array<std::string_view, 3> kOrigins{"pod", "node", "external"};
    if (iequals(text, "other")) {
        return SVCNAT_ORIGIN_OTHER;
    }
    static_assert(SVCNAT_ORIGIN_POD == 0 && SVCNAT_ORIGIN_NODE == 1 && SVCNAT_ORIGIN_OTHER == 2);
    return parse_choice(text, kOrigins, "origin");
}

std::uint32_t parse_affinity(std::string_view text) {
    if (iequals(text, "client-ip")) {
        return SVCNAT_AFFINITY_CLIENT_IP;
    }
    return parse_choice(text, svcnl::kAffinityNames, "affinity");
}

std::uint32_t parse_affinity_timeout(std::string_view text) {
    const auto timeout = parse_decimal(text, svcnl::kAffinityTimeoutMax);
    if (!timeout || *timeout == 0) {
        throw UsageError("invalid affinity timeout " + quoted(text) + " (expected 1.." +
                         std::to_string(svcnl::kAffinityTimeoutMax) + " seconds)");
    }
    return *timeout;
}

bool is_prime(std::uint32_t n) {
    if (n < 2) {
        return false;
    }
    for (std::uint32_t d = 2; d <= n / d; ++d) {
        if (n % d == 0) {
            return false;
        }
    }
    return true;
}

std::uint32_t parse_maglev_size(std::string_view text) {
    const auto size = parse_decimal(text, svcnl::kMaglevSizeMax);
    if (!size || *size < svcnl::kMaglevSizeMin || !is_prime(*size)) {
        throw UsageError("invalid maglev size " + quoted(text) + " (expected a prime from " +
                         std::to_string(svcnl::kMaglevSizeMin) + " to " +
                         std::to_string(svcnl::kMaglevSizeMax) + ", e.g. 1021, 4093, 16381)");
    }
    return *size;
}

std::uint32_t parse_flow_count(std::string_view text) {
    constexpr std::uint32_t kMaxFlows = 100000;
    const auto count = parse_decimal(text, kMaxFlows);
    if (!count || *count == 0) {
        throw UsageError("invalid flow count " + quoted(text) + " (expected 1.." +
                         std::to_string(kMaxFlows) + ")");
    }
    return *count;
}

void check_name(std::string_view name) {
    if (name.size() > svcnl::kNameMax) {
        throw UsageError("name too long (" + std::to_string(name.size()) + " bytes, at most " +
                         std::to_string(svcnl::kNameMax) + ")");
    }
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            throw UsageError("name contains a control character");
        }
    }
}

std::vector<std::string> split_line(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (in_word) {
                words.push_back(std::move(word));
                word.clear();
                in_word = false;
            }
            continue;
        }
        if (c == '#' && !in_word) {
            break;
        }
        in_word = true;
        if (c == '\'') {
            const auto end = line.find('\'', i + 1);
            if (end == std::string_view::npos) {
                throw UsageError("unterminated single quote");
            }
            word.append(line.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            for (++i; i < line.size() && line[i] != '"'; ++i) {
                if (line[i] == '\\' && i + 1 < line.size() &&
                    std::string_view("\\\"$`").find(line[i + 1]) != std::string_view::npos) {
                    ++i;
                }
                word += line[i];
            }
            if (i >= line.size()) {
                throw UsageError("unterminated double quote");
            }
        } else if (c == '\\') {
            if (i + 1 >= line.size()) {
                throw UsageError("backslash at the end of the line");
            }
            word += line[++i];
        } else {
            word += c;
        }
    }
    if (in_word) {
        words.push_back(std::move(word));
    }
    return words;
}

std::string shell_quote(std::string_view word) {
    std::string out = "'";
    for (const char c : word) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

}  // namespace svcadm
