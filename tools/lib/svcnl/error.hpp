// SPDX-License-Identifier: GPL-2.0-only
// Errors raised by svcnl, and the decoding of the kernel's (extended) ACK messages.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace svcnl {

// Any failure svcnl reports: local errors (libnl, allocation, malformed replies) and,
// through KernelError, errors the kernel returned.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The svcnat generic netlink family does not exist (module not loaded or not installed).
class FamilyNotFound : public Error {
public:
    FamilyNotFound();
};

// The contents of an NLMSG_ERROR message (or of a failed dump's NLMSG_DONE).
struct AckInfo {
    int error = 0;        // negative errno as the kernel sent it; 0 is a plain ACK
    std::string message;  // NLMSGERR_ATTR_MSG
    std::optional<std::uint32_t> miss_type;  // NLMSGERR_ATTR_MISS_TYPE
    std::optional<std::uint32_t> miss_nest;  // NLMSGERR_ATTR_MISS_NEST: offset in the request
    std::optional<std::uint32_t> offset;     // NLMSGERR_ATTR_OFFS: offset in the request
    // NLMSGERR_ATTR_COOKIE when it is a u32: svcnat puts the index of the failing op of a
    // transaction there.
    std::optional<std::uint32_t> cookie;
};

// Decodes an NLMSG_ERROR message, with or without extended ACK attributes and with or
// without the echoed request (NETLINK_CAP_ACK). Truncated input yields what was readable.
AckInfo parse_error_msg(const nlmsghdr* nlh);

// Decodes the payload of an NLMSG_DONE message ending a dump: the dump's error and, when
// the dump failed, its extended ACK attributes.
AckInfo parse_done_msg(const nlmsghdr* nlh);

// Describes a missing attribute reported by NLMSGERR_ATTR_MISS_TYPE/_MISS_NEST, naming
// the attribute and the nest it belongs to by walking the request that was sent, e.g.
// "missing attribute port in backend". `request` may be null.
std::string describe_missing(const nlmsghdr* request, std::uint32_t type,
                             std::optional<std::uint32_t> nest_offset);

// An error the kernel returned for a request.
class KernelError : public Error {
public:
    // `error` is a positive errno; `message` the extack text (may be empty);
    // `missing` a describe_missing() text (may be empty); `op_index` the failing op of a
    // transaction if the kernel said so other than with an "op N: " message prefix.
    KernelError(int error, std::string message, std::string missing,
                std::optional<std::size_t> op_index = std::nullopt);

    [[nodiscard]] int error() const { return error_; }
    [[nodiscard]] const std::string& message() const { return message_; }
    [[nodiscard]] const std::string& missing() const { return missing_; }
    // For errors of a transaction: the index of the failing op (counted from 0 over the
    // whole transaction), from the constructor or from an "op N: " message prefix.
    [[nodiscard]] std::optional<std::size_t> op_index() const { return op_index_; }
    // The message without any "op N: " prefix, together with the missing-attribute text
    // and strerror, e.g. "backend exists (File exists)". what() is the same text preceded
    // by "op N: " when op_index() is known.
    [[nodiscard]] std::string describe_without_op() const;

private:
    int error_;
    std::string message_;
    std::string missing_;
    std::optional<std::size_t> op_index_;
    std::string detail_;  // message_ without the op prefix
};

// Splits "op N: text" (optionally preceded by a "module: " prefix, as NL_SET_ERR_MSG_MOD
// adds) into N and the position of "text". Returns nullopt if the message has no op prefix.
struct OpPrefix {
    std::size_t index;
    std::size_t rest;  // offset of the text after the prefix
};
std::optional<OpPrefix> split_op_prefix(std::string_view message);

// Replaces control characters so that any message prints as one line.
std::string one_line(std::string_view text);

}  // namespace svcnl
