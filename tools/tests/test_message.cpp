// SPDX-License-Identifier: GPL-2.0-only
// Request building and reply parsing, checked on the built nl_msg with libnl's nla_*.
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/svcnat.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <array>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "svcnl/error.hpp"
#include "svcnl/message.hpp"

namespace svcnl {
namespace {

constexpr int kFamily = 0x1234;

Address v4(const char* text) {
    return *Address::parse(text);
}

Service sample_service() {
    Service svc;
    svc.proto = Proto::tcp;
    svc.addr = v4("10.96.0.10");
    svc.port = 8081;
    svc.name = "default/my-debian:http";
    svc.backends.push_back(Backend{.addr = v4("10.0.2.11"), .port = 80, .weight = 1, .flags = 3});
    svc.backends.push_back(
        Backend{.addr = v4("10.0.2.12"),
                .port = 80,
                .weight = 0,
                .flags = SVCNAT_BACKEND_FLAGS_SERVING | SVCNAT_BACKEND_FLAGS_TERMINATING});
    return svc;
}

// The top-level attributes of a generic netlink message, by type (the last of each type).
struct TopAttrs {
    std::array<nlattr*, SVCNAT_A_MAX + 1> tb{};

    explicit TopAttrs(nl_msg* msg) {
        EXPECT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, tb.data(), SVCNAT_A_MAX, nullptr), 0);
    }
    nlattr* operator[](int type) const { return tb.at(static_cast<std::size_t>(type)); }
};

// The attributes of a nest, by type; `backends` collects every SVCNAT_A_SERVICE_BACKEND.
struct NestAttrs {
    std::array<nlattr*, 16> tb{};
    std::vector<nlattr*> backends;
    int count = 0;

    explicit NestAttrs(nlattr* nest) {
        EXPECT_TRUE(nla_is_nested(nest)) << "NLA_F_NESTED missing";
        nlattr* pos = nullptr;
        int rem = 0;
        nla_for_each_nested(pos, nest, rem) {
            ++count;
            tb.at(static_cast<std::size_t>(nla_type(pos))) = pos;
            if (nla_type(pos) == SVCNAT_A_SERVICE_BACKEND) {
                backends.push_back(pos);
            }
        }
        EXPECT_EQ(rem, 0);
    }
    nlattr* operator[](int type) const { return tb.at(static_cast<std::size_t>(type)); }
};

const genlmsghdr* genl_of(nl_msg* msg) {
    return static_cast<const genlmsghdr*>(nlmsg_data(nlmsg_hdr(msg)));
}

TEST(BuildRequest, HeaderFlagsAndCommand) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, sample_service()});
    const nlmsghdr* nlh = nlmsg_hdr(msg.get());
    EXPECT_EQ(nlh->nlmsg_type, kFamily);
    EXPECT_NE(nlh->nlmsg_flags & NLM_F_ACK, 0);
    EXPECT_EQ(nlh->nlmsg_flags & NLM_F_DUMP, 0);
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_SERVICE_NEW);
    EXPECT_EQ(genl_of(msg.get())->version, SVCNAT_FAMILY_VERSION);
}

