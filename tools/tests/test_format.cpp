// SPDX-License-Identifier: GPL-2.0-only
// list (table, json) and save output.
#include <linux/svcnat.h>

#include <algorithm>
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
      "node-port": null,
      "external-ip": [],
      "lb-ip": [],
      "source-range": [],
      "external-policy": "cluster",
      "internal-policy": "cluster",
      "scheduler": "random",
      "hash": null,
      "maglev-size": null,
      "affinity": "none",
      "affinity-timeout": null,
      "stats": {"conns": 0, "masqueraded": 0, "rejected-no-endpoints": 0, "dropped-no-local": 0, "dropped-source-range": 0},
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
      "node-port": null,
      "external-ip": [],
      "lb-ip": [],
      "source-range": [],
      "external-policy": "cluster",
      "internal-policy": "cluster",
      "scheduler": "random",
      "hash": null,
      "maglev-size": null,
      "affinity": "none",
      "affinity-timeout": null,
      "stats": {"conns": 0, "masqueraded": 0, "rejected-no-endpoints": 0, "dropped-no-local": 0, "dropped-source-range": 0},
      "backends": []
    }
  ]
}
)");
}

// A service with every frontend, both policies Local and counters.
Service exposed() {
    Service svc;
    svc.proto = Proto::tcp;
    svc.addr = addr("10.96.0.20");
    svc.port = 80;
    svc.name = "default/web:http";
    svc.node_port = 30080;
    svc.external_ips = {addr("198.51.100.10"), addr("198.51.100.11")};
    svc.lb_ips = {addr("198.51.100.20")};
    svc.source_ranges = {svcnl::Prefix{addr("203.0.113.0"), 24},
                         svcnl::Prefix{addr("10.0.1.2"), 32}};
    svc.ext_policy = SVCNAT_TRAFFIC_POLICY_LOCAL;
    svc.int_policy = SVCNAT_TRAFFIC_POLICY_LOCAL;
    svc.stats = svcnl::Stats{.conns = 7,
                             .masqueraded = 5,
                             .rejected_no_endpoints = 4,
                             .dropped_no_local = 3,
                             .dropped_source_range = 2};
    svc.backends.push_back(Backend{.addr = addr("10.244.1.11"),
                                   .port = 80,
                                   .weight = 1,
                                   .flags = svcnl::kDefaultFlags | SVCNAT_BACKEND_FLAGS_LOCAL});
    return svc;
}

TEST(FormatTable, FrontendsPoliciesAndStats) {
    std::vector<Service> services{exposed(), sample()[1]};
    EXPECT_EQ(format_table(services),
              "Prot LocalAddress:Port  Name\n"
              "  -> RemoteAddress:Port Weight Conditions\n"
              "TCP  10.96.0.20:80      default/web:http\n"
              "  node-port: 30080\n"
              "  external-ip: 198.51.100.10 198.51.100.11\n"
              "  lb-ip: 198.51.100.20\n"
              "  source-range: 203.0.113.0/24 10.0.1.2/32\n"
              "  external-policy: local\n"
              "  internal-policy: local\n"
              "  -> 10.244.1.11:80     1      ready,serving,local\n"
              "UDP  [fd00::a]:53\n");
    EXPECT_EQ(format_table(services, true),
              "Prot LocalAddress:Port  Name\n"
              "  -> RemoteAddress:Port Weight Conditions\n"
              "TCP  10.96.0.20:80      default/web:http\n"
              "  node-port: 30080\n"
              "  external-ip: 198.51.100.10 198.51.100.11\n"
              "  lb-ip: 198.51.100.20\n"
              "  source-range: 203.0.113.0/24 10.0.1.2/32\n"
              "  external-policy: local\n"
              "  internal-policy: local\n"
              "  stats: conns 7 masqueraded 5 rejected-no-endpoints 4 dropped-no-local 3 "
              "dropped-source-range 2\n"
              "  -> 10.244.1.11:80     1      ready,serving,local\n"
              "UDP  [fd00::a]:53\n"
              "  stats: conns 0 masqueraded 0 rejected-no-endpoints 0 dropped-no-local 0 "
              "dropped-source-range 0\n");
}

