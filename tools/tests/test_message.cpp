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
#include <optional>
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

Service with_frontends() {
    Service svc = sample_service();
    svc.node_port = 30080;
    svc.external_ips = {v4("198.51.100.10"), *Address::parse("2001:db8::10")};
    svc.lb_ips = {v4("198.51.100.20")};
    svc.source_ranges = {Prefix{v4("203.0.113.0"), 24}};
    svc.ext_policy = SVCNAT_TRAFFIC_POLICY_LOCAL;
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

// The attributes of a nest, by type (the last of each); `backends` collects every
// SVCNAT_A_SERVICE_BACKEND, `all` every attribute of any type.
struct NestAttrs {
    std::array<nlattr*, 32> tb{};
    std::vector<nlattr*> backends;
    std::vector<nlattr*> all;
    int count = 0;

    explicit NestAttrs(nlattr* nest) {
        EXPECT_TRUE(nla_is_nested(nest)) << "NLA_F_NESTED missing";
        nlattr* pos = nullptr;
        int rem = 0;
        nla_for_each_nested(pos, nest, rem) {
            ++count;
            tb.at(static_cast<std::size_t>(nla_type(pos))) = pos;
            all.push_back(pos);
            if (nla_type(pos) == SVCNAT_A_SERVICE_BACKEND) {
                backends.push_back(pos);
            }
        }
        EXPECT_EQ(rem, 0);
    }
    [[nodiscard]] std::vector<nlattr*> of_type(int type) const {
        std::vector<nlattr*> out;
        for (nlattr* nla : all) {
            if (nla_type(nla) == type) {
                out.push_back(nla);
            }
        }
        return out;
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

TEST(BuildRequest, ServiceNewFrontendsAndPolicies) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, with_frontends()});
    const NestAttrs svc(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    ASSERT_NE(svc[SVCNAT_A_SERVICE_NODE_PORT], nullptr);
    EXPECT_EQ(nla_len(svc[SVCNAT_A_SERVICE_NODE_PORT]), 2);
    EXPECT_EQ(nla_get_u16(svc[SVCNAT_A_SERVICE_NODE_PORT]), htons(30080));

    const auto ext = svc.of_type(SVCNAT_A_SERVICE_EXTERNAL_IP);
    ASSERT_EQ(ext.size(), 2U);
    const NestAttrs ext0(ext[0]);
    EXPECT_EQ(ext0.count, 1);  // an address, no length
    EXPECT_EQ(nla_get_u32(ext0[SVCNAT_A_PREFIX_ADDR_IPV4]), htonl(0xc633640a));
    const NestAttrs ext1(ext[1]);
    ASSERT_NE(ext1[SVCNAT_A_PREFIX_ADDR_IPV6], nullptr);
    EXPECT_EQ(nla_len(ext1[SVCNAT_A_PREFIX_ADDR_IPV6]), 16);
    EXPECT_EQ(ext1[SVCNAT_A_PREFIX_LEN], nullptr);

    ASSERT_EQ(svc.of_type(SVCNAT_A_SERVICE_LB_IP).size(), 1U);
    const auto ranges = svc.of_type(SVCNAT_A_SERVICE_SOURCE_RANGE);
    ASSERT_EQ(ranges.size(), 1U);
    const NestAttrs range(ranges[0]);
    EXPECT_EQ(nla_get_u32(range[SVCNAT_A_PREFIX_ADDR_IPV4]), htonl(0xcb007100));
    ASSERT_NE(range[SVCNAT_A_PREFIX_LEN], nullptr);
    EXPECT_EQ(nla_len(range[SVCNAT_A_PREFIX_LEN]), 1);
    EXPECT_EQ(nla_get_u8(range[SVCNAT_A_PREFIX_LEN]), 24);

    ASSERT_NE(svc[SVCNAT_A_SERVICE_EXT_POLICY], nullptr);
    EXPECT_EQ(nla_get_u32(svc[SVCNAT_A_SERVICE_EXT_POLICY]),
              static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_LOCAL));
    EXPECT_EQ(svc[SVCNAT_A_SERVICE_INT_POLICY], nullptr);  // cluster: the kernel default
    EXPECT_EQ(svc[SVCNAT_A_SERVICE_STATS], nullptr);
    EXPECT_EQ(svc.backends.size(), 2U);
}

TEST(BuildRequest, ServiceWithFrontendsRoundTripsThroughTheParser) {
    Service svc = with_frontends();
    svc.int_policy = SVCNAT_TRAFFIC_POLICY_LOCAL;
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, svc});
    EXPECT_EQ(parse_service_msg(nlmsg_hdr(msg.get())), svc);
}

TEST(BuildRequest, ServiceSetSendsFrontendsButNoBackends) {
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_SET, with_frontends()});
    const NestAttrs svc(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_NE(svc[SVCNAT_A_SERVICE_NODE_PORT], nullptr);
    EXPECT_EQ(svc.of_type(SVCNAT_A_SERVICE_EXTERNAL_IP).size(), 2U);
    EXPECT_NE(svc[SVCNAT_A_SERVICE_EXT_POLICY], nullptr);
    EXPECT_TRUE(svc.backends.empty());
}