TEST(BuildRequest, ServiceNewAttributes) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, sample_service()});
    const TopAttrs top(msg.get());
    ASSERT_NE(top[SVCNAT_A_SERVICE], nullptr);
    EXPECT_EQ(top[SVCNAT_A_TXN_ID], nullptr);
    const NestAttrs svc(top[SVCNAT_A_SERVICE]);
    ASSERT_NE(svc[SVCNAT_A_SERVICE_PROTO], nullptr);
    EXPECT_EQ(nla_len(svc[SVCNAT_A_SERVICE_PROTO]), 1);
    EXPECT_EQ(nla_get_u8(svc[SVCNAT_A_SERVICE_PROTO]), IPPROTO_TCP);
    ASSERT_NE(svc[SVCNAT_A_SERVICE_ADDR_IPV4], nullptr);
    EXPECT_EQ(svc[SVCNAT_A_SERVICE_ADDR_IPV6], nullptr);
    EXPECT_EQ(nla_len(svc[SVCNAT_A_SERVICE_ADDR_IPV4]), 4);
    EXPECT_EQ(nla_get_u32(svc[SVCNAT_A_SERVICE_ADDR_IPV4]), htonl(0x0a60000a));  // big endian
    ASSERT_NE(svc[SVCNAT_A_SERVICE_PORT], nullptr);
    EXPECT_EQ(nla_len(svc[SVCNAT_A_SERVICE_PORT]), 2);
    EXPECT_EQ(nla_get_u16(svc[SVCNAT_A_SERVICE_PORT]), htons(8081));
    ASSERT_NE(svc[SVCNAT_A_SERVICE_NAME], nullptr);
    EXPECT_STREQ(nla_get_string(svc[SVCNAT_A_SERVICE_NAME]), "default/my-debian:http");
    EXPECT_EQ(svc[SVCNAT_A_SERVICE_BACKEND_COUNT], nullptr);
    ASSERT_EQ(svc.backends.size(), 2U);

    const NestAttrs be(svc.backends[1]);
    EXPECT_EQ(be.count, 4);
    EXPECT_EQ(nla_get_u32(be[SVCNAT_A_BACKEND_ADDR_IPV4]), htonl(0x0a00020c));
    EXPECT_EQ(nla_get_u16(be[SVCNAT_A_BACKEND_PORT]), htons(80));
    EXPECT_EQ(nla_get_u32(be[SVCNAT_A_BACKEND_WEIGHT]), 0U);
    EXPECT_EQ(nla_get_u32(be[SVCNAT_A_BACKEND_FLAGS]),
              static_cast<std::uint32_t>(SVCNAT_BACKEND_FLAGS_SERVING |
                                         SVCNAT_BACKEND_FLAGS_TERMINATING));
}

TEST(BuildRequest, ServiceNewRoundTripsThroughTheParser) {
    const Service svc = sample_service();
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, svc});
    EXPECT_EQ(parse_service_msg(nlmsg_hdr(msg.get())), svc);
}

TEST(BuildRequest, ServiceNewWithoutNameHasNoNameAttribute) {
    Service svc = sample_service();
    svc.name.reset();
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, svc});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_NAME], nullptr);
}

TEST(BuildRequest, ServiceSetSendsKeyAndNameOnly) {
    Service svc = sample_service();
    svc.name = "";
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_SET, svc});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs.count, 4);
    ASSERT_NE(attrs[SVCNAT_A_SERVICE_NAME], nullptr);
    EXPECT_EQ(nla_len(attrs[SVCNAT_A_SERVICE_NAME]), 1);  // just the NUL: clears the name
    EXPECT_TRUE(attrs.backends.empty());
}

TEST(BuildRequest, ServiceDelSendsKeyOnly) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_DEL, sample_service()});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs.count, 3);
    EXPECT_NE(attrs[SVCNAT_A_SERVICE_PROTO], nullptr);
    EXPECT_NE(attrs[SVCNAT_A_SERVICE_ADDR_IPV4], nullptr);
    EXPECT_NE(attrs[SVCNAT_A_SERVICE_PORT], nullptr);
}

TEST(BuildRequest, BackendNewSendsExactlyTheFirstBackend) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_NEW, sample_service()});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_NAME], nullptr);
    ASSERT_EQ(attrs.backends.size(), 1U);
    const NestAttrs be(attrs.backends[0]);
    EXPECT_EQ(nla_get_u32(be[SVCNAT_A_BACKEND_ADDR_IPV4]), htonl(0x0a00020b));
    EXPECT_EQ(nla_get_u32(be[SVCNAT_A_BACKEND_WEIGHT]), 1U);
    EXPECT_EQ(nla_get_u32(be[SVCNAT_A_BACKEND_FLAGS]), 3U);
}

TEST(BuildRequest, BackendSetOmitsUnsetWeight) {
    Service svc = sample_service();
    svc.backends.resize(1);
    svc.backends[0].weight.reset();
    svc.backends[0].flags = SVCNAT_BACKEND_FLAGS_LOCAL;
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_SET, svc});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    ASSERT_EQ(attrs.backends.size(), 1U);
    const NestAttrs be(attrs.backends[0]);
    EXPECT_EQ(be[SVCNAT_A_BACKEND_WEIGHT], nullptr);
    ASSERT_NE(be[SVCNAT_A_BACKEND_FLAGS], nullptr);
    EXPECT_EQ(nla_get_u32(be[SVCNAT_A_BACKEND_FLAGS]),
              static_cast<std::uint32_t>(SVCNAT_BACKEND_FLAGS_LOCAL));
}

