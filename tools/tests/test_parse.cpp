// SPDX-License-Identifier: GPL-2.0-only
// Parsing of option values and apply lines.
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

}  // namespace
}  // namespace svcadm