TEST(BuildRequest, OtherCommandsSendNoFrontends) {
    for (const std::uint8_t cmd : {SVCNAT_CMD_SERVICE_DEL, SVCNAT_CMD_BACKEND_NEW,
                                   SVCNAT_CMD_BACKEND_DEL, SVCNAT_CMD_BACKEND_REPLACE}) {
        const MsgPtr msg = build_op_request(kFamily, Op{cmd, with_frontends()});
        const NestAttrs svc(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
        EXPECT_EQ(svc[SVCNAT_A_SERVICE_NODE_PORT], nullptr) << cmd_name(cmd);
        EXPECT_EQ(svc[SVCNAT_A_SERVICE_EXTERNAL_IP], nullptr) << cmd_name(cmd);
        EXPECT_EQ(svc[SVCNAT_A_SERVICE_EXT_POLICY], nullptr) << cmd_name(cmd);
    }
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
    std::vector<Op> ops = many_ops(8);
    Service svc = with_frontends();
    svc.int_policy = SVCNAT_TRAFFIC_POLICY_LOCAL;
    ops.push_back(Op{SVCNAT_CMD_SERVICE_NEW, svc});
    ops.push_back(Op{SVCNAT_CMD_SERVICE_SET, svc});
    for (const Op& op : ops) {
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

TEST(ParseService, FrontendsPoliciesAndStats) {
    ReplyBuilder reply;
    reply.key();
    nla_put_u16(reply.get(), SVCNAT_A_SERVICE_NODE_PORT, htons(31000));
    nlattr* p = nla_nest_start(reply.get(), SVCNAT_A_SERVICE_LB_IP);
    nla_put_u32(reply.get(), SVCNAT_A_PREFIX_ADDR_IPV4, htonl(0xc6336414));
    nla_put_u8(reply.get(), SVCNAT_A_PREFIX_LEN, 32);
    nla_nest_end(reply.get(), p);
    p = nla_nest_start(reply.get(), SVCNAT_A_SERVICE_SOURCE_RANGE);
    nla_put_u32(reply.get(), SVCNAT_A_PREFIX_ADDR_IPV4, htonl(0x0a000000));  // no length: /32
    nla_nest_end(reply.get(), p);
    nla_put_u32(reply.get(), SVCNAT_A_SERVICE_INT_POLICY, SVCNAT_TRAFFIC_POLICY_LOCAL);
    p = nla_nest_start(reply.get(), SVCNAT_A_SERVICE_STATS);
    nla_put_u64(reply.get(), SVCNAT_A_STATS_CONNS, 1ULL << 40);
    nla_put_u64(reply.get(), SVCNAT_A_STATS_DROPPED_SOURCE_RANGE, 3);
    nla_put_u64(reply.get(), 40, 9);  // a newer counter
    nla_nest_end(reply.get(), p);
    const Service svc = parse_service_msg(reply.done());
    EXPECT_EQ(svc.node_port, 31000);
    ASSERT_EQ(svc.lb_ips.size(), 1U);
    EXPECT_EQ(svc.lb_ips[0].to_string(), "198.51.100.20");
    EXPECT_TRUE(svc.external_ips.empty());
    ASSERT_EQ(svc.source_ranges.size(), 1U);
    EXPECT_EQ(svc.source_ranges[0].to_string(), "10.0.0.0/32");
    EXPECT_EQ(svc.ext_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_CLUSTER));
    EXPECT_EQ(svc.int_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_LOCAL));
    ASSERT_TRUE(svc.stats.has_value());
    EXPECT_EQ(svc.stats->conns, 1ULL << 40);
    EXPECT_EQ(svc.stats->dropped_source_range, 3U);
    EXPECT_EQ(svc.stats->masqueraded, 0U);
}

TEST(ParseService, NoFrontendAttributesMeansDefaults) {
    ReplyBuilder reply;
    reply.key();
    const Service svc = parse_service_msg(reply.done());
    EXPECT_FALSE(svc.node_port.has_value());
    EXPECT_EQ(svc.ext_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_CLUSTER));
    EXPECT_FALSE(svc.stats.has_value());
}

TEST(ParseService, RejectsPrefixWithoutAddressAndShortCounters) {
    ReplyBuilder reply;
    reply.key();
    nlattr* p = nla_nest_start(reply.get(), SVCNAT_A_SERVICE_EXTERNAL_IP);
    nla_put_u8(reply.get(), SVCNAT_A_PREFIX_LEN, 32);
    nla_nest_end(reply.get(), p);
    EXPECT_THROW(parse_service_msg(reply.done()), Error);

    ReplyBuilder short_counter;
    short_counter.key();
    p = nla_nest_start(short_counter.get(), SVCNAT_A_SERVICE_STATS);
    nla_put_u32(short_counter.get(), SVCNAT_A_STATS_CONNS, 1);
    nla_nest_end(short_counter.get(), p);
    EXPECT_THROW(parse_service_msg(short_counter.done()), Error);
}

TEST(MergeDump, FrontendsAndStatsComeFromTheFirstPart) {
    Service first = with_frontends();
    first.stats = Stats{.conns = 5};
    first.backend_count = 3;
    Service second = first;
    second.backends.resize(1);
    second.stats.reset();
    const std::vector<Service> merged = merge_dump({first, second});
    ASSERT_EQ(merged.size(), 1U);
    EXPECT_EQ(merged[0].backends.size(), 3U);
    EXPECT_EQ(merged[0].stats, first.stats);
    EXPECT_EQ(merged[0].external_ips, first.external_ips);
}

NodeConfig sample_config() {
    NodeConfig config;
    config.cluster_cidrs = {Prefix{v4("10.244.0.0"), 16}, Prefix{v4("10.245.0.0"), 16}};
    config.nodeport_cidrs = {Prefix{*Address::parse("fd00::"), 64}};
    config.masquerade_all = true;
    config.masq_mark = 0x10000;
    config.masq_mode = SVCNAT_MASQ_MODE_MARK;
    config.unknown_port = SVCNAT_UNKNOWN_PORT_REJECT;
    config.unallocated = SVCNAT_UNALLOCATED_DROP;
    return config;
}

TEST(BuildConfig, GetHasNoAttributes) {
    const MsgPtr msg = build_config_get(kFamily);
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_CONFIG_GET);
    EXPECT_EQ(nlmsg_hdr(msg.get())->nlmsg_flags & NLM_F_DUMP, 0);
    EXPECT_NE(nlmsg_hdr(msg.get())->nlmsg_flags & NLM_F_ACK, 0);
    EXPECT_EQ(genlmsg_attrlen(genl_of(msg.get()), 0), 0);
}