TEST(BuildRequest, BackendDelSendsAddressAndPortOnly) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_DEL, sample_service()});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    ASSERT_EQ(attrs.backends.size(), 1U);
    const NestAttrs be(attrs.backends[0]);
    EXPECT_EQ(be.count, 2);
    EXPECT_NE(be[SVCNAT_A_BACKEND_ADDR_IPV4], nullptr);
    EXPECT_NE(be[SVCNAT_A_BACKEND_PORT], nullptr);
}

TEST(BuildRequest, BackendOpWithoutBackendThrows) {
    Service svc = sample_service();
    svc.backends.clear();
    EXPECT_THROW(build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_NEW, svc}), Error);
    EXPECT_THROW(build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_DEL, svc}), Error);
}

TEST(BuildRequest, BackendReplaceWithNoBackends) {
    Service svc = sample_service();
    svc.backends.clear();
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_REPLACE, svc});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs.count, 3);
    EXPECT_TRUE(attrs.backends.empty());
}

TEST(BuildRequest, BackendReplaceSendsEveryBackend) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_REPLACE, sample_service()});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs.backends.size(), 2U);
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_NAME], nullptr);
}

TEST(BuildRequest, FlushHasNoAttributes) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_FLUSH, sample_service()});
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_FLUSH);
    EXPECT_EQ(genlmsg_attrlen(genl_of(msg.get()), 0), 0);
}

TEST(BuildRequest, IPv6Addresses) {
    Service svc = sample_service();
    svc.addr = *Address::parse("fd00:10:96::a");
    svc.backends.resize(1);
    svc.backends[0].addr = *Address::parse("fd00::2:b");
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, svc});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_ADDR_IPV4], nullptr);
    ASSERT_NE(attrs[SVCNAT_A_SERVICE_ADDR_IPV6], nullptr);
    ASSERT_EQ(nla_len(attrs[SVCNAT_A_SERVICE_ADDR_IPV6]), 16);
    EXPECT_EQ(std::memcmp(nla_data(attrs[SVCNAT_A_SERVICE_ADDR_IPV6]), svc.addr.data(), 16), 0);
    const NestAttrs be(attrs.backends.at(0));
    ASSERT_NE(be[SVCNAT_A_BACKEND_ADDR_IPV6], nullptr);
    EXPECT_EQ(nla_len(be[SVCNAT_A_BACKEND_ADDR_IPV6]), 16);
    EXPECT_EQ(parse_service_msg(nlmsg_hdr(msg.get())), svc);
}

TEST(BuildRequest, RejectsNonConfigurationCommands) {
    EXPECT_THROW(build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_GET, sample_service()}), Error);
    EXPECT_THROW(build_op_request(kFamily, Op{SVCNAT_CMD_TXN_BEGIN, sample_service()}), Error);
    EXPECT_THROW(build_op_request(kFamily, Op{0, sample_service()}), Error);
}

Service with_backends(std::size_t count) {
    Service svc = sample_service();
    svc.backends.clear();
    for (std::size_t i = 0; i < count; ++i) {
        const auto n = static_cast<std::uint8_t>(i);
        const auto m = static_cast<std::uint8_t>(i >> 8U);
        svc.backends.push_back(Backend{.addr = Address::ipv4({10, 1, m, n}),
                                       .port = 8080,
                                       .weight = 1,
                                       .flags = kDefaultFlags});
    }
    return svc;
}

TEST(BuildRequest, TooManyBackendsForOneAttribute) {
    EXPECT_NO_THROW(build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_REPLACE, with_backends(1500)}));
    EXPECT_THROW(build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_REPLACE, with_backends(2000)}),
                 Error);
}