TEST(FormatTable, OnlyTheNonDefaultPolicyIsShown) {
    Service svc = exposed();
    svc.node_port.reset();
    svc.external_ips.clear();
    svc.lb_ips.clear();
    svc.source_ranges.clear();
    svc.backends.clear();
    svc.ext_policy = SVCNAT_TRAFFIC_POLICY_CLUSTER;
    EXPECT_EQ(format_table({svc}),
              "Prot LocalAddress:Port  Name\n"
              "  -> RemoteAddress:Port Weight Conditions\n"
              "TCP  10.96.0.20:80      default/web:http\n"
              "  internal-policy: local\n");
}

TEST(FormatJson, FrontendsPoliciesAndStats) {
    Service svc = exposed();
    svc.backends.clear();
    EXPECT_EQ(format_json({svc}), R"({
  "services": [
    {
      "protocol": "tcp",
      "address": "10.96.0.20",
      "port": 80,
      "name": "default/web:http",
      "node-port": 30080,
      "external-ip": ["198.51.100.10", "198.51.100.11"],
      "lb-ip": ["198.51.100.20"],
      "source-range": ["203.0.113.0/24", "10.0.1.2/32"],
      "external-policy": "local",
      "internal-policy": "local",
      "scheduler": "random",
      "hash": null,
      "maglev-size": null,
      "affinity": "none",
      "affinity-timeout": null,
      "stats": {"conns": 7, "masqueraded": 5, "rejected-no-endpoints": 4, "dropped-no-local": 3, "dropped-source-range": 2},
      "backends": []
    }
  ]
}
)");
}

svcnl::NodeConfig sample_config() {
    svcnl::NodeConfig config;
    config.cluster_cidrs = {svcnl::Prefix{addr("10.244.0.0"), 16},
                            svcnl::Prefix{addr("fd00:10:244::"), 56}};
    config.service_cidrs = {svcnl::Prefix{addr("10.96.0.0"), 12}};
    config.masquerade_all = true;
    config.masq_mark = 0x8000;
    config.masq_mode = SVCNAT_MASQ_MODE_MARK;
    config.unknown_port = SVCNAT_UNKNOWN_PORT_REJECT;
    config.unallocated = SVCNAT_UNALLOCATED_DROP;
    config.stats = svcnl::Stats{.rejected_unknown_port = 12, .dropped_unallocated = 34};
    return config;
}

TEST(FormatConfig, Text) {
    EXPECT_EQ(format_config(svcnl::NodeConfig{}),
              "cluster-cidr: -\n"
              "nodeport-address: -\n"
              "service-cidr: -\n"
              "masquerade-all: off\n"
              "masq-mark: 0x4000\n"
              "masq-mode: snat\n"
              "unknown-port: accept\n"
              "unallocated: accept\n"
              "stats: rejected-unknown-port 0 dropped-unallocated 0\n");
    EXPECT_EQ(format_config(sample_config()),
              "cluster-cidr: 10.244.0.0/16 fd00:10:244::/56\n"
              "nodeport-address: -\n"
              "service-cidr: 10.96.0.0/12\n"
              "masquerade-all: on\n"
              "masq-mark: 0x8000\n"
              "masq-mode: mark\n"
              "unknown-port: reject\n"
              "unallocated: drop\n"
              "stats: rejected-unknown-port 12 dropped-unallocated 34\n");
}

TEST(FormatConfig, Json) {
    EXPECT_EQ(format_config_json(sample_config()), R"({
  "cluster-cidr": ["10.244.0.0/16", "fd00:10:244::/56"],
  "nodeport-address": [],
  "service-cidr": ["10.96.0.0/12"],
  "masquerade-all": true,
  "masq-mark": 32768,
  "masq-mode": "mark",
  "unknown-port": "reject",
  "unallocated": "drop",
  "stats": {"rejected-unknown-port": 12, "dropped-unallocated": 34}
}
)");
}