TEST(BuildConfig, SetSendsEverySetting) {
    const MsgPtr msg = build_config_set(kFamily, sample_config());
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_CONFIG_SET);
    const TopAttrs top(msg.get());
    ASSERT_NE(top[SVCNAT_A_CONFIG], nullptr);
    const NestAttrs cfg(top[SVCNAT_A_CONFIG]);
    ASSERT_EQ(cfg.of_type(SVCNAT_A_CONFIG_CLUSTER_CIDR).size(), 2U);
    const NestAttrs cidr(cfg.of_type(SVCNAT_A_CONFIG_CLUSTER_CIDR)[1]);
    EXPECT_EQ(nla_get_u32(cidr[SVCNAT_A_PREFIX_ADDR_IPV4]), htonl(0x0af50000));
    EXPECT_EQ(nla_get_u8(cidr[SVCNAT_A_PREFIX_LEN]), 16);
    EXPECT_EQ(cfg.of_type(SVCNAT_A_CONFIG_NODEPORT_CIDR).size(), 1U);
    EXPECT_EQ(cfg.of_type(SVCNAT_A_CONFIG_SERVICE_CIDR).size(), 0U);
    EXPECT_EQ(nla_len(cfg[SVCNAT_A_CONFIG_MASQUERADE_ALL]), 1);
    EXPECT_EQ(nla_get_u8(cfg[SVCNAT_A_CONFIG_MASQUERADE_ALL]), 1);
    EXPECT_EQ(nla_get_u32(cfg[SVCNAT_A_CONFIG_MASQ_MARK]), 0x10000U);
    EXPECT_EQ(nla_get_u32(cfg[SVCNAT_A_CONFIG_MASQ_MODE]),
              static_cast<std::uint32_t>(SVCNAT_MASQ_MODE_MARK));
    EXPECT_EQ(nla_get_u32(cfg[SVCNAT_A_CONFIG_UNKNOWN_PORT]),
              static_cast<std::uint32_t>(SVCNAT_UNKNOWN_PORT_REJECT));
    EXPECT_EQ(nla_get_u32(cfg[SVCNAT_A_CONFIG_UNALLOCATED]),
              static_cast<std::uint32_t>(SVCNAT_UNALLOCATED_DROP));
    EXPECT_EQ(cfg[SVCNAT_A_CONFIG_STATS], nullptr);
    EXPECT_EQ(parse_config_msg(nlmsg_hdr(msg.get())), sample_config());
}

TEST(BuildConfig, DefaultConfigRoundTrips) {
    NodeConfig config;
    config.stats = Stats{.rejected_unknown_port = 1};  // replies only: not sent
    const MsgPtr msg = build_config_set(kFamily, config);
    EXPECT_EQ(parse_config_msg(nlmsg_hdr(msg.get())), NodeConfig{});
    EXPECT_TRUE(NodeConfig{}.is_default());
    EXPECT_TRUE(config.is_default());
    EXPECT_FALSE(sample_config().is_default());
}

TEST(ParseConfig, ReplyWithStatsAndDefaults) {
    const MsgPtr msg = make_msg(1024);
    genlmsg_put(msg.get(), 0, 1, kFamily, 0, 0, SVCNAT_CMD_CONFIG_GET, 1);
    nlattr* cfg = nla_nest_start(msg.get(), SVCNAT_A_CONFIG);
    nlattr* p = nla_nest_start(msg.get(), SVCNAT_A_CONFIG_SERVICE_CIDR);
    nla_put_u32(msg.get(), SVCNAT_A_PREFIX_ADDR_IPV4, htonl(0x0a600000));
    nla_put_u8(msg.get(), SVCNAT_A_PREFIX_LEN, 12);
    nla_nest_end(msg.get(), p);
    p = nla_nest_start(msg.get(), SVCNAT_A_CONFIG_STATS);
    nla_put_u64(msg.get(), SVCNAT_A_STATS_REJECTED_UNKNOWN_PORT, 4);
    nla_put_u64(msg.get(), SVCNAT_A_STATS_DROPPED_UNALLOCATED, 5);
    nla_nest_end(msg.get(), p);
    nla_nest_end(msg.get(), cfg);
    const NodeConfig config = parse_config_msg(nlmsg_hdr(msg.get()));
    ASSERT_EQ(config.service_cidrs.size(), 1U);
    EXPECT_EQ(config.service_cidrs[0].to_string(), "10.96.0.0/12");
    EXPECT_EQ(config.masq_mark, static_cast<std::uint32_t>(SVCNAT_MASQ_MARK_DEFAULT));
    EXPECT_FALSE(config.masquerade_all);
    ASSERT_TRUE(config.stats.has_value());
    EXPECT_EQ(config.stats->rejected_unknown_port, 4U);
    EXPECT_EQ(config.stats->dropped_unallocated, 5U);
    EXPECT_FALSE(config.is_default());

    const MsgPtr empty = build_config_get(kFamily);
    EXPECT_THROW(parse_config_msg(nlmsg_hdr(empty.get())), Error);
}