TEST(BuildRequest, GetSendsKeyOnly) {
    const Service svc = sample_service();
    const MsgPtr msg = build_get_request(kFamily, svc.key());
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_SERVICE_GET);
    EXPECT_EQ(nlmsg_hdr(msg.get())->nlmsg_flags & NLM_F_DUMP, 0);
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs.count, 3);
}

TEST(BuildRequest, DumpHasDumpFlagAndNoAttributes) {
    const MsgPtr msg = build_dump_request(kFamily);
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_SERVICE_GET);
    EXPECT_EQ(nlmsg_hdr(msg.get())->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
    EXPECT_EQ(genlmsg_attrlen(genl_of(msg.get()), 0), 0);
}

TEST(BuildTxn, BeginCommitAbort) {
    const MsgPtr begin = build_txn_begin(kFamily);
    EXPECT_EQ(genl_of(begin.get())->cmd, SVCNAT_CMD_TXN_BEGIN);
    EXPECT_EQ(genlmsg_attrlen(genl_of(begin.get()), 0), 0);
    EXPECT_NE(nlmsg_hdr(begin.get())->nlmsg_flags & NLM_F_ACK, 0);

    const MsgPtr commit = build_txn_end(kFamily, SVCNAT_CMD_TXN_COMMIT, 42);
    EXPECT_EQ(genl_of(commit.get())->cmd, SVCNAT_CMD_TXN_COMMIT);
    EXPECT_EQ(nla_get_u32(TopAttrs(commit.get())[SVCNAT_A_TXN_ID]), 42U);
    EXPECT_EQ(parse_txn_id_msg(nlmsg_hdr(commit.get())), 42U);

    const MsgPtr abort = build_txn_end(kFamily, SVCNAT_CMD_TXN_ABORT, 7);
    EXPECT_EQ(genl_of(abort.get())->cmd, SVCNAT_CMD_TXN_ABORT);
    EXPECT_EQ(nla_get_u32(TopAttrs(abort.get())[SVCNAT_A_TXN_ID]), 7U);

    EXPECT_THROW(build_txn_end(kFamily, SVCNAT_CMD_TXN_OPS, 1), Error);
    EXPECT_THROW(parse_txn_id_msg(nlmsg_hdr(begin.get())), Error);
}

// Reads the ops of a TXN_OPS message back.
std::vector<Op> ops_of(nl_msg* msg, std::uint32_t expect_txn) {
    std::vector<Op> ops;
    const nlmsghdr* nlh = nlmsg_hdr(msg);
    EXPECT_EQ(genl_of(msg)->cmd, SVCNAT_CMD_TXN_OPS);
    nlattr* pos = nullptr;
    int rem = 0;
    bool saw_id = false;
    nla_for_each_attr(pos, genlmsg_attrdata(genl_of(msg), 0), genlmsg_attrlen(genl_of(msg), 0),
                      rem) {
        if (nla_type(pos) == SVCNAT_A_TXN_ID) {
            EXPECT_FALSE(saw_id);
            EXPECT_TRUE(ops.empty()) << "txn id after the ops";
            EXPECT_EQ(nla_get_u32(pos), expect_txn);
            saw_id = true;
            continue;
        }
        EXPECT_EQ(nla_type(pos), SVCNAT_A_OP);
        const NestAttrs op(pos);
        Op parsed;
        EXPECT_NE(op[SVCNAT_A_OP_CMD], nullptr);
        parsed.cmd = static_cast<std::uint8_t>(nla_get_u32(op[SVCNAT_A_OP_CMD]));
        if (op[SVCNAT_A_OP_SERVICE] != nullptr) {
            EXPECT_TRUE(nla_is_nested(op[SVCNAT_A_OP_SERVICE]));
            parsed.service = parse_service(op[SVCNAT_A_OP_SERVICE]);
        }
        ops.push_back(parsed);
    }
    EXPECT_TRUE(saw_id);
    EXPECT_LE(nlh->nlmsg_len, NLMSG_ALIGN(nlh->nlmsg_len));
    return ops;
}

