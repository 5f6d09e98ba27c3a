// SPDX-License-Identifier: GPL-2.0-only
// Decoding of (extended) ACKs and the error messages built from them.
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/svcnat.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <gtest/gtest.h>

#include "svcnl/error.hpp"
#include "svcnl/message.hpp"

namespace svcnl {
namespace {

constexpr int kFamily = 0x20;

struct ExtAck {
    const char* text = nullptr;
    std::optional<std::uint32_t> miss_type{};
    std::optional<std::uint32_t> miss_nest{};
    std::optional<std::uint32_t> cookie{};
};

// An NLMSG_ERROR for `request` as the kernel writes it.
MsgPtr error_msg(nl_msg* request, int error, bool capped, const std::optional<ExtAck>& ext) {
    const nlmsghdr* req = nlmsg_hdr(request);
    MsgPtr msg = make_msg(8192);
    int flags = 0;
    if (capped) {
        flags |= NLM_F_CAPPED;
    }
    if (ext) {
        flags |= NLM_F_ACK_TLVS;
    }
    nlmsghdr* nlh = nlmsg_put(msg.get(), 0, req->nlmsg_seq, NLMSG_ERROR, sizeof(nlmsgerr), flags);
    EXPECT_NE(nlh, nullptr);
    auto* err = static_cast<nlmsgerr*>(nlmsg_data(nlh));
    err->error = error;
    std::memcpy(&err->msg, req, sizeof(*req));
    if (!capped) {
        EXPECT_EQ(
            nlmsg_append(msg.get(), nlmsg_data(req), req->nlmsg_len - NLMSG_HDRLEN, NLMSG_ALIGNTO),
            0);
    }
    if (ext) {
        if (ext->text != nullptr) {
            nla_put_string(msg.get(), NLMSGERR_ATTR_MSG, ext->text);
        }
        if (ext->miss_type) {
            nla_put_u32(msg.get(), NLMSGERR_ATTR_MISS_TYPE, *ext->miss_type);
        }
        if (ext->miss_nest) {
            nla_put_u32(msg.get(), NLMSGERR_ATTR_MISS_NEST, *ext->miss_nest);
        }
        if (ext->cookie) {
            nla_put_u32(msg.get(), NLMSGERR_ATTR_COOKIE, *ext->cookie);
        }
    }
    return msg;
}

MsgPtr sample_request() {
    Service svc;
    svc.addr = Address::ipv4({10, 96, 0, 10});
    svc.port = 80;
    svc.name = "ns/a:b";
    svc.backends.push_back(Backend{.addr = Address::ipv4({10, 0, 0, 1}), .port = 8080});
    return build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, svc});
}

TEST(ParseErrorMsg, PlainError) {
    const MsgPtr req = sample_request();
    const MsgPtr msg = error_msg(req.get(), -EEXIST, false, std::nullopt);
    const AckInfo info = parse_error_msg(nlmsg_hdr(msg.get()));
    EXPECT_EQ(info.error, -EEXIST);
    EXPECT_TRUE(info.message.empty());
    EXPECT_FALSE(info.miss_type.has_value());
}

TEST(ParseErrorMsg, CappedWithExtAck) {
    const MsgPtr req = sample_request();
    const MsgPtr msg =
        error_msg(req.get(), -EINVAL, true, ExtAck{"maglev-size is not a prime", 4, 20});
    const AckInfo info = parse_error_msg(nlmsg_hdr(msg.get()));
    EXPECT_EQ(info.error, -EINVAL);
    EXPECT_EQ(info.message, "maglev-size is not a prime");
    EXPECT_EQ(info.miss_type, 4U);
    EXPECT_EQ(info.miss_nest, 20U);
}

TEST(ParseErrorMsg, UncappedSkipsTheEchoedRequest) {
    const MsgPtr req = sample_request();
    const MsgPtr msg = error_msg(req.get(), -ENOENT, false, ExtAck{"service not found"});
    const AckInfo info = parse_error_msg(nlmsg_hdr(msg.get()));
    EXPECT_EQ(info.error, -ENOENT);
    EXPECT_EQ(info.message, "service not found");
}

TEST(ParseErrorMsg, CookieCarriesTheOpIndex) {
    const MsgPtr req = sample_request();
    const MsgPtr msg =
        error_msg(req.get(), -ENOENT, true, ExtAck{.text = "service not found", .cookie = 41});
    const AckInfo info = parse_error_msg(nlmsg_hdr(msg.get()));
    EXPECT_EQ(info.message, "service not found");
    EXPECT_EQ(info.cookie, 41U);
}

