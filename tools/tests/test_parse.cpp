// SPDX-License-Identifier: GPL-2.0-only
// Parsing of option values and apply lines.
#include <linux/svcnat.h>

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parse.hpp"

namespace svcadm {
namespace {

TEST(ParsePort, AcceptsOneTo65535) {
    EXPECT_EQ(parse_port("1"), 1);
    EXPECT_EQ(parse_port("80"), 80);
    EXPECT_EQ(parse_port("08081"), 8081);
    EXPECT_EQ(parse_port("65535"), 65535);
}

TEST(ParsePort, RejectsOutOfRangeAndGarbage) {
    for (const char* bad :
         {"", "0", "65536", "99999999999", "-1", "+80", " 80", "80 ", "8o", "0x50", "1e3"}) {
        EXPECT_THROW(parse_port(bad), UsageError) << bad;
    }
}

TEST(ParseWeight, AcceptsZeroTo65535) {
    EXPECT_EQ(parse_weight("0"), 0U);
    EXPECT_EQ(parse_weight("1"), 1U);
    EXPECT_EQ(parse_weight("65535"), 65535U);
}

TEST(ParseWeight, RejectsOutOfRangeAndGarbage) {
    for (const char* bad : {"", "65536", "4294967296", "-1", "1.5", "one"}) {
        EXPECT_THROW(parse_weight(bad), UsageError) << bad;
    }
}

TEST(ParseWeight, MessageNamesValueAndRange) {
    try {
        parse_weight("70000");
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_STREQ(e.what(), "invalid weight '70000' (expected 0..65535)");
    }
}

TEST(ParseEndpoint, IPv4) {
    const Endpoint ep = parse_endpoint("10.96.0.10:8081");
    EXPECT_TRUE(ep.addr.is_ipv4());
    EXPECT_EQ(ep.addr.to_string(), "10.96.0.10");
    EXPECT_EQ(ep.port, 8081);
    EXPECT_FALSE(ep.weight.has_value());
}

TEST(ParseEndpoint, IPv6InBrackets) {
    const Endpoint ep = parse_endpoint("[fd00::a:1]:53");
    EXPECT_FALSE(ep.addr.is_ipv4());
    EXPECT_EQ(ep.addr.to_string(), "fd00::a:1");
    EXPECT_EQ(ep.port, 53);
}

TEST(ParseEndpoint, Weight) {
    Endpoint ep = parse_endpoint("10.0.2.11:80@7", true);
    EXPECT_EQ(ep.port, 80);
    ASSERT_TRUE(ep.weight.has_value());
    EXPECT_EQ(*ep.weight, 7U);
    ep = parse_endpoint("[::1]:80@0", true);
    EXPECT_EQ(ep.weight.value_or(99), 0U);
    ep = parse_endpoint("10.0.2.11:80", true);
    EXPECT_FALSE(ep.weight.has_value());
}

TEST(ParseEndpoint, RejectsBadInput) {
    for (const char* bad :
         {"", "10.0.0.1", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:70000", "10.0.0:80", "10.0.0.256:80",
          "010.0.0.1x:80", "host:80", ":80", "::1:80", "[::1]80", "[::1]", "[::1:80",
          "[10.0.0.1]:80", "[fe80::1%eth0]:80", "10.0.0.1:80@1", " 10.0.0.1:80", "10.0.0.1 :80"}) {
        EXPECT_THROW(parse_endpoint(bad), UsageError) << bad;
    }
    for (const char* bad :
         {"10.0.0.1:80@", "10.0.0.1:80@-1", "10.0.0.1:80@65536", "10.0.0.1@3", "10.0.0.1:80@1@2"}) {
        EXPECT_THROW(parse_endpoint(bad, true), UsageError) << bad;
    }
}

TEST(ParseEndpoint, MessageForUnbracketedIPv6) {
    try {
        parse_endpoint("fd00::1:80");
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("[IPv6]:PORT"), std::string::npos) << e.what();
    }
}

TEST(CheckName, LengthAndControlCharacters) {
    EXPECT_NO_THROW(check_name(""));
    EXPECT_NO_THROW(check_name("default/my-debian:http"));
    EXPECT_NO_THROW(check_name(std::string(255, 'x')));
    EXPECT_THROW(check_name(std::string(256, 'x')), UsageError);
    EXPECT_THROW(check_name("a\nb"), UsageError);
    EXPECT_THROW(check_name("a\tb"), UsageError);
    EXPECT_THROW(check_name("a\x7f"), UsageError);
}

using Words = std::vector<std::string>;

TEST(SplitLine, BlanksSeparateWords) {
    EXPECT_EQ(split_line("add-service -t 10.0.0.1:80"),
              (Words{"add-service", "-t", "10.0.0.1:80"}));
    EXPECT_EQ(split_line("  \tflush  \t "), (Words{"flush"}));
    EXPECT_EQ(split_line("flush\r"), (Words{"flush"}));
}

TEST(SplitLine, BlankAndCommentLinesAreEmpty) {
    EXPECT_TRUE(split_line("").empty());
    EXPECT_TRUE(split_line("   ").empty());
    EXPECT_TRUE(split_line("# a comment").empty());
    EXPECT_TRUE(split_line("   # indented comment").empty());
}

TEST(SplitLine, TrailingComment) {
    EXPECT_EQ(split_line("flush # everything"), (Words{"flush"}));
    // '#' inside a word is not a comment
    EXPECT_EQ(split_line("a#b c"), (Words{"a#b", "c"}));
}

TEST(SplitLine, SingleQuotes) {
    EXPECT_EQ(split_line("--name 'default/x:http'"), (Words{"--name", "default/x:http"}));
    EXPECT_EQ(split_line("--name 'a b  c'"), (Words{"--name", "a b  c"}));
    EXPECT_EQ(split_line(R"('a\b "c" #d')"), (Words{R"(a\b "c" #d)"}));
    EXPECT_EQ(split_line("--name ''"), (Words{"--name", ""}));
}

TEST(SplitLine, DoubleQuotes) {
    EXPECT_EQ(split_line(R"("a b" "c 'd'")"), (Words{"a b", "c 'd'"}));
    EXPECT_EQ(split_line(R"("a \"b\" \\ \$ \` \n")"), (Words{R"(a "b" \ $ ` \n)"}));
    EXPECT_EQ(split_line(R"("")"), (Words{""}));
}

TEST(SplitLine, AdjacentPartsJoin) {
    EXPECT_EQ(split_line(R"('it'\''s')"), (Words{"it's"}));
    EXPECT_EQ(split_line(R"(a"b c"'d e'f)"), (Words{"ab cd ef"}));
}

TEST(SplitLine, BackslashOutsideQuotes) {
    EXPECT_EQ(split_line(R"(a\ b c\#d \#e)"), (Words{"a b", "c#d", "#e"}));
}

TEST(SplitLine, Errors) {
    EXPECT_THROW(split_line("--name 'abc"), UsageError);
    EXPECT_THROW(split_line(R"(--name "abc)"), UsageError);
    EXPECT_THROW(split_line(R"(--name "abc\")"), UsageError);
    EXPECT_THROW(split_line("flush \\"), UsageError);
}

TEST(ShellQuote, RoundTripsThroughSplitLine) {
    for (const std::string word : {"", "plain", "default/my-debian:http", "it's", "''", "a b",
                                   "\"q\"", "back\\slash", "#hash", "$var `cmd`"}) {
        EXPECT_EQ(split_line(shell_quote(word)), (Words{word})) << word;
    }
    EXPECT_EQ(shell_quote("it's"), R"('it'\''s')");
}

std::string usage_error(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const UsageError& e) {
        return e.what();
    }
    return "no error";
}

TEST(ParseCidr, AddressesAndLengths) {
    svcnl::Prefix p = parse_cidr("10.244.0.0/16");
    EXPECT_EQ(p.addr.to_string(), "10.244.0.0");
    EXPECT_EQ(p.len, 16);
    EXPECT_EQ(parse_cidr("0.0.0.0/0").to_string(), "0.0.0.0/0");
    EXPECT_EQ(parse_cidr("192.168.77.1").to_string(), "192.168.77.1/32");  // bare: full length
    EXPECT_EQ(parse_cidr("192.168.77.1/32").to_string(), "192.168.77.1/32");
    EXPECT_EQ(parse_cidr("10.244.1.128/25").len, 25);
    p = parse_cidr("fd00:10:244::/56");
    EXPECT_FALSE(p.addr.is_ipv4());
    EXPECT_EQ(p.len, 56);
    EXPECT_EQ(parse_cidr("::1").len, 128);
}

TEST(ParseCidr, RejectsHostBitsAndBadLengths) {
    EXPECT_EQ(usage_error([] { parse_cidr("10.244.1.1/16"); }),
              "host bits set in '10.244.1.1/16' (did you mean 10.244.0.0/16?)");
    EXPECT_EQ(usage_error([] { parse_cidr("fd00::1/64"); }),
              "host bits set in 'fd00::1/64' (did you mean fd00::/64?)");
    EXPECT_EQ(usage_error([] { parse_cidr("10.0.0.0/33"); }),
              "invalid prefix length in '10.0.0.0/33' (expected 0..32)");
    for (const char* bad : {"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0/8", "x/8", "", "/8",
                            "fd00::/129", "10.0.0.0/ 8"}) {
        EXPECT_THROW(parse_cidr(bad), UsageError) << bad;
    }
}

TEST(ParseMark, OneBitDecimalOrHex) {
    EXPECT_EQ(parse_mark("0x4000"), 0x4000U);
    EXPECT_EQ(parse_mark("0X8000"), 0x8000U);
    EXPECT_EQ(parse_mark("16384"), 0x4000U);
    EXPECT_EQ(parse_mark("1"), 1U);
    EXPECT_EQ(parse_mark("0x80000000"), 0x80000000U);
    for (const char* bad : {"0", "0x0", "0x3", "3", "0x", "0x1g", "0x100000000", "-1", "mark"}) {
        EXPECT_THROW(parse_mark(bad), UsageError) << bad;
    }
    EXPECT_EQ(usage_error([] { parse_mark("0x6000"); }),
              "invalid mark '0x6000' (expected a single bit, e.g. 0x4000 or 16384)");
    EXPECT_EQ(format_mark(0x4000), "0x4000");
    EXPECT_EQ(format_mark(0x80000000), "0x80000000");
}

TEST(ParseChoice, CaseInsensitiveWithTheChoicesInTheError) {
    EXPECT_EQ(parse_choice("local", svcnl::kTrafficPolicyNames, "external policy"),
              static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_LOCAL));
    EXPECT_EQ(parse_choice("Cluster", svcnl::kTrafficPolicyNames, "external policy"),
              static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_CLUSTER));
    EXPECT_EQ(parse_choice("mark", svcnl::kMasqModeNames, "masquerade mode"),
              static_cast<std::uint32_t>(SVCNAT_MASQ_MODE_MARK));
    EXPECT_EQ(usage_error([] { parse_choice("all", svcnl::kUnknownPortNames, "unknown-port"); }),
              "invalid unknown-port 'all' (expected accept or reject)");
    EXPECT_TRUE(parse_on_off("on", "masquerade-all"));
    EXPECT_FALSE(parse_on_off("OFF", "masquerade-all"));
    EXPECT_THROW(parse_on_off("yes", "masquerade-all"), UsageError);
}

TEST(ParseOrigin, ExternalIsTheKernelsOther) {
    EXPECT_EQ(parse_origin("pod"), static_cast<std::uint32_t>(SVCNAT_ORIGIN_POD));
    EXPECT_EQ(parse_origin("node"), static_cast<std::uint32_t>(SVCNAT_ORIGIN_NODE));
    EXPECT_EQ(parse_origin("external"), static_cast<std::uint32_t>(SVCNAT_ORIGIN_OTHER));
    EXPECT_EQ(parse_origin("other"), static_cast<std::uint32_t>(SVCNAT_ORIGIN_OTHER));
    EXPECT_EQ(usage_error([] { parse_origin("cluster"); }),
              "invalid origin 'cluster' (expected pod, node or external)");
}

TEST(ParseSource, AddressWithOptionalPort) {
    Source src = parse_source("10.244.1.11");
    EXPECT_EQ(src.addr.to_string(), "10.244.1.11");
    EXPECT_FALSE(src.port.has_value());
    src = parse_source("10.0.1.2:40001");
    EXPECT_EQ(src.addr.to_string(), "10.0.1.2");
    EXPECT_EQ(src.port, 40001);
    src = parse_source("fd00::1");
    EXPECT_FALSE(src.addr.is_ipv4());
    EXPECT_FALSE(src.port.has_value());
    src = parse_source("[fd00::1]:53");
    EXPECT_EQ(src.port, 53);
    EXPECT_EQ(usage_error([] { parse_source("pod1"); }),
              "invalid source 'pod1' (expected ADDR, a.b.c.d:PORT or [IPv6]:PORT)");
    EXPECT_EQ(usage_error([] { parse_source("10.0.1.2:0"); }),
              "invalid port '0' (expected 1..65535)");
}

TEST(ParseServiceEndpoint, HeadlessAndExternalNameAreExplained) {
    EXPECT_EQ(parse_service_endpoint("10.96.0.10:80").port, 80);
    EXPECT_EQ(parse_service_endpoint("[fd00::10]:80").port, 80);
    for (const char* headless : {"None:80", "None", "none:443", ":80"}) {
        const std::string msg = usage_error([headless] { parse_service_endpoint(headless); });
        EXPECT_EQ(msg.rfind("headless services (clusterIP None) have no data path and cannot be "
                            "expressed",
                            0),
                  0U)
            << msg;
    }
    EXPECT_EQ(usage_error([] { parse_service_endpoint("my-svc.example.com:80"); }),
              "invalid IPv4 address 'my-svc.example.com' in 'my-svc.example.com:80' (a DNS "
              "name? ExternalName services cannot be expressed: a service needs a cluster IP)");
    // Other errors are unchanged.
    EXPECT_EQ(usage_error([] { parse_service_endpoint("10.0.0.1:0"); }),
              "invalid port '0' (expected 1..65535)");
}

TEST(ParseAddress, BareAddressesOnly) {
    EXPECT_EQ(parse_address("198.51.100.10", "external IP").to_string(), "198.51.100.10");
    EXPECT_FALSE(parse_address("2001:db8::1", "external IP").is_ipv4());
    EXPECT_EQ(usage_error([] { parse_address("198.51.100.10:80", "external IP"); }),
              "invalid external IP '198.51.100.10:80' (expected an IPv4 or IPv6 address)");
    EXPECT_THROW(parse_address("[2001:db8::1]", "lb IP"), UsageError);
    EXPECT_THROW(parse_address("10.0.0.0/8", "lb IP"), UsageError);
}

TEST(ParseAffinity, NoneAndClientIpInAnyCase) {
    for (const char* none : {"none", "None", "NONE"}) {
        EXPECT_EQ(parse_affinity(none), static_cast<std::uint32_t>(SVCNAT_AFFINITY_NONE)) << none;
    }
    for (const char* client : {"clientip", "ClientIP", "CLIENTIP", "client-ip", "Client-IP"}) {
        EXPECT_EQ(parse_affinity(client), static_cast<std::uint32_t>(SVCNAT_AFFINITY_CLIENT_IP))
            << client;
    }
    EXPECT_EQ(usage_error([] { parse_affinity("sticky"); }),
              "invalid affinity 'sticky' (expected none or clientip)");
    EXPECT_THROW(parse_affinity(""), UsageError);
}

TEST(ParseAffinityTimeout, OneSecondToOneDay) {
    EXPECT_EQ(parse_affinity_timeout("1"), 1U);
    EXPECT_EQ(parse_affinity_timeout("10800"), 10800U);
    EXPECT_EQ(parse_affinity_timeout("86400"), 86400U);
    for (const char* bad : {"0", "86401", "-1", "1.5", "", "10s", "99999999999"}) {
        EXPECT_THROW(parse_affinity_timeout(bad), UsageError) << bad;
    }
    EXPECT_EQ(usage_error([] { parse_affinity_timeout("0"); }),
              "invalid affinity timeout '0' (expected 1..86400 seconds)");
}

TEST(ParseMaglevSize, PrimesFromSevenToTheMaximum) {
    for (const std::uint32_t size : {7U, 1021U, 4093U, 16381U, 65521U, 8388593U}) {
        EXPECT_EQ(parse_maglev_size(std::to_string(size)), size);
    }
    for (const char* bad : {"5", "6", "8", "1000", "1023", "8388594", "8388617", "0", "x", ""}) {
        EXPECT_THROW(parse_maglev_size(bad), UsageError) << bad;
    }
    EXPECT_EQ(usage_error([] { parse_maglev_size("1000"); }),
              "invalid maglev size '1000' (expected a prime from 7 to 8388593, e.g. 1021, 4093, "
              "16381)");
}

TEST(IsPrime, SmallAndLarge) {
    EXPECT_FALSE(is_prime(0));
    EXPECT_FALSE(is_prime(1));
    EXPECT_TRUE(is_prime(2));
    EXPECT_TRUE(is_prime(3));
    EXPECT_FALSE(is_prime(9));
    EXPECT_FALSE(is_prime(1021U * 1021U));
    EXPECT_TRUE(is_prime(8388593));
    EXPECT_TRUE(is_prime(4294967291U));  // the largest 32-bit prime: no overflow
}

TEST(ParseFlowCount, OneToOneHundredThousand) {
    EXPECT_EQ(parse_flow_count("1"), 1U);
    EXPECT_EQ(parse_flow_count("100000"), 100000U);
    for (const char* bad : {"0", "100001", "-5", "1e3", ""}) {
        EXPECT_THROW(parse_flow_count(bad), UsageError) << bad;
    }
    EXPECT_EQ(usage_error([] { parse_flow_count("0"); }),
              "invalid flow count '0' (expected 1..100000)");
}

}  // namespace
}  // namespace svcadm