std::vector<Op> many_ops(std::size_t count) {
    std::vector<Op> ops;
    for (std::size_t i = 0; i < count; ++i) {
        Service svc = sample_service();
        svc.port = static_cast<std::uint16_t>(1000 + i);
        constexpr std::array<std::uint8_t, 4> kCmds{SVCNAT_CMD_SERVICE_NEW, SVCNAT_CMD_BACKEND_NEW,
                                                    SVCNAT_CMD_BACKEND_REPLACE,
                                                    SVCNAT_CMD_BACKEND_SET};
        ops.push_back(Op{kCmds.at(i % kCmds.size()), svc});
    }
    ops.push_back(Op{SVCNAT_CMD_FLUSH, {}});
    return ops;
}

TEST(BuildTxn, OpsAreSplitInOrderIntoMessagesUnderTheLimit) {
    const std::vector<Op> ops = many_ops(2000);
    std::vector<Op> seen;
    std::size_t messages = 0;
    for (std::size_t next = 0; next < ops.size();) {
        TxnChunk chunk = build_txn_ops(kFamily, 9, ops, next);
        ASSERT_GT(chunk.count, 0U);
        EXPECT_LE(nlmsg_hdr(chunk.msg.get())->nlmsg_len, kTxnMsgMax);
        const std::vector<Op> got = ops_of(chunk.msg.get(), 9);
        EXPECT_EQ(got.size(), chunk.count);
        seen.insert(seen.end(), got.begin(), got.end());
        next += chunk.count;
        ++messages;
    }
    EXPECT_GT(messages, 5U);
    ASSERT_EQ(seen.size(), ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
        EXPECT_EQ(seen[i].cmd, ops[i].cmd) << i;
        if (ops[i].cmd == SVCNAT_CMD_FLUSH) {
            continue;
        }
        EXPECT_EQ(seen[i].service.key(), ops[i].service.key()) << i;
    }
    // What each command sends.
    EXPECT_EQ(seen[0].service.name, ops[0].service.name);  // service-new: name, backends
    EXPECT_EQ(seen[0].service.backends.size(), 2U);
    EXPECT_FALSE(seen[1].service.name.has_value());  // backend-new: one backend
    EXPECT_EQ(seen[1].service.backends.size(), 1U);
    EXPECT_EQ(seen[2].service.backends.size(), 2U);  // backend-replace: all
}

TEST(BuildTxn, OneBigOpGoesAloneEvenAboveTheLimit) {
    std::vector<Op> ops = many_ops(3);
    ops[1] = Op{SVCNAT_CMD_BACKEND_REPLACE, with_backends(1200)};
    TxnChunk chunk = build_txn_ops(kFamily, 1, ops, 0, 4096);
    EXPECT_EQ(chunk.count, 1U);
    chunk = build_txn_ops(kFamily, 1, ops, 1, 4096);
    EXPECT_EQ(chunk.count, 1U);
    EXPECT_GT(nlmsg_hdr(chunk.msg.get())->nlmsg_len, 4096U);
    EXPECT_EQ(ops_of(chunk.msg.get(), 1).at(0).service.backends.size(), 1200U);
    chunk = build_txn_ops(kFamily, 1, ops, 2, 4096);
    EXPECT_EQ(chunk.count, 2U);
    EXPECT_THROW(build_txn_ops(kFamily, 1, ops, ops.size()), Error);
}

TEST(BuildTxn, SizeBoundCoversTheEncodedOp) {
    for (const Op& op : many_ops(8)) {
        const std::vector<Op> one{op};
        const TxnChunk chunk = build_txn_ops(kFamily, 1, one, 0);
        const std::size_t head = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(NLA_HDRLEN + 4);
        EXPECT_EQ(nlmsg_hdr(chunk.msg.get())->nlmsg_len - head, op_size_bound(op));
    }
}

