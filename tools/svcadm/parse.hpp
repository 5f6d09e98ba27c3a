// SPDX-License-Identifier: GPL-2.0-only
// Parsing of svcadm's option values and of apply input lines.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "svcnl/model.hpp"

namespace svcadm {

// Bad input from the user: exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A port: decimal 1..65535.
std::uint16_t parse_port(std::string_view text);

// A weight: decimal 0..65535.
std::uint32_t parse_weight(std::string_view text);

struct Endpoint {
    svcnl::Address addr;
    std::uint16_t port = 0;
    std::optional<std::uint32_t> weight;  // only with allow_weight and an "@WEIGHT" suffix
};

// "a.b.c.d:PORT" or "[IPv6]:PORT", with an optional "@WEIGHT" suffix if allow_weight.
Endpoint parse_endpoint(std::string_view text, bool allow_weight = false);

// As parse_endpoint(), for the ADDR:PORT of a service (-t, -u, --sctp): the errors also say
// that headless services ("None", no address) and ExternalName services (a DNS name)
// cannot be expressed.
Endpoint parse_service_endpoint(std::string_view text);

// A bare IPv4 or IPv6 address (no brackets, no port). `what` names it in the error, e.g.
// "external IP".
svcnl::Address parse_address(std::string_view text, std::string_view what);

// "ADDR/LEN" or a bare address (the full length), IPv4 or IPv6; the host bits must be 0.
svcnl::Prefix parse_cidr(std::string_view text);

// A source for trace: "ADDR", "a.b.c.d:PORT" or "[IPv6]:PORT".
struct Source {
    svcnl::Address addr;
    std::optional<std::uint16_t> port;
};
Source parse_source(std::string_view text);

// A masquerade mark: decimal or 0x hex, exactly one bit set.
std::uint32_t parse_mark(std::string_view text);
// "0x4000"
std::string format_mark(std::uint32_t mark);

// on|off
bool parse_on_off(std::string_view text, std::string_view what);

// One of `names` (ASCII case-insensitive, so Kubernetes' "Local" works), e.g.
// parse_choice("Local", svcnl::kTrafficPolicyNames, "external policy"). The error lists the
// choices.
std::uint32_t parse_choice(std::string_view text, svcnl::EnumNames names, std::string_view what);

// trace --origin: pod, node, or external (the kernel's "other"; "other" is accepted too).
std::uint32_t parse_origin(std::string_view text);

// --affinity: none or clientip (any case, so Kubernetes' ClientIP and None work; the
// spec's client-ip too).
std::uint32_t parse_affinity(std::string_view text);
// --affinity-timeout: seconds, 1..86400.
std::uint32_t parse_affinity_timeout(std::string_view text);
// --maglev-size: a prime from 7 to 8388593.
std::uint32_t parse_maglev_size(std::string_view text);
// trace --flows: 1..100000.
std::uint32_t parse_flow_count(std::string_view text);
// True if n is a prime.
bool is_prime(std::uint32_t n);

// Checks a service name: at most 255 bytes, no control characters.
void check_name(std::string_view name);

// Splits one apply line into words, shell-like: blanks separate words; '...' quotes
// literally; "..." quotes with backslash escaping only \ " $ and `; outside quotes a
// backslash escapes the next character; an unquoted # at the start of a word starts a
// comment. No expansion of any kind. Throws UsageError on an unterminated quote.
std::vector<std::string> split_line(std::string_view line);

// Quotes a word for split_line() (and a POSIX shell): '...' with ' written as '\''.
std::string shell_quote(std::string_view word);

}  // namespace svcadm