TEST(BuildTrace, Request) {
    TraceRequest req{.proto = Proto::udp,
                     .src = v4("10.244.1.11"),
                     .src_port = 5353,
                     .dst = v4("10.96.0.10"),
                     .dst_port = 53,
                     .origin = SVCNAT_ORIGIN_OTHER};
    MsgPtr msg = build_trace_request(kFamily, req);
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_TRACE);
    const NestAttrs tr(TopAttrs(msg.get())[SVCNAT_A_TRACE]);
    EXPECT_EQ(tr.count, 6);
    EXPECT_EQ(nla_get_u8(tr[SVCNAT_A_TRACE_PROTO]), IPPROTO_UDP);
    EXPECT_EQ(nla_get_u32(tr[SVCNAT_A_TRACE_SRC_IPV4]), htonl(0x0af4010b));
    EXPECT_EQ(nla_get_u16(tr[SVCNAT_A_TRACE_SRC_PORT]), htons(5353));
    EXPECT_EQ(nla_get_u32(tr[SVCNAT_A_TRACE_DST_IPV4]), htonl(0x0a60000a));
    EXPECT_EQ(nla_get_u16(tr[SVCNAT_A_TRACE_DST_PORT]), htons(53));
    EXPECT_EQ(nla_get_u32(tr[SVCNAT_A_TRACE_ORIGIN]),
              static_cast<std::uint32_t>(SVCNAT_ORIGIN_OTHER));

    req.src_port.reset();
    req.origin.reset();
    req.src = *Address::parse("fd00::1");
    msg = build_trace_request(kFamily, req);
    const NestAttrs plain(TopAttrs(msg.get())[SVCNAT_A_TRACE]);
    EXPECT_EQ(plain.count, 4);
    EXPECT_EQ(plain[SVCNAT_A_TRACE_SRC_PORT], nullptr);
    EXPECT_EQ(plain[SVCNAT_A_TRACE_ORIGIN], nullptr);
    ASSERT_NE(plain[SVCNAT_A_TRACE_SRC_IPV6], nullptr);
    EXPECT_EQ(nla_len(plain[SVCNAT_A_TRACE_SRC_IPV6]), 16);
}

void put_backend_nest(nl_msg* msg, int type, std::uint32_t addr, std::uint32_t flags) {
    nlattr* be = nla_nest_start(msg, type);
    nla_put_u32(msg, SVCNAT_A_BACKEND_ADDR_IPV4, htonl(addr));
    nla_put_u16(msg, SVCNAT_A_BACKEND_PORT, htons(80));
    nla_put_u32(msg, SVCNAT_A_BACKEND_WEIGHT, 2);
    nla_put_u32(msg, SVCNAT_A_BACKEND_FLAGS, flags);
    nla_nest_end(msg, be);
}

TEST(ParseTrace, FullReply) {
    const MsgPtr msg = make_msg(2048);
    genlmsg_put(msg.get(), 0, 1, kFamily, 0, 0, SVCNAT_CMD_TRACE, 1);
    nlattr* tr = nla_nest_start(msg.get(), SVCNAT_A_TRACE);
    nla_put_u8(msg.get(), SVCNAT_A_TRACE_PROTO, IPPROTO_TCP);  // the request, echoed
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_VERDICT, SVCNAT_VERDICT_DNAT);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_REASON, SVCNAT_REASON_ENDPOINT);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_ORIGIN, SVCNAT_ORIGIN_NODE);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_FRONTEND, SVCNAT_FRONTEND_NODE_PORT);
    nlattr* svc = nla_nest_start(msg.get(), SVCNAT_A_TRACE_SERVICE);
    nla_put_u8(msg.get(), SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
    nla_put_u32(msg.get(), SVCNAT_A_SERVICE_ADDR_IPV4, htonl(0x0a60000a));
    nla_put_u16(msg.get(), SVCNAT_A_SERVICE_PORT, htons(8081));
    nla_put_string(msg.get(), SVCNAT_A_SERVICE_NAME, "default/web");
    nla_nest_end(msg.get(), svc);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_ENDPOINT_SET, SVCNAT_ENDPOINT_SET_LOCAL);
    put_backend_nest(msg.get(), SVCNAT_A_TRACE_CANDIDATE, 0x0af4010b, 11);
    put_backend_nest(msg.get(), SVCNAT_A_TRACE_CANDIDATE, 0x0af4010c, 3);
    put_backend_nest(msg.get(), SVCNAT_A_TRACE_BACKEND, 0x0af4010c, 3);
    nla_put_u8(msg.get(), SVCNAT_A_TRACE_MASQUERADE, 1);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_MASQ_REASON, SVCNAT_MASQ_REASON_NODE_LOCAL);
    nla_put_u8(msg.get(), SVCNAT_A_TRACE_HAIRPIN, 0);
    nla_nest_end(msg.get(), tr);

    const TraceReply reply = parse_trace_msg(nlmsg_hdr(msg.get()));
    EXPECT_EQ(reply.verdict, static_cast<std::uint32_t>(SVCNAT_VERDICT_DNAT));
    EXPECT_EQ(reply.reason, static_cast<std::uint32_t>(SVCNAT_REASON_ENDPOINT));
    EXPECT_EQ(reply.origin, static_cast<std::uint32_t>(SVCNAT_ORIGIN_NODE));
    EXPECT_EQ(reply.frontend, static_cast<std::uint32_t>(SVCNAT_FRONTEND_NODE_PORT));
    ASSERT_TRUE(reply.service.has_value());
    EXPECT_EQ(reply.service->port, 8081);
    EXPECT_EQ(reply.service->name, "default/web");
    EXPECT_EQ(reply.endpoint_set, static_cast<std::uint32_t>(SVCNAT_ENDPOINT_SET_LOCAL));
    ASSERT_EQ(reply.candidates.size(), 2U);
    EXPECT_EQ(reply.candidates[0].flags, 11U);
    EXPECT_EQ(reply.candidates[1].weight, 2U);
    ASSERT_TRUE(reply.backend.has_value());
    EXPECT_EQ(reply.backend->addr.to_string(), "10.244.1.12");
    EXPECT_TRUE(reply.masquerade);
    EXPECT_EQ(reply.masq_reason, static_cast<std::uint32_t>(SVCNAT_MASQ_REASON_NODE_LOCAL));
    EXPECT_FALSE(reply.hairpin);
}

