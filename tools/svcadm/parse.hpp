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