svcnl::TraceReply sample_trace() {
    svcnl::TraceReply reply;
    reply.verdict = SVCNAT_VERDICT_DNAT;
    reply.reason = SVCNAT_REASON_ENDPOINT;
    reply.origin = SVCNAT_ORIGIN_POD;
    reply.frontend = SVCNAT_FRONTEND_CLUSTER_IP;
    reply.service = Service{.proto = Proto::tcp,
                            .addr = addr("10.96.0.10"),
                            .port = 8081,
                            .name = "default/my-debian:http"};
    reply.endpoint_set = SVCNAT_ENDPOINT_SET_CLUSTER;
    reply.candidates.push_back(Backend{.addr = addr("10.244.1.11"),
                                       .port = 80,
                                       .weight = 1,
                                       .flags = svcnl::kDefaultFlags | SVCNAT_BACKEND_FLAGS_LOCAL});
    reply.backend = reply.candidates[0];
    reply.masquerade = true;
    reply.masq_reason = SVCNAT_MASQ_REASON_HAIRPIN;
    reply.hairpin = true;
    return reply;
}

TEST(FormatTrace, TextIsTheContract) {
    EXPECT_EQ(format_trace(sample_trace()),
              "verdict=dnat reason=endpoint origin=pod frontend=cluster-ip set=cluster "
              "masquerade=yes masq-reason=hairpin\n"
              "service: TCP 10.96.0.10:8081 default/my-debian:http\n"
              "scheduler: random\n"
              "candidate: 10.244.1.11:80 weight 1 ready,serving,local\n"
              "backend: 10.244.1.11:80\n"
              "hairpin: yes\n");
}

TEST(FormatTrace, NoServiceAndUnknownValues) {
    svcnl::TraceReply reply;
    reply.origin = SVCNAT_ORIGIN_OTHER;
    EXPECT_EQ(format_trace(reply),
              "verdict=accept reason=no-service origin=other frontend=none set=none "
              "masquerade=no masq-reason=none\n");
    reply.verdict = 9;
    reply.origin.reset();
    EXPECT_EQ(format_trace(reply).substr(0, 41), "verdict=9 reason=no-service origin=none f");
}