TEST(ParseTrace, MinimalReplyAndMissingVerdict) {
    MsgPtr msg = make_msg(512);
    genlmsg_put(msg.get(), 0, 1, kFamily, 0, 0, SVCNAT_CMD_TRACE, 1);
    nlattr* tr = nla_nest_start(msg.get(), SVCNAT_A_TRACE);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_VERDICT, SVCNAT_VERDICT_ACCEPT);
    nla_nest_end(msg.get(), tr);
    const TraceReply reply = parse_trace_msg(nlmsg_hdr(msg.get()));
    EXPECT_EQ(reply, TraceReply{});

    msg = make_msg(512);
    genlmsg_put(msg.get(), 0, 1, kFamily, 0, 0, SVCNAT_CMD_TRACE, 1);
    tr = nla_nest_start(msg.get(), SVCNAT_A_TRACE);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_REASON, SVCNAT_REASON_ENDPOINT);
    nla_nest_end(msg.get(), tr);
    EXPECT_THROW(parse_trace_msg(nlmsg_hdr(msg.get())), Error);
    const MsgPtr none = build_config_get(kFamily);
    EXPECT_THROW(parse_trace_msg(nlmsg_hdr(none.get())), Error);
}

TEST(EnumNames, NamesAndNumbers) {
    EXPECT_EQ(enum_name(kOriginNames, SVCNAT_ORIGIN_OTHER), "other");
    EXPECT_EQ(enum_name(kReasonNames, SVCNAT_REASON_UNALLOCATED), "unallocated");
    EXPECT_EQ(enum_name(kMasqReasonNames, SVCNAT_MASQ_REASON_HAIRPIN), "hairpin");
    EXPECT_EQ(enum_name(kFrontendNames, SVCNAT_FRONTEND_LB_IP), "lb-ip");
    EXPECT_EQ(enum_name(kVerdictNames, 17), "17");
    EXPECT_EQ(enum_value(kEndpointSetNames, "local"), SVCNAT_ENDPOINT_SET_LOCAL);
    EXPECT_FALSE(enum_value(kEndpointSetNames, "Local").has_value());
    EXPECT_EQ(cmd_name(SVCNAT_CMD_TRACE), "trace");
    EXPECT_EQ(cmd_name(SVCNAT_CMD_CONFIG_SET), "config-set");
    EXPECT_FALSE(is_mutating_cmd(SVCNAT_CMD_CONFIG_SET));
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

// ---- issue 4: schedulers, affinity, flush-conns, affinity-get, trace choice ----

Service with_settings() {
    Service svc = sample_service();
    svc.scheduler = SVCNAT_SCHEDULER_MAGLEV;
    svc.maglev_size = 1021;
    svc.hash = SVCNAT_HASH_FLOW;
    svc.affinity = SVCNAT_AFFINITY_CLIENT_IP;
    svc.affinity_timeout = 60;
    return svc;
}

std::uint32_t u32_of(const NestAttrs& attrs, int type) {
    EXPECT_NE(attrs[type], nullptr) << "attribute " << type;
    if (attrs[type] == nullptr) {
        return ~0U;
    }
    EXPECT_EQ(nla_len(attrs[type]), 4) << "attribute " << type;
    return nla_get_u32(attrs[type]);
}

TEST(BuildRequest, ServiceNewAndSetSendTheSettings) {
    for (const std::uint8_t cmd : {SVCNAT_CMD_SERVICE_NEW, SVCNAT_CMD_SERVICE_SET}) {
        const MsgPtr msg = build_op_request(kFamily, Op{cmd, with_settings()});
        const NestAttrs svc(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
        EXPECT_EQ(u32_of(svc, SVCNAT_A_SERVICE_SCHEDULER),
                  static_cast<std::uint32_t>(SVCNAT_SCHEDULER_MAGLEV));
        EXPECT_EQ(u32_of(svc, SVCNAT_A_SERVICE_MAGLEV_SIZE), 1021U);
        EXPECT_EQ(u32_of(svc, SVCNAT_A_SERVICE_HASH), static_cast<std::uint32_t>(SVCNAT_HASH_FLOW));
        EXPECT_EQ(u32_of(svc, SVCNAT_A_SERVICE_AFFINITY),
                  static_cast<std::uint32_t>(SVCNAT_AFFINITY_CLIENT_IP));
        EXPECT_EQ(u32_of(svc, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT), 60U);
        EXPECT_EQ(svc[SVCNAT_A_SERVICE_FLUSH_CONNS], nullptr);
    }
}

TEST(BuildRequest, DefaultSettingsAreNotSent) {
    Service svc = sample_service();
    svc.flush_conns = true;  // not for service ops
    for (const std::uint8_t cmd : {SVCNAT_CMD_SERVICE_NEW, SVCNAT_CMD_SERVICE_SET}) {
        const MsgPtr msg = build_op_request(kFamily, Op{cmd, svc});
        const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
        for (const int type : {SVCNAT_A_SERVICE_SCHEDULER, SVCNAT_A_SERVICE_MAGLEV_SIZE,
                               SVCNAT_A_SERVICE_HASH, SVCNAT_A_SERVICE_AFFINITY,
                               SVCNAT_A_SERVICE_AFFINITY_TIMEOUT, SVCNAT_A_SERVICE_FLUSH_CONNS}) {
            EXPECT_EQ(attrs[type], nullptr) << cmd_name(cmd) << " attribute " << type;
        }
    }
    // rr alone: the scheduler only; clientip alone: the affinity only
    svc.scheduler = SVCNAT_SCHEDULER_RR;
    svc.affinity = SVCNAT_AFFINITY_CLIENT_IP;
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_SET, svc});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(u32_of(attrs, SVCNAT_A_SERVICE_SCHEDULER),
              static_cast<std::uint32_t>(SVCNAT_SCHEDULER_RR));
    EXPECT_EQ(u32_of(attrs, SVCNAT_A_SERVICE_AFFINITY),
              static_cast<std::uint32_t>(SVCNAT_AFFINITY_CLIENT_IP));
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_MAGLEV_SIZE], nullptr);
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_HASH], nullptr);
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_AFFINITY_TIMEOUT], nullptr);
}

