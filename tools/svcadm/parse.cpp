// SPDX-License-Identifier: GPL-2.0-only
#include "parse.hpp"

#include <linux/svcnat.h>

#include <charconv>

namespace svcadm {

namespace {

constexpr std::string_view kEndpointForms = "a.b.c.d:PORT or [IPv6]:PORT";

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