TEST(FormatTrace, Json) {
    EXPECT_EQ(format_trace_json(sample_trace()), R"({
  "verdict": "dnat",
  "reason": "endpoint",
  "origin": "pod",
  "frontend": "cluster-ip",
  "set": "cluster",
  "masquerade": true,
  "masq-reason": "hairpin",
  "service": {"protocol": "tcp", "address": "10.96.0.10", "port": 8081, "name": "default/my-debian:http"},
  "scheduler": "random",
  "candidate": [
    {
      "address": "10.244.1.11",
      "port": 80,
      "weight": 1,
      "flags": 11,
      "conditions": {"ready": true, "serving": true, "terminating": false, "local": true}
    }
  ],
  "backend": {"address": "10.244.1.11", "port": 80},
  "affinity": false,
  "hairpin": true
}
)");
    EXPECT_EQ(format_trace_json(svcnl::TraceReply{}), R"({
  "verdict": "accept",
  "reason": "no-service",
  "origin": null,
  "frontend": null,
  "set": "none",
  "masquerade": false,
  "masq-reason": "none",
  "service": null,
  "scheduler": null,
  "candidate": [],
  "backend": null,
  "affinity": false,
  "hairpin": false
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

TEST(FormatSave, FrontendsAndPolicies) {
    Service svc = exposed();
    svc.backends.clear();
    EXPECT_EQ(format_save({svc}),
              "add-service -t 10.96.0.20:80 --name 'default/web:http' --node-port 30080 "
              "--external-ip 198.51.100.10 --external-ip 198.51.100.11 --lb-ip 198.51.100.20 "
              "--source-range 203.0.113.0/24 --source-range 10.0.1.2/32 --external-policy local "
              "--internal-policy local\n");
}

TEST(FormatSave, NodeConfigFirstWhenNotTheDefault) {
    svcnl::NodeConfig config;
    config.stats = svcnl::Stats{.rejected_unknown_port = 1};  // counters are not configuration
    EXPECT_EQ(format_save(sample(), config), format_save(sample()));
    EXPECT_EQ(format_save({}, sample_config()),
              "set-config --cluster-cidr 10.244.0.0/16 --cluster-cidr fd00:10:244::/56 "
              "--no-nodeport-address --service-cidr 10.96.0.0/12 --masquerade-all on "
              "--masq-mark 0x8000 --masq-mode mark --unknown-port reject --unallocated drop\n");
    config = svcnl::NodeConfig{};
    config.nodeport_cidrs = {svcnl::Prefix{addr("192.168.77.1"), 32}};
    EXPECT_EQ(format_save({sample()[1]}, config),
              "set-config --no-cluster-cidr --nodeport-address 192.168.77.1/32 "
              "--no-service-cidr --masquerade-all off --masq-mark 0x4000 --masq-mode snat "
              "--unknown-port accept --unallocated accept\n"
              "add-service -u [fd00::a]:53\n");
}

TEST(FormatSave, RefusesWhatApplyCannotRead) {
    std::vector<Service> services = sample();
    services[0].name = "two\nlines";
    EXPECT_THROW(format_save(services), svcnl::Error);
    services = sample();
    services[0].proto = static_cast<Proto>(99);
    EXPECT_THROW(format_save(services), svcnl::Error);
    services = sample();
    services[0].ext_policy = 7;
    EXPECT_THROW(format_save(services), svcnl::Error);
    svcnl::NodeConfig config;
    config.masq_mode = 5;
    EXPECT_THROW(format_save({}, config), svcnl::Error);
    config = svcnl::NodeConfig{};
    config.masq_mark = 0x3;
    EXPECT_THROW(format_save({}, config), svcnl::Error);
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

TEST(SortServices, SortsFrontendLists) {
    std::vector<Service> services{exposed()};
    std::reverse(services[0].external_ips.begin(), services[0].external_ips.end());
    svcnl::sort_services(services);
    EXPECT_EQ(services[0].external_ips.at(0).to_string(), "198.51.100.10");
    EXPECT_EQ(services[0].source_ranges.at(0).to_string(), "10.0.1.2/32");
}

// ---- issue 4: schedulers, affinity, list --affinity, trace choice and --flows ----

Service scheduled(std::uint32_t scheduler) {
    Service svc;
    svc.proto = Proto::tcp;
    svc.addr = addr("10.96.0.30");
    svc.port = 80;
    svc.scheduler = scheduler;
    return svc;
}

constexpr const char* kHeader =
    "Prot LocalAddress:Port  Name\n"
    "  -> RemoteAddress:Port Weight Conditions\n";

TEST(FormatTable, SchedulerAndAffinityLines) {
    Service rr = scheduled(SVCNAT_SCHEDULER_RR);
    EXPECT_EQ(format_table({rr}), std::string(kHeader) +
                                      "TCP  10.96.0.30:80\n"
                                      "  scheduler: rr\n");
    Service maglev = scheduled(SVCNAT_SCHEDULER_MAGLEV);
    maglev.hash = SVCNAT_HASH_SRC;
    EXPECT_EQ(format_table({maglev}), std::string(kHeader) +
                                          "TCP  10.96.0.30:80\n"
                                          "  scheduler: maglev hash src\n");
    maglev.hash.reset();  // a reply without it: the default
    maglev.maglev_size = 1021;
    EXPECT_EQ(format_table({maglev}), std::string(kHeader) +
                                          "TCP  10.96.0.30:80\n"
                                          "  scheduler: maglev hash src size 1021\n");
    maglev.hash = SVCNAT_HASH_FLOW;
    maglev.affinity = SVCNAT_AFFINITY_CLIENT_IP;
    maglev.affinity_timeout = 60;
    EXPECT_EQ(format_table({maglev}), std::string(kHeader) +
                                          "TCP  10.96.0.30:80\n"
                                          "  scheduler: maglev hash flow size 1021\n"
                                          "  affinity: clientip timeout 60\n");
    // The default random and none print nothing; a timeout absent from the reply is the
    // default.
    Service affinity = scheduled(SVCNAT_SCHEDULER_RANDOM);
    affinity.affinity = SVCNAT_AFFINITY_CLIENT_IP;
    EXPECT_EQ(format_table({affinity}), std::string(kHeader) +
                                            "TCP  10.96.0.30:80\n"
                                            "  affinity: clientip timeout 10800\n");
    EXPECT_EQ(format_table({scheduled(SVCNAT_SCHEDULER_RANDOM)}),
              std::string(kHeader) + "TCP  10.96.0.30:80\n");
}

TEST(FormatTable, SettingLinesComeAfterThePoliciesAndBeforeTheCounters) {
    Service svc = exposed();
    svc.scheduler = SVCNAT_SCHEDULER_RR;
    svc.affinity = SVCNAT_AFFINITY_CLIENT_IP;
    svc.affinity_timeout = 10800;
    EXPECT_EQ(format_table({svc}, true),
              std::string(kHeader) +
                  "TCP  10.96.0.20:80      default/web:http\n"
                  "  node-port: 30080\n"
                  "  external-ip: 198.51.100.10 198.51.100.11\n"
                  "  lb-ip: 198.51.100.20\n"
                  "  source-range: 203.0.113.0/24 10.0.1.2/32\n"
                  "  external-policy: local\n"
                  "  internal-policy: local\n"
                  "  scheduler: rr\n"
                  "  affinity: clientip timeout 10800\n"
                  "  stats: conns 7 masqueraded 5 rejected-no-endpoints 4 dropped-no-local 3 "
                  "dropped-source-range 2\n"
                  "  -> 10.244.1.11:80     1      ready,serving,local\n");
}

TEST(FormatJson, SchedulerAndAffinity) {
    Service svc = scheduled(SVCNAT_SCHEDULER_MAGLEV);
    svc.maglev_size = 4093;
    svc.affinity = SVCNAT_AFFINITY_CLIENT_IP;
    const std::string json = format_json({svc});
    EXPECT_NE(json.find("      \"internal-policy\": \"cluster\",\n"
                        "      \"scheduler\": \"maglev\",\n"
                        "      \"hash\": \"src\",\n"
                        "      \"maglev-size\": 4093,\n"
                        "      \"affinity\": \"clientip\",\n"
                        "      \"affinity-timeout\": 10800,\n"
                        "      \"stats\": "),
              std::string::npos)
        << json;
    svc.scheduler = SVCNAT_SCHEDULER_RR;
    svc.hash = SVCNAT_HASH_FLOW;  // only meaningful with maglev
    svc.affinity = SVCNAT_AFFINITY_NONE;
    svc.affinity_timeout = 5;
    EXPECT_NE(format_json({svc}).find("      \"scheduler\": \"rr\",\n"
                                      "      \"hash\": null,\n"
                                      "      \"maglev-size\": null,\n"
                                      "      \"affinity\": \"none\",\n"
                                      "      \"affinity-timeout\": null,\n"),
              std::string::npos);
}

TEST(FormatSave, SchedulerAndAffinityOptions) {
    Service svc = scheduled(SVCNAT_SCHEDULER_MAGLEV);
    svc.hash = SVCNAT_HASH_FLOW;
    svc.maglev_size = 1021;
    svc.affinity = SVCNAT_AFFINITY_CLIENT_IP;
    svc.affinity_timeout = 30;
    svc.ext_policy = SVCNAT_TRAFFIC_POLICY_LOCAL;
    EXPECT_EQ(format_save({svc}),
              "add-service -t 10.96.0.30:80 --external-policy local --scheduler maglev --hash "
              "flow --maglev-size 1021 --affinity clientip --affinity-timeout 30\n");
    EXPECT_EQ(format_save({scheduled(SVCNAT_SCHEDULER_RR)}),
              "add-service -t 10.96.0.30:80 --scheduler rr\n");
    EXPECT_EQ(format_save({scheduled(SVCNAT_SCHEDULER_RANDOM)}), "add-service -t 10.96.0.30:80\n");
    EXPECT_THROW(format_save({scheduled(9)}), svcnl::Error);
    Service odd = scheduled(SVCNAT_SCHEDULER_MAGLEV);
    odd.hash = 5;
    EXPECT_THROW(format_save({odd}), svcnl::Error);
}

std::vector<svcnl::AffinityEntry> sample_entries() {
    return {
        svcnl::AffinityEntry{.client = addr("10.244.1.13"),
                             .backend = Backend{.addr = addr("10.244.1.11"), .port = 80},
                             .expires_ms = 10798001},
        svcnl::AffinityEntry{.client = addr("10.244.2.11"),
                             .backend = Backend{.addr = addr("10.244.1.12"), .port = 80},
                             .expires_ms = 1000},
        svcnl::AffinityEntry{.client = addr("fd00:244:1::13"),
                             .backend = Backend{.addr = addr("fd00:244:1::11"), .port = 8080},
                             .expires_ms = 0},
    };
}

TEST(FormatAffinity, ServiceLineThenOneLinePerClient) {
    std::vector<Service> services = sample();
    EXPECT_EQ(format_affinity(services[0], sample_entries()),
              "TCP  10.96.0.10:8081    default/my-debian:http\n"
              "  client 10.244.1.13 -> 10.244.1.11:80 expires 10799s\n"
              "  client 10.244.2.11 -> 10.244.1.12:80 expires 1s\n"
              "  client fd00:244:1::13 -> [fd00:244:1::11]:8080 expires 0s\n");
    // The service line is the one list prints.
    const std::string table = format_table({services[0]});
    EXPECT_NE(table.find("TCP  10.96.0.10:8081    default/my-debian:http\n"), std::string::npos);
    EXPECT_EQ(format_affinity(services[1], {}), "UDP  [fd00::a]:53\n");
}

TEST(FormatAffinity, Json) {
    EXPECT_EQ(format_affinity_json(sample()[0], sample_entries()), R"({
  "service": {"protocol": "tcp", "address": "10.96.0.10", "port": 8081, "name": "default/my-debian:http"},
  "affinity": [
    {"client": "10.244.1.13", "backend": {"address": "10.244.1.11", "port": 80}, "expires": 10799, "expires-ms": 10798001},
    {"client": "10.244.2.11", "backend": {"address": "10.244.1.12", "port": 80}, "expires": 1, "expires-ms": 1000},
    {"client": "fd00:244:1::13", "backend": {"address": "fd00:244:1::11", "port": 8080}, "expires": 0, "expires-ms": 0}
  ]
}
)");
    EXPECT_EQ(format_affinity_json(sample()[1], {}), R"({
  "service": {"protocol": "udp", "address": "fd00::a", "port": 53, "name": ""},
  "affinity": []
}
)");
}