TEST(BuildRequest, OtherCommandsSendNoSettings) {
    for (const std::uint8_t cmd :
         {SVCNAT_CMD_SERVICE_DEL, SVCNAT_CMD_BACKEND_NEW, SVCNAT_CMD_BACKEND_SET,
          SVCNAT_CMD_BACKEND_DEL, SVCNAT_CMD_BACKEND_REPLACE}) {
        const MsgPtr msg = build_op_request(kFamily, Op{cmd, with_settings()});
        const NestAttrs svc(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
        EXPECT_EQ(svc[SVCNAT_A_SERVICE_SCHEDULER], nullptr) << cmd_name(cmd);
        EXPECT_EQ(svc[SVCNAT_A_SERVICE_AFFINITY], nullptr) << cmd_name(cmd);
        EXPECT_EQ(svc[SVCNAT_A_SERVICE_HASH], nullptr) << cmd_name(cmd);
    }
}

TEST(BuildRequest, FlushConnsOnlyOnBackendChangesThatRemove) {
    Service svc = sample_service();
    svc.flush_conns = true;
    for (const std::uint8_t cmd :
         {SVCNAT_CMD_BACKEND_SET, SVCNAT_CMD_BACKEND_DEL, SVCNAT_CMD_BACKEND_REPLACE}) {
        const MsgPtr msg = build_op_request(kFamily, Op{cmd, svc});
        const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
        ASSERT_NE(attrs[SVCNAT_A_SERVICE_FLUSH_CONNS], nullptr) << cmd_name(cmd);
        EXPECT_EQ(nla_len(attrs[SVCNAT_A_SERVICE_FLUSH_CONNS]), 0) << cmd_name(cmd);
        EXPECT_TRUE(parse_service_msg(nlmsg_hdr(msg.get())).flush_conns) << cmd_name(cmd);
    }
    for (const std::uint8_t cmd :
         {SVCNAT_CMD_SERVICE_NEW, SVCNAT_CMD_SERVICE_DEL, SVCNAT_CMD_BACKEND_NEW}) {
        const MsgPtr msg = build_op_request(kFamily, Op{cmd, svc});
        const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
        EXPECT_EQ(attrs[SVCNAT_A_SERVICE_FLUSH_CONNS], nullptr) << cmd_name(cmd);
    }
    svc.flush_conns = false;
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_BACKEND_DEL, svc});
    const NestAttrs attrs(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(attrs[SVCNAT_A_SERVICE_FLUSH_CONNS], nullptr);
    EXPECT_EQ(attrs.count, 4);  // key and the backend
}

TEST(BuildRequest, TransactionOpsCarryFlushConnsAndSettings) {
    Service svc = with_settings();
    Service flushed = sample_service();
    flushed.flush_conns = true;
    const std::vector<Op> ops{Op{SVCNAT_CMD_SERVICE_NEW, svc},
                              Op{SVCNAT_CMD_BACKEND_REPLACE, flushed}};
    const TxnChunk chunk = build_txn_ops(kFamily, 9, ops, 0);
    ASSERT_EQ(chunk.count, 2U);
    std::vector<nlattr*> op_nests;
    const auto* genl = genl_of(chunk.msg.get());
    nlattr* pos = nullptr;
    int rem = 0;
    nla_for_each_attr(pos, genlmsg_attrdata(genl, 0), genlmsg_attrlen(genl, 0), rem) {
        if (nla_type(pos) == SVCNAT_A_OP) {
            op_nests.push_back(pos);
        }
    }
    ASSERT_EQ(op_nests.size(), 2U);
    const NestAttrs first(op_nests[0]);
    const NestAttrs first_svc(first[SVCNAT_A_OP_SERVICE]);
    EXPECT_EQ(u32_of(first_svc, SVCNAT_A_SERVICE_SCHEDULER),
              static_cast<std::uint32_t>(SVCNAT_SCHEDULER_MAGLEV));
    EXPECT_EQ(u32_of(first_svc, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT), 60U);
    const NestAttrs second(op_nests[1]);
    const NestAttrs second_svc(second[SVCNAT_A_OP_SERVICE]);
    EXPECT_NE(second_svc[SVCNAT_A_SERVICE_FLUSH_CONNS], nullptr);
    // The size bound holds with the new attributes.
    EXPECT_LE(nlmsg_hdr(chunk.msg.get())->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + 4 +
                                                         op_size_bound(ops[0]) +
                                                         op_size_bound(ops[1]));
}

TEST(BuildRequest, SettingsRoundTripThroughTheParser) {
    const Service svc = with_settings();
    const MsgPtr msg = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, svc});
    EXPECT_EQ(parse_service_msg(nlmsg_hdr(msg.get())), svc);
    EXPECT_LE(nlmsg_hdr(msg.get())->nlmsg_len,
              NLMSG_HDRLEN + GENL_HDRLEN + op_size_bound(Op{SVCNAT_CMD_SERVICE_NEW, svc}));
}