TEST(ParseErrorMsg, AckIsErrorZero) {
    const MsgPtr req = sample_request();
    const MsgPtr msg = error_msg(req.get(), 0, true, std::nullopt);
    EXPECT_EQ(parse_error_msg(nlmsg_hdr(msg.get())).error, 0);
}

TEST(ParseDoneMsg, ErrorAndMessage) {
    MsgPtr msg = make_msg(1024);
    nlmsghdr* nlh =
        nlmsg_put(msg.get(), 0, 1, NLMSG_DONE, sizeof(int), NLM_F_MULTI | NLM_F_ACK_TLVS);
    const int error = -EMSGSIZE;
    std::memcpy(nlmsg_data(nlh), &error, sizeof(error));
    nla_put_string(msg.get(), NLMSGERR_ATTR_MSG, "dump failed");
    const AckInfo info = parse_done_msg(nlmsg_hdr(msg.get()));
    EXPECT_EQ(info.error, -EMSGSIZE);
    EXPECT_EQ(info.message, "dump failed");
}

TEST(ParseDoneMsg, SuccessfulAndEmptyDone) {
    MsgPtr msg = make_msg(1024);
    nlmsghdr* nlh = nlmsg_put(msg.get(), 0, 1, NLMSG_DONE, sizeof(int), NLM_F_MULTI);
    std::memset(nlmsg_data(nlh), 0, sizeof(int));
    EXPECT_EQ(parse_done_msg(nlmsg_hdr(msg.get())).error, 0);

    MsgPtr empty = make_msg(1024);
    nlmsg_put(empty.get(), 0, 1, NLMSG_DONE, 0, NLM_F_MULTI);
    EXPECT_EQ(parse_done_msg(nlmsg_hdr(empty.get())).error, 0);
}

TEST(SplitOpPrefix, Forms) {
    auto p = split_op_prefix("op 3: backend exists");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->index, 3U);
    EXPECT_EQ(std::string("op 3: backend exists").substr(p->rest), "backend exists");

    const std::string with_module = "svcnat: op 12: service not found";
    p = split_op_prefix(with_module);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->index, 12U);
    EXPECT_EQ(with_module.substr(p->rest), "service not found");

    p = split_op_prefix("op 0:");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->index, 0U);

    for (const char* none : {"", "service not found", "op x: y", "op 3 backend", "op 3",
                             "operation 1: x", "some text: op 1: x", "svcnat: oops", "op : x"}) {
        EXPECT_FALSE(split_op_prefix(none).has_value()) << none;
    }
}

TEST(KernelErrorText, MessageAndStrerror) {
    const KernelError e(EEXIST, "backend exists", "");
    EXPECT_STREQ(e.what(), "backend exists (File exists)");
    EXPECT_EQ(e.error(), EEXIST);
    EXPECT_FALSE(e.op_index().has_value());
}

TEST(KernelErrorText, OpIndex) {
    const KernelError e(ENOENT, "op 7: service not found", "");
    EXPECT_STREQ(e.what(), "op 7: service not found (No such file or directory)");
    EXPECT_EQ(e.op_index(), 7U);
    EXPECT_EQ(e.describe_without_op(), "service not found (No such file or directory)");
}

TEST(KernelErrorText, OpIndexGivenSeparately) {
    const KernelError e(ENOENT, "service not found", "", 5);
    EXPECT_STREQ(e.what(), "op 5: service not found (No such file or directory)");
    EXPECT_EQ(e.op_index(), 5U);
    EXPECT_EQ(e.describe_without_op(), "service not found (No such file or directory)");
    // Both: the separate index wins, the text is not prefixed twice.
    const KernelError both(ENOENT, "op 2: service not found", "", 2);
    EXPECT_STREQ(both.what(), "op 2: service not found (No such file or directory)");
    EXPECT_EQ(both.op_index(), 2U);
}

TEST(KernelErrorText, PermissionDenied) {
    const KernelError e(EPERM, "", "");
    EXPECT_STREQ(e.what(), "Operation not permitted (CAP_NET_ADMIN is required)");
}