TEST(FormatTrace, SchedulerAndAffinityLines) {
    svcnl::TraceReply reply = sample_trace();
    reply.scheduler = SVCNAT_SCHEDULER_MAGLEV;
    reply.affinity = true;
    reply.candidates.push_back(Backend{.addr = addr("10.244.1.12"), .port = 80, .weight = 2});
    reply.backend = reply.candidates[1];
    EXPECT_EQ(format_trace(reply),
              "verdict=dnat reason=endpoint origin=pod frontend=cluster-ip set=cluster "
              "masquerade=yes masq-reason=hairpin\n"
              "service: TCP 10.96.0.10:8081 default/my-debian:http\n"
              "scheduler: maglev\n"
              "candidate: 10.244.1.11:80 weight 1 ready,serving,local\n"
              "candidate: 10.244.1.12:80 weight 2 ready,serving\n"
              "backend: 10.244.1.12:80\n"
              "affinity: yes\n"
              "hairpin: yes\n");
    const std::string json = format_trace_json(reply);
    EXPECT_NE(json.find("  \"scheduler\": \"maglev\",\n  \"candidate\": ["), std::string::npos)
        << json;
    EXPECT_NE(json.find("  \"backend\": {\"address\": \"10.244.1.12\", \"port\": 80},\n"
                        "  \"affinity\": true,\n"),
              std::string::npos)
        << json;
    // No service matched: no scheduler line, whatever the reply says.
    reply = svcnl::TraceReply{};
    reply.scheduler = SVCNAT_SCHEDULER_RR;
    EXPECT_EQ(format_trace(reply).find("scheduler"), std::string::npos);
}