TEST(ParseService, SettingsFromAReply) {
    ReplyBuilder reply;
    reply.key();
    nla_put_u32(reply.get(), SVCNAT_A_SERVICE_AFFINITY, SVCNAT_AFFINITY_CLIENT_IP);
    nla_put_u32(reply.get(), SVCNAT_A_SERVICE_AFFINITY_TIMEOUT, 10800);
    nla_put_u32(reply.get(), SVCNAT_A_SERVICE_SCHEDULER, SVCNAT_SCHEDULER_MAGLEV);
    nla_put_u32(reply.get(), SVCNAT_A_SERVICE_HASH, SVCNAT_HASH_SRC);
    const Service svc = parse_service_msg(reply.done());
    EXPECT_EQ(svc.affinity, static_cast<std::uint32_t>(SVCNAT_AFFINITY_CLIENT_IP));
    EXPECT_EQ(svc.affinity_timeout, 10800U);
    EXPECT_EQ(svc.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_MAGLEV));
    EXPECT_EQ(svc.hash, static_cast<std::uint32_t>(SVCNAT_HASH_SRC));
    EXPECT_FALSE(svc.maglev_size.has_value());  // automatic: not in the reply
    EXPECT_TRUE(svc.affinity_entries.empty());

    ReplyBuilder plain;
    plain.key();
    nla_put_u32(plain.get(), SVCNAT_A_SERVICE_AFFINITY, SVCNAT_AFFINITY_NONE);
    nla_put_u32(plain.get(), SVCNAT_A_SERVICE_SCHEDULER, SVCNAT_SCHEDULER_RANDOM);
    const Service defaults = parse_service_msg(plain.done());
    EXPECT_EQ(defaults.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_RANDOM));
    EXPECT_FALSE(defaults.hash.has_value());
    EXPECT_FALSE(defaults.affinity_timeout.has_value());

    ReplyBuilder bad;
    bad.key();
    nla_put_u8(bad.get(), SVCNAT_A_SERVICE_SCHEDULER, 1);  // too short
    EXPECT_THROW(parse_service_msg(bad.done()), Error);
}

void put_affinity_entry(nl_msg* msg, const Address& client, const Address& backend,
                        std::uint16_t port, std::optional<std::uint32_t> expires) {
    nlattr* entry = nla_nest_start(msg, SVCNAT_A_SERVICE_AFFINITY_ENTRY);
    if (client.is_ipv4()) {
        std::uint32_t be32 = 0;
        std::memcpy(&be32, client.data(), 4);
        nla_put_u32(msg, SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV4, be32);
    } else {
        nla_put(msg, SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV6, 16, client.data());
    }
    nlattr* be = nla_nest_start(msg, SVCNAT_A_AFFINITY_ENTRY_BACKEND);
    if (backend.is_ipv4()) {
        std::uint32_t be32 = 0;
        std::memcpy(&be32, backend.data(), 4);
        nla_put_u32(msg, SVCNAT_A_BACKEND_ADDR_IPV4, be32);
    } else {
        nla_put(msg, SVCNAT_A_BACKEND_ADDR_IPV6, 16, backend.data());
    }
    nla_put_u16(msg, SVCNAT_A_BACKEND_PORT, htons(port));
    nla_nest_end(msg, be);
    if (expires) {
        nla_put_u32(msg, SVCNAT_A_AFFINITY_ENTRY_EXPIRES, *expires);
    }
    nla_nest_end(msg, entry);
}

TEST(ParseService, AffinityEntries) {
    ReplyBuilder reply;
    reply.key();
    put_affinity_entry(reply.get(), v4("10.244.1.13"), v4("10.244.1.11"), 80, 10799500);
    put_affinity_entry(reply.get(), *Address::parse("fd00:244:1::13"),
                       *Address::parse("fd00:244:1::11"), 8080, std::nullopt);
    const Service svc = parse_service_msg(reply.done());
    ASSERT_EQ(svc.affinity_entries.size(), 2U);
    EXPECT_EQ(svc.affinity_entries[0].client.to_string(), "10.244.1.13");
    EXPECT_EQ(svc.affinity_entries[0].backend.addr.to_string(), "10.244.1.11");
    EXPECT_EQ(svc.affinity_entries[0].backend.port, 80);
    EXPECT_EQ(svc.affinity_entries[0].expires_ms, 10799500U);
    EXPECT_EQ(svc.affinity_entries[1].client.to_string(), "fd00:244:1::13");
    EXPECT_EQ(svc.affinity_entries[1].backend.port, 8080);
    EXPECT_EQ(svc.affinity_entries[1].expires_ms, 0U);

    ReplyBuilder no_client;
    no_client.key();
    nlattr* entry = nla_nest_start(no_client.get(), SVCNAT_A_SERVICE_AFFINITY_ENTRY);
    nla_put_u32(no_client.get(), SVCNAT_A_AFFINITY_ENTRY_EXPIRES, 5);
    nla_nest_end(no_client.get(), entry);
    EXPECT_THROW(parse_service_msg(no_client.done()), Error);
}

TEST(BuildAffinity, DumpRequestWithTheKeyOnly) {
    const ServiceKey key{Proto::udp, *Address::parse("fd00:96::10"), 53};
    const MsgPtr msg = build_affinity_request(kFamily, key);
    EXPECT_EQ(genl_of(msg.get())->cmd, SVCNAT_CMD_AFFINITY_GET);
    EXPECT_NE(nlmsg_hdr(msg.get())->nlmsg_flags & NLM_F_DUMP, 0);
    const NestAttrs svc(TopAttrs(msg.get())[SVCNAT_A_SERVICE]);
    EXPECT_EQ(svc.count, 3);
    EXPECT_EQ(nla_get_u8(svc[SVCNAT_A_SERVICE_PROTO]), IPPROTO_UDP);
    ASSERT_NE(svc[SVCNAT_A_SERVICE_ADDR_IPV6], nullptr);
    EXPECT_EQ(nla_len(svc[SVCNAT_A_SERVICE_ADDR_IPV6]), 16);
    EXPECT_EQ(nla_get_u16(svc[SVCNAT_A_SERVICE_PORT]), htons(53));
    EXPECT_EQ(cmd_name(SVCNAT_CMD_AFFINITY_GET), "affinity-get");
    EXPECT_FALSE(is_mutating_cmd(SVCNAT_CMD_AFFINITY_GET));
}

AffinityEntry entry(const char* client, const char* backend, std::uint32_t expires_ms) {
    return AffinityEntry{.client = *Address::parse(client),
                         .backend = Backend{.addr = *Address::parse(backend), .port = 80},
                         .expires_ms = expires_ms};
}

