// SPDX-License-Identifier: GPL-2.0-only
// list (table, json) and save output.
#include <linux/svcnat.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "format.hpp"
#include "svcnl/error.hpp"

namespace svcadm {
namespace {

using svcnl::Address;
using svcnl::Backend;
using svcnl::Proto;
using svcnl::Service;

Address addr(const char* text) {
    return *Address::parse(text);
}

std::vector<Service> sample() {
    Service tcp;
    tcp.proto = Proto::tcp;
    tcp.addr = addr("10.96.0.10");
    tcp.port = 8081;
    tcp.name = "default/my-debian:http";
    tcp.backends.push_back(Backend{.addr = addr("10.0.2.11"), .port = 80, .weight = 1, .flags = 3});
    tcp.backends.push_back(
        Backend{.addr = addr("10.0.2.12"),
                .port = 80,
                .weight = 0,
                .flags = SVCNAT_BACKEND_FLAGS_SERVING | SVCNAT_BACKEND_FLAGS_TERMINATING});
    Service udp;
    udp.proto = Proto::udp;
    udp.addr = addr("fd00::a");
    udp.port = 53;
    return {tcp, udp};
}

TEST(FormatConditions, Names) {
    EXPECT_EQ(format_conditions(svcnl::kDefaultFlags), "ready,serving");
    EXPECT_EQ(format_conditions(0), "-");
    EXPECT_EQ(format_conditions(SVCNAT_BACKEND_FLAGS_SERVING | SVCNAT_BACKEND_FLAGS_TERMINATING |
                                SVCNAT_BACKEND_FLAGS_LOCAL),
              "serving,terminating,local");
    EXPECT_EQ(format_conditions(SVCNAT_BACKEND_FLAGS_READY | 0x30U), "ready,0x30");
}

TEST(FormatTable, LooksLikeIpvsadm) {
    EXPECT_EQ(format_table(sample()),
              "Prot LocalAddress:Port  Name\n"
              "  -> RemoteAddress:Port Weight Conditions\n"
              "TCP  10.96.0.10:8081    default/my-debian:http\n"
              "  -> 10.0.2.11:80       1      ready,serving\n"
              "  -> 10.0.2.12:80       0      serving,terminating\n"
              "UDP  [fd00::a]:53\n");
}

TEST(FormatTable, ColumnsGrowWithLongAddresses) {
    Service svc;
    svc.proto = Proto::sctp;
    svc.addr = addr("fd00:1111:2222:3333:4444:5555:6666:7777");
    svc.port = 65535;
    svc.backends.push_back(
        Backend{.addr = addr("10.0.0.1"), .port = 1, .weight = 65535, .flags = 0});
    EXPECT_EQ(format_table({svc}),
              "Prot LocalAddress:Port                               Name\n"
              "  -> RemoteAddress:Port                              Weight Conditions\n"
              "SCTP [fd00:1111:2222:3333:4444:5555:6666:7777]:65535\n"
              "  -> 10.0.0.1:1                                      65535  -\n");
}

TEST(FormatTable, Empty) {
    EXPECT_EQ(format_table({}),
              "Prot LocalAddress:Port  Name\n"
              "  -> RemoteAddress:Port Weight Conditions\n");
}

TEST(FormatJson, Schema) {
    EXPECT_EQ(format_json(sample()), R"({
  "services": [
    {
      "protocol": "tcp",
      "address": "10.96.0.10",
      "port": 8081,
      "name": "default/my-debian:http",
      "backends": [
        {
          "address": "10.0.2.11",
          "port": 80,
          "weight": 1,
          "flags": 3,
          "conditions": {"ready": true, "serving": true, "terminating": false, "local": false}
        },
        {
          "address": "10.0.2.12",
          "port": 80,
          "weight": 0,
          "flags": 6,
          "conditions": {"ready": false, "serving": true, "terminating": true, "local": false}
        }
      ]
    },
    {
      "protocol": "udp",
      "address": "fd00::a",
      "port": 53,
      "name": "",
      "backends": []
    }
  ]
}
)");
}

TEST(FormatJson, Empty) {
    EXPECT_EQ(format_json({}), "{\n  \"services\": []\n}\n");
}

TEST(FormatJson, EscapesStrings) {
    EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(json_string("\n\t\x01\x7f"), R"("\n\t\u0001\u007f")");
    EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

TEST(FormatSave, OneLinePerServiceAndBackend) {
    EXPECT_EQ(format_save(sample()),
              "add-service -t 10.96.0.10:8081 --name 'default/my-debian:http'\n"
              "add-backend -t 10.96.0.10:8081 -r 10.0.2.11:80 -w 1\n"
              "add-backend -t 10.96.0.10:8081 -r 10.0.2.12:80 -w 0 --not-ready --terminating\n"
              "add-service -u [fd00::a]:53\n");
}

TEST(FormatSave, EveryConditionAndProtocol) {
    Service svc;
    svc.proto = Proto::sctp;
    svc.addr = addr("10.0.0.1");
    svc.port = 9;
    svc.name = "it's";
    svc.backends.push_back(Backend{.addr = addr("::1"), .port = 7, .weight = 3, .flags = 0xc});
    EXPECT_EQ(format_save({svc}),
              "add-service --sctp 10.0.0.1:9 --name 'it'\\''s'\n"
              "add-backend --sctp 10.0.0.1:9 -r [::1]:7 -w 3 --not-ready --not-serving "
              "--terminating --local\n");
}

TEST(FormatSave, EmptyNameIsOmitted) {
    std::vector<Service> services = sample();
    services[0].name = "";
    EXPECT_EQ(format_save(services).substr(0, 32), "add-service -t 10.96.0.10:8081\na");
}

TEST(FormatSave, RefusesWhatApplyCannotRead) {
    std::vector<Service> services = sample();
    services[0].name = "two\nlines";
    EXPECT_THROW(format_save(services), svcnl::Error);
    services = sample();
    services[0].proto = static_cast<Proto>(99);
    EXPECT_THROW(format_save(services), svcnl::Error);
}

TEST(SortServices, ByAddressPortProtocolThenBackends) {
    std::vector<Service> services(4);
    services[0].addr = addr("fd00::1");
    services[0].port = 1;
    services[1].addr = addr("10.0.0.2");
    services[1].port = 53;
    services[1].proto = Proto::udp;
    services[2].addr = addr("10.0.0.2");
    services[2].port = 53;
    services[2].proto = Proto::tcp;
    services[2].backends.push_back(Backend{.addr = addr("10.1.0.10"), .port = 2});
    services[2].backends.push_back(Backend{.addr = addr("10.1.0.9"), .port = 5});
    services[2].backends.push_back(Backend{.addr = addr("10.1.0.9"), .port = 3});
    services[3].addr = addr("9.255.255.255");
    services[3].port = 65535;
    svcnl::sort_services(services);
    EXPECT_EQ(services[0].addr.to_string(), "9.255.255.255");
    EXPECT_EQ(services[1].proto, Proto::tcp);
    EXPECT_EQ(services[2].proto, Proto::udp);
    EXPECT_EQ(services[3].addr.to_string(), "fd00::1");
    const auto& bes = services[1].backends;
    EXPECT_EQ(svcnl::format_endpoint(bes[0].addr, bes[0].port), "10.1.0.9:3");
    EXPECT_EQ(svcnl::format_endpoint(bes[1].addr, bes[1].port), "10.1.0.9:5");
    EXPECT_EQ(svcnl::format_endpoint(bes[2].addr, bes[2].port), "10.1.0.10:2");
}

}  // namespace
}  // namespace svcadm
