// SPDX-License-Identifier: GPL-2.0-only
// The request/ACK/dump machinery of svcnl::Socket, run against the host kernel's own
// generic netlink controller (nlctrl), which every kernel has and anyone may query.
// svcnat itself is not needed; the tests skip if netlink is not available.
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

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

// A GETFAMILY request without NLM_F_ACK: answered by one reply or one error.
MsgPtr ctrl_no_ack(const Socket& sock, const char* family) {
    MsgPtr msg = make_msg(1024);
    genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, sock.family(), 0, 0, CTRL_CMD_GETFAMILY, 1);
    nla_put_string(msg.get(), CTRL_ATTR_FAMILY_NAME, family);
    return msg;
}

TEST(SocketBatch, EveryRequestGetsItsOwnAnswer) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    constexpr std::size_t kCount = 3000;
    std::vector<int> seen(kCount);
    std::size_t made = 0;
    sock->request_batch(
        kCount,
        [&](std::size_t i) {
            EXPECT_EQ(i, made++);  // built in order, each once
            return ctrl_no_ack(*sock, "nlctrl");
        },
        [&](std::size_t i, const nlmsghdr* nlh) {
            ASSERT_LT(i, kCount);
            ++seen[i];
            EXPECT_EQ(nlh->nlmsg_type, GENL_ID_CTRL);
        });
    EXPECT_EQ(made, kCount);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<std::ptrdiff_t>(kCount));
    // libnl's own requests are still in step.
    const MsgPtr ok = ctrl_request(*sock, 0, "nlctrl");
    EXPECT_NO_THROW(sock->request(ok.get()));
    sock->request_batch(
        0, [](std::size_t) -> MsgPtr { throw Error("not called"); },
        [](std::size_t, const nlmsghdr*) { FAIL(); });
}

TEST(SocketBatch, KernelErrorStopsAfterTheBatchIsRead) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    std::size_t made = 0;
    std::vector<std::size_t> answered;
    try {
        sock->request_batch(
            1000,
            [&](std::size_t i) {
                ++made;
                return ctrl_no_ack(*sock, i == 40 ? "svcnat-nofam" : "nlctrl");
            },
            [&](std::size_t i, const nlmsghdr*) { answered.push_back(i); });
        FAIL() << "no error";
    } catch (const KernelError& e) {
        EXPECT_EQ(e.error(), ENOENT);
    }
    EXPECT_LT(made, 1000U);  // nothing sent after the failing batch
    ASSERT_GE(answered.size(), 40U);
    EXPECT_EQ(answered[39], 39U);
    EXPECT_EQ(std::count(answered.begin(), answered.end(), 40U), 0);
    const MsgPtr ok = ctrl_request(*sock, 0, "nlctrl");
    EXPECT_NO_THROW(sock->request(ok.get()));
}

TEST(SocketBatch, HandlerErrorsSurfaceAfterTheBatch) {
    auto sock = nlctrl_socket();
    if (!sock) {
        GTEST_SKIP() << "no generic netlink here";
    }
    EXPECT_THROW(sock->request_batch(
                     100, [&](std::size_t) { return ctrl_no_ack(*sock, "nlctrl"); },
                     [](std::size_t i, const nlmsghdr*) {
                         if (i == 3) {
                             throw Error("bad reply");
                         }
                     }),
                 Error);
    const MsgPtr ok = ctrl_request(*sock, 0, "nlctrl");
    EXPECT_NO_THROW(sock->request(ok.get()));
}

}  // namespace
}  // namespace svcnl