TEST(FormatTrace, IPv6Endpoints) {
    svcnl::TraceReply reply;
    reply.verdict = SVCNAT_VERDICT_DNAT;
    reply.service = Service{.proto = Proto::udp, .addr = addr("fd00:96::10"), .port = 53};
    reply.scheduler = SVCNAT_SCHEDULER_RR;
    reply.candidates.push_back(Backend{.addr = addr("fd00:244:1::11"), .port = 53});
    reply.backend = reply.candidates[0];
    const std::string text = format_trace(reply);
    EXPECT_NE(text.find("\nservice: UDP [fd00:96::10]:53\nscheduler: rr\n"
                        "candidate: [fd00:244:1::11]:53 weight 1 ready,serving\n"
                        "backend: [fd00:244:1::11]:53\n"),
              std::string::npos)
        << text;
    const std::string json = format_trace_json(reply);
    EXPECT_NE(json.find(R"("service": {"protocol": "udp", "address": "fd00:96::10", "port": 53)"),
              std::string::npos);
    EXPECT_NE(json.find(R"("backend": {"address": "fd00:244:1::11", "port": 53})"),
              std::string::npos);
}

TEST(FormatTable, IPv6EverywhereInListAndSave) {
    Service svc;
    svc.proto = Proto::tcp;
    svc.addr = addr("fd00:96::1");
    svc.port = 443;
    svc.external_ips = {addr("2001:db8:100::1")};
    svc.source_ranges = {svcnl::Prefix{addr("2001:db8::"), 32}};
    svc.lb_ips = {addr("2001:db8:100::2")};
    svc.backends.push_back(Backend{.addr = addr("fd00:244:1::11"), .port = 8443, .weight = 1});
    EXPECT_EQ(format_table({svc}),
              "Prot LocalAddress:Port     Name\n"
              "  -> RemoteAddress:Port    Weight Conditions\n"
              "TCP  [fd00:96::1]:443\n"
              "  external-ip: 2001:db8:100::1\n"
              "  lb-ip: 2001:db8:100::2\n"
              "  source-range: 2001:db8::/32\n"
              "  -> [fd00:244:1::11]:8443 1      ready,serving\n");
    EXPECT_EQ(format_save({svc}),
              "add-service -t [fd00:96::1]:443 --external-ip 2001:db8:100::1 --lb-ip "
              "2001:db8:100::2 --source-range 2001:db8::/32\n"
              "add-backend -t [fd00:96::1]:443 -r [fd00:244:1::11]:8443 -w 1\n");
    const std::string json = format_json({svc});
    EXPECT_NE(json.find(R"("address": "fd00:96::1")"), std::string::npos);
    EXPECT_NE(json.find(R"("address": "fd00:244:1::11")"), std::string::npos);
}