// Builds a SERVICE_GET reply by hand.
class ReplyBuilder {
public:
    ReplyBuilder() : msg_(make_msg(4096)), svc_(start(msg_.get())) {}
    ReplyBuilder& key() {
        nla_put_u8(msg_.get(), SVCNAT_A_SERVICE_PROTO, IPPROTO_UDP);
        nla_put_u32(msg_.get(), SVCNAT_A_SERVICE_ADDR_IPV4, htonl(0x0a60000a));
        nla_put_u16(msg_.get(), SVCNAT_A_SERVICE_PORT, htons(53));
        return *this;
    }
    nl_msg* get() { return msg_.get(); }
    const nlmsghdr* done() {
        nla_nest_end(msg_.get(), svc_);
        return nlmsg_hdr(msg_.get());
    }

private:
    static nlattr* start(nl_msg* msg) {
        genlmsg_put(msg, 0, 1, kFamily, 0, 0, SVCNAT_CMD_SERVICE_GET, 1);
        return nla_nest_start(msg, SVCNAT_A_SERVICE);
    }

    MsgPtr msg_;
    nlattr* svc_;
};

TEST(ParseService, MinimalReplyGetsDefaults) {
    ReplyBuilder reply;
    reply.key();
    nlattr* be = nla_nest_start(reply.get(), SVCNAT_A_SERVICE_BACKEND);
    nla_put_u32(reply.get(), SVCNAT_A_BACKEND_ADDR_IPV4, htonl(0x0a00020b));
    nla_put_u16(reply.get(), SVCNAT_A_BACKEND_PORT, htons(5353));
    nla_nest_end(reply.get(), be);
    nla_put_u32(reply.get(), SVCNAT_A_SERVICE_BACKEND_COUNT, 1);
    const Service svc = parse_service_msg(reply.done());
    EXPECT_EQ(svc.proto, Proto::udp);
    EXPECT_EQ(svc.addr.to_string(), "10.96.0.10");
    EXPECT_EQ(svc.port, 53);
    EXPECT_FALSE(svc.name.has_value());
    EXPECT_EQ(svc.backend_count, 1U);
    ASSERT_EQ(svc.backends.size(), 1U);
    EXPECT_EQ(svc.backends[0].addr.to_string(), "10.0.2.11");
    EXPECT_EQ(svc.backends[0].port, 5353);
    EXPECT_EQ(svc.backends[0].weight, kDefaultWeight);
    EXPECT_EQ(svc.backends[0].flags, kDefaultFlags);
}

TEST(ParseService, IgnoresUnknownAttributes) {
    ReplyBuilder reply;
    reply.key();
    nla_put_u32(reply.get(), 60, 1234);  // from a newer kernel
    nlattr* be = nla_nest_start(reply.get(), SVCNAT_A_SERVICE_BACKEND);
    nla_put_u32(reply.get(), SVCNAT_A_BACKEND_ADDR_IPV4, htonl(0x0a00020b));
    nla_put_u16(reply.get(), SVCNAT_A_BACKEND_PORT, htons(80));
    nla_put_u64(reply.get(), 30, 1);
    nla_nest_end(reply.get(), be);
    const Service svc = parse_service_msg(reply.done());
    EXPECT_EQ(svc.backends.size(), 1U);
}

TEST(ParseService, RejectsMissingKey) {
    ReplyBuilder reply;
    nla_put_u8(reply.get(), SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
    EXPECT_THROW(parse_service_msg(reply.done()), Error);
}

TEST(ParseService, RejectsBadLengths) {
    ReplyBuilder reply;
    nla_put_u8(reply.get(), SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
    nla_put_u16(reply.get(), SVCNAT_A_SERVICE_ADDR_IPV4, 1);  // 2 bytes, not 4
    nla_put_u16(reply.get(), SVCNAT_A_SERVICE_PORT, htons(53));
    EXPECT_THROW(parse_service_msg(reply.done()), Error);
}

TEST(ParseService, RejectsBackendWithoutPort) {
    ReplyBuilder reply;
    reply.key();
    nlattr* be = nla_nest_start(reply.get(), SVCNAT_A_SERVICE_BACKEND);
    nla_put_u32(reply.get(), SVCNAT_A_BACKEND_ADDR_IPV4, htonl(0x0a00020b));
    nla_nest_end(reply.get(), be);
    EXPECT_THROW(parse_service_msg(reply.done()), Error);
}

TEST(ParseService, MessageWithoutServiceThrows) {
    const MsgPtr msg = build_dump_request(kFamily);
    EXPECT_THROW(parse_service_msg(nlmsg_hdr(msg.get())), Error);
}

}  // namespace
}  // namespace svcnl