TEST(KernelErrorText, MissingAttributeOnly) {
    const KernelError e(EINVAL, "", "missing attribute port in backend");
    EXPECT_STREQ(e.what(), "missing attribute port in backend (Invalid argument)");
    const KernelError both(EINVAL, "bad backend", "missing attribute port in backend");
    EXPECT_STREQ(both.what(), "bad backend, missing attribute port in backend (Invalid argument)");
}

TEST(KernelErrorText, AlwaysOneLine) {
    const KernelError e(EINVAL, "two\nlines\n", "");
    EXPECT_STREQ(e.what(), "two lines (Invalid argument)");
}

std::uint32_t offset_in(nl_msg* msg, const nlattr* nla) {
    return static_cast<std::uint32_t>(reinterpret_cast<const unsigned char*>(nla) -
                                      reinterpret_cast<const unsigned char*>(nlmsg_hdr(msg)));
}

TEST(DescribeMissing, NamesAttributeAndNest) {
    const MsgPtr req = sample_request();
    const nlmsghdr* nlh = nlmsg_hdr(req.get());
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_SERVICE, std::nullopt), "missing attribute service");

    auto* genl = static_cast<genlmsghdr*>(nlmsg_data(nlh));
    nlattr* svc = nla_find(genlmsg_attrdata(genl, 0), genlmsg_attrlen(genl, 0), SVCNAT_A_SERVICE);
    ASSERT_NE(svc, nullptr);
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_SERVICE_PORT, offset_in(req.get(), svc)),
              "missing attribute port in service");

    nlattr* be =
        nla_find(static_cast<nlattr*>(nla_data(svc)), nla_len(svc), SVCNAT_A_SERVICE_BACKEND);
    ASSERT_NE(be, nullptr);
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_BACKEND_PORT, offset_in(req.get(), be)),
              "missing attribute port in backend");

    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_BACKEND_PORT, 9999),
              "missing attribute type 3 in the nest at offset 9999");
    EXPECT_EQ(describe_missing(nullptr, 99, std::nullopt), "missing attribute type 99");
}

TEST(DescribeMissing, InsideTransactionOps) {
    Service svc;
    svc.addr = Address::ipv4({10, 96, 0, 10});
    svc.port = 80;
    const std::vector<Op> ops{Op{SVCNAT_CMD_SERVICE_NEW, svc}, Op{SVCNAT_CMD_SERVICE_DEL, svc}};
    const TxnChunk chunk = build_txn_ops(kFamily, 5, ops, 0);
    const nlmsghdr* nlh = nlmsg_hdr(chunk.msg.get());
    auto* genl = static_cast<genlmsghdr*>(nlmsg_data(nlh));
    nlattr* pos = nullptr;
    int rem = 0;
    std::vector<nlattr*> op_nests;
    nla_for_each_attr(pos, genlmsg_attrdata(genl, 0), genlmsg_attrlen(genl, 0), rem) {
        if (nla_type(pos) == SVCNAT_A_OP) {
            op_nests.push_back(pos);
        }
    }
    ASSERT_EQ(op_nests.size(), 2U);
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_OP_CMD, offset_in(chunk.msg.get(), op_nests[1])),
              "missing attribute cmd in op");
    nlattr* inner = nla_find(static_cast<nlattr*>(nla_data(op_nests[1])), nla_len(op_nests[1]),
                             SVCNAT_A_OP_SERVICE);
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_SERVICE_ADDR_IPV4, offset_in(chunk.msg.get(), inner)),
              "missing attribute addr-ipv4 in service");
}