Flow flow(const char* src, std::uint16_t port, const char* backend, std::uint16_t backend_port) {
    Flow f{.src = addr(src), .src_port = port, .backend = std::nullopt};
    if (backend != nullptr) {
        f.backend = Backend{.addr = addr(backend), .port = backend_port};
    }
    return f;
}

TEST(FormatFlows, OneLinePerFlowThenCountsSortedByAddress) {
    const std::vector<Flow> flows{
        flow("10.244.1.11", 40000, "10.244.2.11", 80),
        flow("10.244.1.11", 40001, "10.244.1.9", 80),
        flow("10.244.1.11", 40002, nullptr, 0),
        flow("10.244.1.11", 40003, "10.244.2.11", 80),
        flow("10.244.1.11", 40004, "10.244.1.9", 8080),
        flow("10.244.1.11", 40005, "10.244.2.11", 80),
    };
    EXPECT_EQ(format_flows(flows),
              "flow 10.244.1.11 40000 -> 10.244.2.11:80\n"
              "flow 10.244.1.11 40001 -> 10.244.1.9:80\n"
              "flow 10.244.1.11 40002 -> -\n"
              "flow 10.244.1.11 40003 -> 10.244.2.11:80\n"
              "flow 10.244.1.11 40004 -> 10.244.1.9:8080\n"
              "flow 10.244.1.11 40005 -> 10.244.2.11:80\n"
              "backend 10.244.1.9:80 1\n"
              "backend 10.244.1.9:8080 1\n"
              "backend 10.244.2.11:80 3\n"
              "total 6\n");
}

