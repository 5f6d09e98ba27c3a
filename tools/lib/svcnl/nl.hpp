// SPDX-License-Identifier: GPL-2.0-only
// RAII owners for libnl objects. Every libnl object svcnl creates is held by one of these
// from the moment it is allocated, so no path (including exceptions) leaks one.
#pragma once

#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include <cstddef>
#include <memory>

namespace svcnl {

struct SockDeleter {
    void operator()(nl_sock* sock) const noexcept { nl_socket_free(sock); }
};

struct MsgDeleter {
    void operator()(nl_msg* msg) const noexcept { nlmsg_free(msg); }
};

struct CbDeleter {
    void operator()(nl_cb* cb) const noexcept { nl_cb_put(cb); }
};

using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;
using CbPtr = std::unique_ptr<nl_cb, CbDeleter>;

// The allocators throw std::bad_alloc instead of returning null.
SockPtr make_sock();
MsgPtr make_msg(std::size_t size);
CbPtr make_cb();

}  // namespace svcnl