TEST(DescribeMissing, ConfigPrefixAndTraceNests) {
    NodeConfig config;
    config.cluster_cidrs = {Prefix{Address::ipv4({10, 244, 0, 0}), 16}};
    const MsgPtr req = build_config_set(kFamily, config);
    const nlmsghdr* nlh = nlmsg_hdr(req.get());
    auto* genl = static_cast<genlmsghdr*>(nlmsg_data(nlh));
    nlattr* cfg = nla_find(genlmsg_attrdata(genl, 0), genlmsg_attrlen(genl, 0), SVCNAT_A_CONFIG);
    ASSERT_NE(cfg, nullptr);
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_CONFIG_MASQ_MODE, offset_in(req.get(), cfg)),
              "missing attribute masq-mode in config");
    nlattr* cidr =
        nla_find(static_cast<nlattr*>(nla_data(cfg)), nla_len(cfg), SVCNAT_A_CONFIG_CLUSTER_CIDR);
    ASSERT_NE(cidr, nullptr);
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_PREFIX_LEN, offset_in(req.get(), cidr)),
              "missing attribute len in prefix");

    const MsgPtr trace =
        build_trace_request(kFamily, TraceRequest{.src = Address::ipv4({10, 0, 1, 2}),
                                                  .dst = Address::ipv4({10, 96, 0, 10}),
                                                  .dst_port = 80});
    const nlmsghdr* tnlh = nlmsg_hdr(trace.get());
    auto* tgenl = static_cast<genlmsghdr*>(nlmsg_data(tnlh));
    nlattr* tr = nla_find(genlmsg_attrdata(tgenl, 0), genlmsg_attrlen(tgenl, 0), SVCNAT_A_TRACE);
    ASSERT_NE(tr, nullptr);
    EXPECT_EQ(describe_missing(tnlh, SVCNAT_A_TRACE_DST_PORT, offset_in(trace.get(), tr)),
              "missing attribute dst-port in trace");
    EXPECT_EQ(describe_missing(tnlh, SVCNAT_A_TRACE, std::nullopt), "missing attribute trace");
}

TEST(DescribeMissing, NewServiceAndTraceAttributes) {
    Service svc;
    svc.addr = Address::ipv4({10, 96, 0, 10});
    svc.port = 80;
    const MsgPtr req = build_op_request(kFamily, Op{SVCNAT_CMD_SERVICE_NEW, svc});
    const nlmsghdr* nlh = nlmsg_hdr(req.get());
    auto* genl = static_cast<genlmsghdr*>(nlmsg_data(nlh));
    nlattr* nest = nla_find(genlmsg_attrdata(genl, 0), genlmsg_attrlen(genl, 0), SVCNAT_A_SERVICE);
    ASSERT_NE(nest, nullptr);
    const std::uint32_t off = offset_in(req.get(), nest);
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT, off),
              "missing attribute affinity-timeout in service");
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_SERVICE_MAGLEV_SIZE, off),
              "missing attribute maglev-size in service");
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_SERVICE_FLUSH_CONNS, off),
              "missing attribute flush-conns in service");
    EXPECT_EQ(describe_missing(nlh, SVCNAT_A_SERVICE_AFFINITY_ENTRY, off),
              "missing attribute affinity-entry in service");

    const MsgPtr get = build_affinity_request(kFamily, ServiceKey{Proto::tcp, svc.addr, 80});
    const nlmsghdr* gnlh = nlmsg_hdr(get.get());
    auto* ggenl = static_cast<genlmsghdr*>(nlmsg_data(gnlh));
    nlattr* key = nla_find(genlmsg_attrdata(ggenl, 0), genlmsg_attrlen(ggenl, 0), SVCNAT_A_SERVICE);
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(describe_missing(gnlh, SVCNAT_A_SERVICE_PORT, offset_in(get.get(), key)),
              "missing attribute port in service");

    const MsgPtr trace =
        build_trace_request(kFamily, TraceRequest{.src = Address::ipv4({10, 0, 1, 2}),
                                                  .dst = Address::ipv4({10, 96, 0, 10}),
                                                  .dst_port = 80,
                                                  .choose = true});
    const nlmsghdr* tnlh = nlmsg_hdr(trace.get());
    auto* tgenl = static_cast<genlmsghdr*>(nlmsg_data(tnlh));
    nlattr* tr = nla_find(genlmsg_attrdata(tgenl, 0), genlmsg_attrlen(tgenl, 0), SVCNAT_A_TRACE);
    ASSERT_NE(tr, nullptr);
    EXPECT_EQ(describe_missing(tnlh, SVCNAT_A_TRACE_SCHEDULER, offset_in(trace.get(), tr)),
              "missing attribute scheduler in trace");
    EXPECT_EQ(describe_missing(tnlh, SVCNAT_A_TRACE_CHOOSE, offset_in(trace.get(), tr)),
              "missing attribute choose in trace");
}

TEST(OneLine, ReplacesControlCharacters) {
    EXPECT_EQ(one_line("a\tb\nc\r"), "a b c");
    EXPECT_EQ(one_line("plain"), "plain");
}

TEST(FamilyNotFound, Message) {
    EXPECT_STREQ(FamilyNotFound().what(),
                 "svcnat kernel module not loaded (family svcnat not found)");
}

}  // namespace
}  // namespace svcnl