TEST(FormatFlows, IPv6AndNoBackendAtAll) {
    const std::vector<Flow> flows{
        flow("fd00:244:1::11", 53, "fd00:244:2::12", 53),
        flow("fd00:244:1::12", 53, "fd00:244:1::13", 53),
        flow("fd00:244:1::13", 53, "10.0.0.1", 53),
    };
    EXPECT_EQ(format_flows(flows),
              "flow fd00:244:1::11 53 -> [fd00:244:2::12]:53\n"
              "flow fd00:244:1::12 53 -> [fd00:244:1::13]:53\n"
              "flow fd00:244:1::13 53 -> 10.0.0.1:53\n"
              "backend 10.0.0.1:53 1\n"
              "backend [fd00:244:1::13]:53 1\n"
              "backend [fd00:244:2::12]:53 1\n"
              "total 3\n");
    EXPECT_EQ(format_flows({flow("10.0.1.2", 1, nullptr, 0)}),
              "flow 10.0.1.2 1 -> -\n"
              "total 1\n");
}

TEST(FormatFlows, Json) {
    const std::vector<Flow> flows{
        flow("10.244.1.11", 40000, "10.244.2.11", 80),
        flow("10.244.1.11", 40001, nullptr, 0),
        flow("10.244.1.11", 40002, "10.244.1.9", 80),
    };
    EXPECT_EQ(format_flows_json(flows), R"({
  "flows": [
    {"source": "10.244.1.11", "port": 40000, "backend": {"address": "10.244.2.11", "port": 80}},
    {"source": "10.244.1.11", "port": 40001, "backend": null},
    {"source": "10.244.1.11", "port": 40002, "backend": {"address": "10.244.1.9", "port": 80}}
  ],
  "backends": [
    {"address": "10.244.1.9", "port": 80, "count": 1},
    {"address": "10.244.2.11", "port": 80, "count": 1}
  ],
  "total": 3
}
)");
    EXPECT_EQ(format_flows_json({flow("10.0.1.2", 1, nullptr, 0)}), R"({
  "flows": [
    {"source": "10.0.1.2", "port": 1, "backend": null}
  ],
  "backends": [],
  "total": 1
}
)");
}

}  // namespace
}  // namespace svcadm
