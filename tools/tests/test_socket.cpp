// SPDX-License-Identifier: GPL-2.0-only
// The request/ACK/dump machinery of svcnl::Socket, run against the host kernel's own
// generic netlink controller (nlctrl), which every kernel has and anyone may query.
// svcnat itself is not needed; the tests skip if netlink is not available.
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cerrno>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "svcnl/error.hpp"
#include "svcnl/socket.hpp"

namespace svcnl {
namespace {

std::unique_ptr<Socket> nlctrl_socket() {
    try {
        return std::make_unique<Socket>("nlctrl");
    } catch (const Error&) {
        return nullptr;
    }
}

MsgPtr ctrl_request(const Socket& sock, int flags, const char* family) {
    MsgPtr msg = make_msg(1024);
    genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, sock.family(), 0, NLM_F_ACK | flags,
                CTRL_CMD_GETFAMILY, 1);
    if (family != nullptr) {
        nla_put_string(msg.get(), CTRL_ATTR_FAMILY_NAME, family);
    }
    return msg;
}

TEST(SocketLoop, DoRequestWithReplyThenAck) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    EXPECT_EQ(sock->family(), GENL_ID_CTRL);
    int replies = 0;
    const MsgPtr msg = ctrl_request(*sock, 0, "nlctrl");
    EXPECT_FALSE(sock->request(msg.get(), [&replies](const nlmsghdr*) { ++replies; }));
    EXPECT_EQ(replies, 1);
    // The socket is usable for the next request (sequence numbers in step).
    const MsgPtr again = ctrl_request(*sock, 0, "nlctrl");
    EXPECT_NO_THROW(sock->request(again.get()));
}

TEST(SocketLoop, DumpReadsUntilDone) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    int families = 0;
    const MsgPtr msg = ctrl_request(*sock, NLM_F_DUMP, nullptr);
    EXPECT_FALSE(sock->request(msg.get(), [&families](const nlmsghdr*) { ++families; }));
    EXPECT_GT(families, 1);  // at least nlctrl and one more
}

TEST(SocketLoop, KernelErrorCarriesErrno) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    const MsgPtr msg = ctrl_request(*sock, 0, "svcnat-nofam");
    try {
        sock->request(msg.get());
        FAIL() << "no error";
    } catch (const KernelError& e) {
        EXPECT_EQ(e.error(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos);
    }
    // Still in step after an error.
    const MsgPtr ok = ctrl_request(*sock, 0, "nlctrl");
    EXPECT_NO_THROW(sock->request(ok.get()));
}

TEST(SocketLoop, ExtendedAckMessage) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    // The name is longer than the policy allows: the kernel says so in the extended ACK.
    const MsgPtr msg = ctrl_request(*sock, 0, "svcnat-much-too-long-family-name");
    try {
        sock->request(msg.get());
        FAIL() << "no error";
    } catch (const KernelError& e) {
        EXPECT_EQ(e.error(), EINVAL);
        EXPECT_FALSE(e.message().empty()) << e.what();
        EXPECT_NE(std::string(e.what()).find("(Invalid argument)"), std::string::npos);
    }
}

TEST(SocketLoop, ReplyHandlerErrorsSurfaceAfterTheReply) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    const MsgPtr msg = ctrl_request(*sock, NLM_F_DUMP, nullptr);
    EXPECT_THROW(sock->request(msg.get(), [](const nlmsghdr*) { throw Error("bad reply"); }),
                 Error);
    const MsgPtr ok = ctrl_request(*sock, 0, "nlctrl");
    EXPECT_NO_THROW(sock->request(ok.get()));
}

TEST(SocketLoop, MissingSvcnatFamily) {
    try {
        const Socket sock;
        GTEST_SKIP() << "svcnat is loaded here";
    } catch (const FamilyNotFound& e) {
        EXPECT_STREQ(e.what(), "svcnat kernel module not loaded (family svcnat not found)");
    } catch (const Error& e) {
        GTEST_SKIP() << "no generic netlink here: " << e.what();
    }
}

}  // namespace
}  // namespace svcnl