TEST(MergeAffinityDump, JoinsPartsSortsByClientOnceEach) {
    const ServiceKey key{Proto::tcp, v4("10.96.0.10"), 80};
    Service first{.proto = Proto::tcp, .addr = v4("10.96.0.10"), .port = 80};
    first.affinity_entries = {entry("10.244.1.13", "10.244.1.11", 5),
                              entry("fd00::1", "10.244.1.12", 6),
                              entry("10.244.1.2", "10.244.1.12", 7)};
    Service second = first;
    second.affinity_entries = {entry("10.244.1.9", "10.244.1.11", 8),
                               entry("10.244.1.13", "10.244.1.11", 4)};  // seen twice
    const std::vector<AffinityEntry> entries = merge_affinity_dump(key, {first, second});
    ASSERT_EQ(entries.size(), 4U);
    EXPECT_EQ(entries[0].client.to_string(), "10.244.1.2");
    EXPECT_EQ(entries[1].client.to_string(), "10.244.1.9");
    EXPECT_EQ(entries[2].client.to_string(), "10.244.1.13");
    EXPECT_EQ(entries[2].expires_ms, 5U);  // the first one seen
    EXPECT_EQ(entries[3].client.to_string(), "fd00::1");
    EXPECT_TRUE(merge_affinity_dump(key, {}).empty());

    Service other = first;
    other.port = 81;
    EXPECT_THROW(merge_affinity_dump(key, {first, other}), Error);
}

TEST(BuildTrace, ChooseFlagAndNoAck) {
    TraceRequest req{.src = v4("10.244.1.11"), .dst = v4("10.96.0.10"), .dst_port = 80};
    MsgPtr msg = build_trace_request(kFamily, req);
    EXPECT_EQ(NestAttrs(TopAttrs(msg.get())[SVCNAT_A_TRACE])[SVCNAT_A_TRACE_CHOOSE], nullptr);
    EXPECT_NE(nlmsg_hdr(msg.get())->nlmsg_flags & NLM_F_ACK, 0);

    req.choose = true;
    msg = build_trace_request(kFamily, req, false);
    EXPECT_EQ(nlmsg_hdr(msg.get())->nlmsg_flags & NLM_F_ACK, 0);
    const NestAttrs tr(TopAttrs(msg.get())[SVCNAT_A_TRACE]);
    ASSERT_NE(tr[SVCNAT_A_TRACE_CHOOSE], nullptr);
    EXPECT_EQ(nla_len(tr[SVCNAT_A_TRACE_CHOOSE]), 0);
    EXPECT_EQ(tr.count, 5);

    // The message size estimate holds with every optional attribute, IPv6 on both ends.
    req.src = *Address::parse("fd00:244:1::11");
    req.dst = *Address::parse("fd00:96::10");
    req.src_port = 5;
    req.origin = SVCNAT_ORIGIN_POD;
    msg = build_trace_request(kFamily, req);
    EXPECT_EQ(NestAttrs(TopAttrs(msg.get())[SVCNAT_A_TRACE]).count, 7);
}

TEST(ParseTrace, AffinityAndScheduler) {
    const MsgPtr msg = make_msg(1024);
    genlmsg_put(msg.get(), 0, 1, kFamily, 0, 0, SVCNAT_CMD_TRACE, 1);
    nlattr* tr = nla_nest_start(msg.get(), SVCNAT_A_TRACE);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_VERDICT, SVCNAT_VERDICT_DNAT);
    nla_put_flag(msg.get(), SVCNAT_A_TRACE_CHOOSE);  // the request, echoed
    nla_put_u8(msg.get(), SVCNAT_A_TRACE_AFFINITY, 1);
    nla_put_u32(msg.get(), SVCNAT_A_TRACE_SCHEDULER, SVCNAT_SCHEDULER_RR);
    put_backend_nest(msg.get(), SVCNAT_A_TRACE_BACKEND, 0x0af4010c, 3);
    nla_nest_end(msg.get(), tr);
    const TraceReply reply = parse_trace_msg(nlmsg_hdr(msg.get()));
    EXPECT_TRUE(reply.affinity);
    EXPECT_EQ(reply.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_RR));
    ASSERT_TRUE(reply.backend.has_value());
    EXPECT_EQ(reply.backend->addr.to_string(), "10.244.1.12");

    const MsgPtr plain = make_msg(512);
    genlmsg_put(plain.get(), 0, 1, kFamily, 0, 0, SVCNAT_CMD_TRACE, 1);
    tr = nla_nest_start(plain.get(), SVCNAT_A_TRACE);
    nla_put_u32(plain.get(), SVCNAT_A_TRACE_VERDICT, SVCNAT_VERDICT_DNAT);
    nla_put_u8(plain.get(), SVCNAT_A_TRACE_AFFINITY, 0);
    nla_nest_end(plain.get(), tr);
    const TraceReply none = parse_trace_msg(nlmsg_hdr(plain.get()));
    EXPECT_FALSE(none.affinity);
    EXPECT_FALSE(none.scheduler.has_value());
}

TEST(EnumNames, SchedulerAffinityHash) {
    EXPECT_EQ(enum_name(kSchedulerNames, SVCNAT_SCHEDULER_MAGLEV), "maglev");
    EXPECT_EQ(enum_name(kSchedulerNames, SVCNAT_SCHEDULER_RR), "rr");
    EXPECT_EQ(enum_name(kAffinityNames, SVCNAT_AFFINITY_CLIENT_IP), "clientip");
    EXPECT_EQ(enum_name(kHashNames, SVCNAT_HASH_FLOW), "flow");
    EXPECT_EQ(enum_name(kSchedulerNames, 7), "7");
}

}  // namespace
}  // namespace svcnl
