// SPDX-License-Identifier: GPL-2.0-only
// The command line: what each command turns into, usage errors, and apply input.
#include <linux/svcnat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "apply.hpp"
#include "cli.hpp"
#include "format.hpp"
#include "parse.hpp"
#include "trace.hpp"

namespace svcadm {
namespace {

using svcnl::Op;
using svcnl::Proto;
using Args = std::vector<std::string>;

Op parse_op(CommandLine& cli, const Args& args) {
    Command cmd = cli.parse(args);
    EXPECT_TRUE(cmd.op.has_value());
    EXPECT_FALSE(cmd.run);
    return cmd.op.value_or(Op{});
}

Op parse_op(const Args& args) {
    CommandLine cli;
    return parse_op(cli, args);
}

TEST(Cli, AddService) {
    Op op = parse_op({"add-service", "-t", "10.96.0.10:8081", "--name", "default/x:http"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_SERVICE_NEW);
    EXPECT_EQ(op.service.proto, Proto::tcp);
    EXPECT_EQ(op.service.addr.to_string(), "10.96.0.10");
    EXPECT_EQ(op.service.port, 8081);
    EXPECT_EQ(op.service.name, "default/x:http");
    EXPECT_TRUE(op.service.backends.empty());

    op = parse_op({"add-service", "-u", "10.96.0.10:53"});
    EXPECT_EQ(op.service.proto, Proto::udp);
    EXPECT_FALSE(op.service.name.has_value());

    op = parse_op({"add-service", "--sctp", "[fd00::1]:9", "--name", ""});
    EXPECT_EQ(op.service.proto, Proto::sctp);
    EXPECT_FALSE(op.service.addr.is_ipv4());
    EXPECT_FALSE(op.service.name.has_value());
}

TEST(Cli, AddServiceFrontendsAndPolicies) {
    Op op = parse_op({"add-service", "-t", "10.96.0.20:80", "--node-port", "30080", "--external-ip",
                      "198.51.100.10", "--external-ip", "198.51.100.11", "--lb-ip", "198.51.100.20",
                      "--source-range", "203.0.113.0/24", "--external-policy", "local",
                      "--internal-policy", "Local"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_SERVICE_NEW);
    EXPECT_EQ(op.service.node_port, 30080);
    ASSERT_EQ(op.service.external_ips.size(), 2U);
    EXPECT_EQ(op.service.external_ips[1].to_string(), "198.51.100.11");
    ASSERT_EQ(op.service.lb_ips.size(), 1U);
    ASSERT_EQ(op.service.source_ranges.size(), 1U);
    EXPECT_EQ(op.service.source_ranges[0].to_string(), "203.0.113.0/24");
    EXPECT_EQ(op.service.ext_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_LOCAL));
    EXPECT_EQ(op.service.int_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_LOCAL));

    op = parse_op({"add-service", "-u", "10.96.0.10:53"});
    EXPECT_FALSE(op.service.node_port.has_value());
    EXPECT_TRUE(op.service.external_ips.empty());
    EXPECT_EQ(op.service.ext_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_CLUSTER));
    EXPECT_EQ(op.service.int_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_CLUSTER));
}

TEST(Cli, EditServiceReplacesFrontendsAndPolicies) {
    Op op = parse_op({"edit-service", "-t", "10.96.0.20:80", "--lb-ip", "198.51.100.20",
                      "--internal-policy", "local"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_SERVICE_SET);
    EXPECT_EQ(op.service.name, "");
    EXPECT_FALSE(op.service.node_port.has_value());
    EXPECT_EQ(op.service.lb_ips.size(), 1U);
    EXPECT_EQ(op.service.int_policy, static_cast<std::uint32_t>(SVCNAT_TRAFFIC_POLICY_LOCAL));
    EXPECT_TRUE(op.service.backends.empty());
}

TEST(Cli, SetConfigChangesOnlyWhatIsGiven) {
    CommandLine cli;
    Command cmd =
        cli.parse({"set-config", "--cluster-cidr", "10.244.0.0/16", "--cluster-cidr",
                   "10.245.0.0/16", "--masquerade-all", "on", "--masq-mark", "0x8000",
                   "--masq-mode", "mark", "--unknown-port", "reject", "--unallocated", "drop",
                   "--service-cidr", "10.96.0.0/12", "--nodeport-address", "192.168.77.1"});
    EXPECT_EQ(cmd.name, "set-config");
    EXPECT_FALSE(cmd.op.has_value());
    EXPECT_FALSE(cmd.run);
    ASSERT_TRUE(cmd.config.has_value());
    svcnl::NodeConfig config;
    cmd.config->apply_to(config);
    ASSERT_EQ(config.cluster_cidrs.size(), 2U);
    EXPECT_EQ(config.cluster_cidrs[1].to_string(), "10.245.0.0/16");
    EXPECT_EQ(config.nodeport_cidrs.at(0).to_string(), "192.168.77.1/32");
    EXPECT_EQ(config.service_cidrs.at(0).to_string(), "10.96.0.0/12");
    EXPECT_TRUE(config.masquerade_all);
    EXPECT_EQ(config.masq_mark, 0x8000U);
    EXPECT_EQ(config.masq_mode, static_cast<std::uint32_t>(SVCNAT_MASQ_MODE_MARK));
    EXPECT_EQ(config.unknown_port, static_cast<std::uint32_t>(SVCNAT_UNKNOWN_PORT_REJECT));
    EXPECT_EQ(config.unallocated, static_cast<std::uint32_t>(SVCNAT_UNALLOCATED_DROP));

    // Read-modify-write: only the options given change; --no-X empties a list.
    cmd = cli.parse({"set-config", "--masquerade-all", "off", "--no-service-cidr"});
    ASSERT_TRUE(cmd.config.has_value());
    EXPECT_FALSE(cmd.config->cluster_cidrs.has_value());
    EXPECT_FALSE(cmd.config->masq_mark.has_value());
    cmd.config->apply_to(config);
    EXPECT_FALSE(config.masquerade_all);
    EXPECT_TRUE(config.service_cidrs.empty());
    EXPECT_EQ(config.cluster_cidrs.size(), 2U);
    EXPECT_EQ(config.masq_mark, 0x8000U);

    cmd = cli.parse({"set-config"});
    EXPECT_EQ(cmd.config, ConfigChange{});
}

TEST(Cli, ShowConfigAndTraceAreActions) {
    CommandLine cli;
    for (const Args& args : {Args{"show-config"}, Args{"show-config", "-o", "json"},
                             Args{"trace", "-t", "10.96.0.10:80", "--from", "10.244.1.11"},
                             Args{"trace", "-u", "10.0.1.1:30053", "--from", "10.0.1.2:5353",
                                  "--origin", "external", "-o", "json"}}) {
        const Command cmd = cli.parse(args);
        EXPECT_FALSE(cmd.op.has_value()) << args[0];
        EXPECT_FALSE(cmd.config.has_value()) << args[0];
        EXPECT_TRUE(cmd.run) << args[0];
        EXPECT_EQ(cmd.name, args[0]);
    }
}

TEST(Cli, LongOptionNames) {
    const Op op = parse_op(
        {"add-backend", "--tcp", "10.96.0.10:80", "--backend", "10.0.0.1:8080", "--weight", "4"});
    EXPECT_EQ(op.service.backends.at(0).weight, 4U);
    EXPECT_EQ(parse_op({"del-service", "--udp", "10.96.0.10:53"}).service.proto, Proto::udp);
}

TEST(Cli, EditServiceAlwaysSendsTheName) {
    Op op = parse_op({"edit-service", "-t", "10.96.0.10:8081", "--name", "new"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_SERVICE_SET);
    EXPECT_EQ(op.service.name, "new");
    op = parse_op({"edit-service", "-t", "10.96.0.10:8081"});
    EXPECT_EQ(op.service.name, "");  // removes the name
}

TEST(Cli, DelService) {
    const Op op = parse_op({"del-service", "--sctp", "10.96.0.10:8081"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_SERVICE_DEL);
    EXPECT_EQ(op.service.proto, Proto::sctp);
}

TEST(Cli, AddBackendDefaults) {
    const Op op = parse_op({"add-backend", "-t", "10.96.0.10:8081", "-r", "10.0.2.11:80"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_BACKEND_NEW);
    ASSERT_EQ(op.service.backends.size(), 1U);
    const svcnl::Backend& be = op.service.backends[0];
    EXPECT_EQ(be.addr.to_string(), "10.0.2.11");
    EXPECT_EQ(be.port, 80);
    EXPECT_EQ(be.weight, 1U);
    EXPECT_EQ(be.flags, static_cast<std::uint32_t>(SVCNAT_BACKEND_FLAGS_READY |
                                                   SVCNAT_BACKEND_FLAGS_SERVING));
}

TEST(Cli, AddBackendWeightAndConditions) {
    Op op = parse_op({"add-backend", "-t", "10.96.0.10:8081", "-r", "10.0.2.11:80", "-w", "0",
                      "--not-ready", "--terminating", "--local"});
    EXPECT_EQ(op.service.backends.at(0).weight, 0U);
    EXPECT_EQ(
        op.service.backends.at(0).flags,
        static_cast<std::uint32_t>(SVCNAT_BACKEND_FLAGS_SERVING | SVCNAT_BACKEND_FLAGS_TERMINATING |
                                   SVCNAT_BACKEND_FLAGS_LOCAL));
    op = parse_op({"add-backend", "-t", "10.96.0.10:8081", "-r", "10.0.2.11:80", "--not-serving",
                   "--not-ready"});
    EXPECT_EQ(op.service.backends.at(0).flags, 0U);
}

TEST(Cli, EditBackendWeightOnlyIfGivenConditionsAlways) {
    Op op = parse_op({"edit-backend", "-t", "10.96.0.10:8081", "-r", "10.0.2.11:80"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_BACKEND_SET);
    EXPECT_FALSE(op.service.backends.at(0).weight.has_value());
    EXPECT_EQ(op.service.backends.at(0).flags, svcnl::kDefaultFlags);

    op = parse_op({"edit-backend", "-t", "10.96.0.10:8081", "-r", "10.0.2.11:80", "-w", "9",
                   "--terminating"});
    EXPECT_EQ(op.service.backends.at(0).weight, 9U);
    EXPECT_EQ(op.service.backends.at(0).flags,
              svcnl::kDefaultFlags | SVCNAT_BACKEND_FLAGS_TERMINATING);
}

TEST(Cli, DelBackend) {
    const Op op = parse_op({"del-backend", "-u", "10.96.0.10:53", "-r", "[fd00::5]:5353"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_BACKEND_DEL);
    EXPECT_EQ(op.service.backends.at(0).addr.to_string(), "fd00::5");
    EXPECT_EQ(op.service.backends.at(0).port, 5353);
}

TEST(Cli, SetBackends) {
    Op op = parse_op({"set-backends", "-t", "10.96.0.10:8081", "-r", "10.0.2.11:80@3", "-r",
                      "10.0.2.12:80", "-r", "[::1]:81@0"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_BACKEND_REPLACE);
    ASSERT_EQ(op.service.backends.size(), 3U);
    EXPECT_EQ(op.service.backends[0].weight, 3U);
    EXPECT_EQ(op.service.backends[1].weight, 1U);
    EXPECT_EQ(op.service.backends[2].weight, 0U);
    EXPECT_FALSE(op.service.backends[0].flags.has_value());  // the kernel default

    op = parse_op({"set-backends", "-t", "10.96.0.10:8081"});
    EXPECT_TRUE(op.service.backends.empty());
}

TEST(Cli, SetBackendsTooLargeForOneMessageIsAUsageError) {
    Args args{"set-backends", "-t", "10.96.0.10:8081"};
    for (int i = 0; i < 2400; ++i) {
        args.emplace_back("-r");
        args.push_back("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":80");
    }
    CommandLine cli;
    try {
        cli.parse(args);
        FAIL() << "no error";
    } catch (const CLI::ValidationError& e) {
        EXPECT_NE(std::string(e.what()).find("2400 backends do not fit"), std::string::npos)
            << e.what();
    }
    args.resize(3 + 2 * 2000);
    EXPECT_EQ(parse_op(cli, args).service.backends.size(), 2000U);
}

TEST(Cli, Flush) {
    EXPECT_EQ(parse_op({"flush"}).cmd, SVCNAT_CMD_FLUSH);
}

TEST(Cli, ListSaveApplyAreActions) {
    CommandLine cli;
    for (const Args& args :
         {Args{"list"}, Args{"list", "-n"}, Args{"list", "-o", "json"},
          Args{"list", "-n", "-u", "10.96.0.10:53", "-o", "table"}, Args{"save"}, Args{"apply"},
          Args{"apply", "-f", "-"}, Args{"apply", "-f", "/tmp/x"}}) {
        const Command cmd = cli.parse(args);
        EXPECT_FALSE(cmd.op.has_value()) << args[0];
        EXPECT_TRUE(cmd.run) << args[0];
        EXPECT_EQ(cmd.name, args[0]);
    }
}

void expect_usage_error(const Args& args, const std::string& message) {
    CommandLine cli;
    try {
        cli.parse(args);
        ADD_FAILURE() << "no error for " << args.at(0);
    } catch (const CLI::ParseError& e) {
        EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
            << "'" << e.what() << "' does not contain '" << message << "'";
    }
}

TEST(Cli, UsageErrors) {
    expect_usage_error({}, "no command given");
    expect_usage_error({"frobnicate"}, "unknown command 'frobnicate'");
    expect_usage_error({"add-service"}, "one of -t, -u or --sctp ADDR:PORT is required");
    expect_usage_error({"add-service", "-t", "10.0.0.1:80", "-u", "10.0.0.1:80"},
                       "only one of -t, -u and --sctp");
    expect_usage_error({"add-service", "-t", "10.0.0.1:80", "-t", "10.0.0.2:80"}, "-t");
    expect_usage_error({"add-service", "-t", "10.0.0.1"}, "missing port in '10.0.0.1'");
    expect_usage_error({"add-service", "-t", "10.0.0.1:0"}, "invalid port '0'");
    expect_usage_error({"add-service", "-t", "fd00::1:80"}, "[IPv6]:PORT");
    expect_usage_error({"add-service", "-t", "10.0.0.1:80", "--name", std::string(256, 'n')},
                       "name too long");
    expect_usage_error({"add-service", "-t", "10.0.0.1:80", "--bogus"}, "--bogus");
    expect_usage_error({"add-service", "-t", "10.0.0.1:80", "extra"}, "extra");
    expect_usage_error({"add-backend", "-t", "10.0.0.1:80"}, "--backend is required");
    expect_usage_error({"add-backend", "-t", "10.0.0.1:80", "-r", "10.0.0.2:80", "-w", "65536"},
                       "invalid weight '65536'");
    expect_usage_error({"add-backend", "-t", "10.0.0.1:80", "-r", "10.0.0.2:80@2"}, "@WEIGHT");
    expect_usage_error({"set-backends", "-t", "10.0.0.1:80", "-r", "10.0.0.2:80", "10.0.0.3:80"},
                       "10.0.0.3:80");
    expect_usage_error({"set-backends", "-t", "10.0.0.1:80", "-r", "10.0.0.2:80@x"},
                       "invalid weight 'x'");
    expect_usage_error({"list", "-o", "xml"}, "xml");
    expect_usage_error({"list", "-t", "10.0.0.1:80", "--sctp", "10.0.0.1:80"}, "only one");
    expect_usage_error({"flush", "now"}, "now");
}

TEST(Cli, HeadlessAndExternalNameCannotBeExpressed) {
    expect_usage_error({"add-service", "-t", "None:80"},
                       "headless services (clusterIP None) have no data path");
    expect_usage_error({"add-service", "-u", "None"}, "cannot be expressed");
    expect_usage_error({"add-service", "--name", "default/headless"},
                       "headless services, clusterIP None, cannot be expressed");
    expect_usage_error({"add-service", "-t", "db.example.com:5432"},
                       "ExternalName services cannot be expressed");
    expect_usage_error({"edit-service", "-t", "None:80"}, "headless");
}

TEST(Cli, FrontendUsageErrors) {
    const Args svc{"add-service", "-t", "10.96.0.20:80"};
    const auto with = [&svc](std::initializer_list<std::string> more) {
        Args args = svc;
        args.insert(args.end(), more);
        return args;
    };
    expect_usage_error(with({"--node-port", "0"}), "--node-port: invalid port '0'");
    expect_usage_error(with({"--external-ip", "198.51.100.10:80"}), "invalid external IP");
    expect_usage_error(with({"--lb-ip", "lb.example.com"}), "invalid load-balancer IP");
    expect_usage_error(with({"--source-range", "203.0.113.1/24"}), "did you mean 203.0.113.0/24?");
    expect_usage_error(with({"--external-policy", "Global"}),
                       "invalid external policy 'Global' (expected cluster or local)");
    expect_usage_error(with({"--internal-policy", "x"}), "invalid internal policy");
    expect_usage_error(with({"--external-ip", "198.51.100.10", "--external-ip", "198.51.100.10"}),
                       "--external-ip: '198.51.100.10' given twice");
    expect_usage_error(with({"--lb-ip", "198.51.100.20", "198.51.100.21"}), "198.51.100.21");
    Args many = svc;
    for (int i = 0; i <= SVCNAT_MAX_ADDRS; ++i) {
        many.emplace_back("--external-ip");
        many.push_back("198.51.100." + std::to_string(i));
    }
    expect_usage_error(many, "--external-ip: at most 64 values (got 65)");
    many.resize(many.size() - 2);
    EXPECT_EQ(parse_op(many).service.external_ips.size(), 64U);
}

TEST(Cli, SetConfigUsageErrors) {
    expect_usage_error({"set-config", "--cluster-cidr", "10.244.0.0/16", "--no-cluster-cidr"},
                       "excludes");
    expect_usage_error({"set-config", "--cluster-cidr", "10.244.1.0/16"},
                       "--cluster-cidr: host bits set in '10.244.1.0/16'");
    expect_usage_error({"set-config", "--nodeport-address", "nodes"}, "invalid CIDR 'nodes'");
    expect_usage_error(
        {"set-config", "--service-cidr", "10.96.0.0/12", "--service-cidr", "10.96.0.0/12"},
        "given twice");
    expect_usage_error({"set-config", "--masquerade-all", "yes"},
                       "invalid masquerade-all 'yes' (expected off or on)");
    expect_usage_error({"set-config", "--masq-mark", "0xc000"}, "expected a single bit");
    expect_usage_error({"set-config", "--masq-mode", "masquerade"}, "(expected snat or mark)");
    expect_usage_error({"set-config", "--unknown-port", "drop"}, "(expected accept or reject)");
    expect_usage_error({"set-config", "--unallocated", "reject"}, "(expected accept or drop)");
    expect_usage_error({"set-config", "--cluster-cidr"}, "--cluster-cidr");
}

TEST(Cli, TraceUsageErrors) {
    expect_usage_error({"trace", "--from", "10.244.1.11"}, "one of -t, -u or --sctp");
    expect_usage_error({"trace", "-t", "10.96.0.10:80"}, "--from is required");
    expect_usage_error({"trace", "-t", "10.96.0.10:80", "--from", "pod1"}, "invalid source");
    expect_usage_error({"trace", "-t", "10.96.0.10:80", "--from", "10.0.1.2", "--origin", "ext"},
                       "invalid origin 'ext' (expected pod, node or external)");
    expect_usage_error({"trace", "-t", "10.96.0.10:80", "--from", "10.0.1.2", "-o", "xml"}, "xml");
}

TEST(Cli, ReparsingStartsFromDefaults) {
    CommandLine cli;
    Op op = parse_op(cli, {"add-backend", "-t", "10.0.0.1:80", "-r", "10.0.0.2:80", "-w", "5",
                           "--not-ready", "--local"});
    EXPECT_EQ(op.service.backends.at(0).weight, 5U);
    op = parse_op(cli, {"add-backend", "-u", "10.0.0.1:80", "-r", "10.0.0.3:80"});
    EXPECT_EQ(op.service.proto, Proto::udp);
    EXPECT_EQ(op.service.backends.at(0).weight, 1U);
    EXPECT_EQ(op.service.backends.at(0).flags, svcnl::kDefaultFlags);

    op = parse_op(cli, {"set-backends", "-t", "10.0.0.1:80", "-r", "10.0.0.2:80"});
    EXPECT_EQ(op.service.backends.size(), 1U);
    op = parse_op(cli, {"set-backends", "-t", "10.0.0.1:80"});
    EXPECT_TRUE(op.service.backends.empty());

    op = parse_op(cli, {"add-service", "-t", "10.0.0.1:80", "--name", "x"});
    op = parse_op(cli, {"add-service", "-t", "10.0.0.1:81"});
    EXPECT_FALSE(op.service.name.has_value());

    // An error in between does not leak into the next line either.
    EXPECT_THROW(cli.parse({"add-service", "-t", "10.0.0.1:80", "-u", "10.0.0.1:80"}),
                 CLI::ParseError);
    op = parse_op(cli, {"add-service", "-u", "10.0.0.1:80"});
    EXPECT_EQ(op.service.proto, Proto::udp);
}

Batch parse_text(const std::string& text) {
    std::istringstream in(text);
    return parse_apply(in);
}

std::string apply_error(const std::string& text) {
    try {
        parse_text(text);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "no error";
}

TEST(ApplyInput, LinesCommentsAndQuotes) {
    const Batch batch = parse_text(
        "# restore\n"
        "\n"
        "flush\n"
        "add-service -t 10.96.0.10:8081 --name 'default/my svc:http'  # trailing comment\n"
        "   \n"
        "add-backend -t 10.96.0.10:8081 -r 10.0.2.11:80 -w 2 --not-ready\r\n"
        "set-backends -u 10.96.0.10:53 -r 10.0.2.11:53@3 -r 10.0.2.12:53\n"
        "edit-service -t 10.96.0.10:8081 --name \"it's\"\n"
        "del-backend -t 10.96.0.10:8081 -r 10.0.2.11:80\n"
        "edit-backend -t 10.96.0.10:8081 -r 10.0.2.11:80\n"
        "del-service -t 10.96.0.10:8081");
    ASSERT_EQ(batch.ops.size(), 8U);
    EXPECT_EQ(batch.lines, (std::vector<std::size_t>{3, 4, 6, 7, 8, 9, 10, 11}));
    EXPECT_EQ(batch.ops[0].cmd, SVCNAT_CMD_FLUSH);
    EXPECT_EQ(batch.ops[1].service.name, "default/my svc:http");
    EXPECT_EQ(batch.ops[2].service.backends.at(0).weight, 2U);
    EXPECT_EQ(batch.ops[2].service.backends.at(0).flags,
              static_cast<std::uint32_t>(SVCNAT_BACKEND_FLAGS_SERVING));
    EXPECT_EQ(batch.ops[3].service.backends.size(), 2U);
    EXPECT_EQ(batch.ops[4].service.name, "it's");
    EXPECT_EQ(batch.ops[6].service.backends.at(0).flags, svcnl::kDefaultFlags);
    EXPECT_EQ(batch.ops[7].cmd, SVCNAT_CMD_SERVICE_DEL);
}

TEST(ApplyInput, SetConfigLinesComeFirst) {
    const Batch batch = parse_text(
        "# node\n"
        "set-config --cluster-cidr 10.244.0.0/16 --no-service-cidr\n"
        "set-config --masquerade-all on\n"
        "flush\n"
        "add-service -t 10.96.0.20:80 --node-port 30080 --external-policy local\n");
    ASSERT_EQ(batch.configs.size(), 2U);
    EXPECT_EQ(batch.config_lines, (std::vector<std::size_t>{2, 3}));
    EXPECT_EQ(batch.configs[1].masquerade_all, true);
    ASSERT_EQ(batch.ops.size(), 2U);
    EXPECT_EQ(batch.lines, (std::vector<std::size_t>{4, 5}));
    EXPECT_EQ(batch.ops[1].service.node_port, 30080);

    EXPECT_EQ(apply_error("flush\nset-config --masquerade-all on\n"),
              "line 2: set-config must come before every other command");
    EXPECT_EQ(apply_error("set-config --masq-mark 3\n"),
              "line 1: --masq-mark: invalid mark '3' (expected a single bit, e.g. 0x4000 or "
              "16384)");
    EXPECT_EQ(apply_error("show-config\n"), "line 1: show-config cannot be used in apply");
    EXPECT_EQ(apply_error("trace -t 10.96.0.10:80 --from 10.0.1.2\n"),
              "line 1: trace cannot be used in apply");
    EXPECT_TRUE(parse_text("set-config --unallocated drop\n").ops.empty());
}

TEST(ApplyInput, EmptyInput) {
    EXPECT_TRUE(parse_text("").ops.empty());
    EXPECT_TRUE(parse_text("# nothing\n\n").ops.empty());
}

TEST(ApplyInput, ErrorsNameTheLine) {
    EXPECT_EQ(apply_error("flush\nadd-service -t 10.0.0.1:0\n"),
              "line 2: --tcp: invalid port '0' (expected 1..65535)");
    EXPECT_EQ(apply_error("\n\nadd-service --name 'x\n"), "line 3: unterminated single quote");
    EXPECT_EQ(apply_error("flush\nlist\n"), "line 2: list cannot be used in apply");
    EXPECT_EQ(apply_error("save"), "line 1: save cannot be used in apply");
    EXPECT_EQ(apply_error("apply -f x"), "line 1: apply cannot be used in apply");
    EXPECT_EQ(apply_error("flush\nflush --help"),
              "line 2: --help and --version cannot be used in apply");
    EXPECT_EQ(apply_error("svcadm flush"), "line 1: unknown command 'svcadm'");
    EXPECT_EQ(apply_error("add-backend -t 10.0.0.1:80"), "line 1: --backend is required");
    EXPECT_EQ(apply_error("-t 10.0.0.1:80"), "line 1: A subcommand is required");
}

TEST(ApplyInput, KernelErrorsNameTheLineOfTheOp) {
    const Batch batch = parse_text(
        "flush\n"
        "# comment\n"
        "add-service -t 10.0.0.1:80\n"
        "\n"
        "add-backend -t 10.0.0.1:80 -r 10.0.0.2:80\n");
    EXPECT_EQ(describe_apply_error(batch, svcnl::KernelError(EEXIST, "backend exists", "", 2)),
              "line 5: backend exists (File exists)");
    EXPECT_EQ(describe_apply_error(batch, svcnl::KernelError(ENOENT, "op 1: service gone", "")),
              "line 3: service gone (No such file or directory)");
    // No op named, or one the batch does not have: the kernel's text as it is.
    EXPECT_EQ(describe_apply_error(batch, svcnl::KernelError(EPERM, "", "")),
              "Operation not permitted (CAP_NET_ADMIN is required)");
    EXPECT_EQ(describe_apply_error(batch, svcnl::KernelError(EINVAL, "bad", "", 3)),
              "op 3: bad (Invalid argument)");
}

// A stand-in for the kernel, enough to replay what save prints.
class FakeTable {
public:
    void apply(const Op& op) {
        const svcnl::Service& svc = op.service;
        switch (op.cmd) {
            case SVCNAT_CMD_SERVICE_NEW:
                ASSERT_EQ(table_.count(svc.key()), 0U);
                table_[svc.key()] = svc;
                break;
            case SVCNAT_CMD_BACKEND_NEW: {
                ASSERT_EQ(table_.count(svc.key()), 1U);
                svcnl::Backend be = svc.backends.at(0);
                be.weight = be.weight_or_default();
                be.flags = be.flags_or_default();
                table_[svc.key()].backends.push_back(be);
                break;
            }
            case SVCNAT_CMD_FLUSH:
                table_.clear();
                break;
            default:
                FAIL() << "unexpected op " << svcnl::cmd_name(op.cmd);
        }
    }
    [[nodiscard]] std::vector<svcnl::Service> services() const {
        std::vector<svcnl::Service> out;
        for (const auto& [key, svc] : table_) {
            out.push_back(svc);
        }
        // The kernel returns services in hash order, and backends in its own order.
        std::reverse(out.begin(), out.end());
        for (svcnl::Service& svc : out) {
            std::reverse(svc.backends.begin(), svc.backends.end());
        }
        return out;
    }

private:
    std::map<svcnl::ServiceKey, svcnl::Service> table_;
};

TEST(ApplyInput, SaveRoundTripsFrontendsPoliciesAndNodeConfig) {
    const std::string input =
        "set-config --cluster-cidr 10.244.0.0/16 --nodeport-address 192.168.77.1/32 "
        "--masq-mode mark --unknown-port reject\n"
        "add-service -t 10.96.0.20:80 --name web --node-port 30080 --external-ip 198.51.100.11 "
        "--external-ip 198.51.100.10 --lb-ip 198.51.100.20 --source-range 203.0.113.0/24 "
        "--external-policy local --internal-policy local\n"
        "add-backend -t 10.96.0.20:80 -r 10.244.1.11:80 --local\n"
        "add-service -u 10.96.0.10:53 --internal-policy local\n";
    const Batch batch = parse_text(input);
    svcnl::NodeConfig config;
    for (const ConfigChange& change : batch.configs) {
        change.apply_to(config);
    }
    FakeTable first;
    for (const Op& op : batch.ops) {
        first.apply(op);
    }
    std::vector<svcnl::Service> services = first.services();
    svcnl::sort_services(services);
    const std::string saved = format_save(services, config);
    EXPECT_EQ(saved,
              "set-config --cluster-cidr 10.244.0.0/16 --nodeport-address 192.168.77.1/32 "
              "--no-service-cidr --masquerade-all off --masq-mark 0x4000 --masq-mode mark "
              "--unknown-port reject --unallocated accept\n"
              "add-service -u 10.96.0.10:53 --internal-policy local\n"
              "add-service -t 10.96.0.20:80 --name 'web' --node-port 30080 --external-ip "
              "198.51.100.10 --external-ip 198.51.100.11 --lb-ip 198.51.100.20 --source-range "
              "203.0.113.0/24 --external-policy local --internal-policy local\n"
              "add-backend -t 10.96.0.20:80 -r 10.244.1.11:80 -w 1 --local\n");

    // Applied to a node with another configuration, the saved text gives the same one.
    const Batch again = parse_text(saved);
    svcnl::NodeConfig other;
    other.masquerade_all = true;
    other.service_cidrs = {svcnl::Prefix{*svcnl::Address::parse("10.96.0.0"), 12}};
    for (const ConfigChange& change : again.configs) {
        change.apply_to(other);
    }
    EXPECT_EQ(other, config);
    FakeTable second;
    for (const Op& op : again.ops) {
        second.apply(op);
    }
    services = second.services();
    svcnl::sort_services(services);
    EXPECT_EQ(format_save(services, other), saved);
}

TEST(ApplyInput, SaveRoundTrips) {
    const std::string input =
        "add-service -u [fd00::10]:53 --name 'kube-system/kube-dns:dns'\n"
        "add-backend -u [fd00::10]:53 -r [fd00::2:1]:53\n"
        "add-service -t 10.96.0.10:8081 --name \"default/my-debian:http\"\n"
        "add-backend -t 10.96.0.10:8081 -r 10.0.2.13:80 -w 0 --terminating --not-ready\n"
        "add-backend -t 10.96.0.10:8081 -r 10.0.2.11:80\n"
        "add-backend -t 10.96.0.10:8081 -r 10.0.2.12:80 -w 65535 --local\n"
        "add-service --sctp 10.96.0.10:8081 --name 'it'\\''s'\n"
        "add-service -t 10.96.0.1:443\n"
        "add-backend -t 10.96.0.1:443 -r 192.168.1.1:6443 --not-serving\n";
    FakeTable first;
    for (const Op& op : parse_text(input).ops) {
        first.apply(op);
    }
    std::vector<svcnl::Service> services = first.services();
    svcnl::sort_services(services);
    const std::string saved = format_save(services);

    FakeTable second;
    second.apply(Op{SVCNAT_CMD_FLUSH, {}});
    for (const Op& op : parse_text(saved).ops) {
        second.apply(op);
    }
    services = second.services();
    svcnl::sort_services(services);
    EXPECT_EQ(format_save(services), saved);
    EXPECT_EQ(saved,
              "add-service -t 10.96.0.1:443\n"
              "add-backend -t 10.96.0.1:443 -r 192.168.1.1:6443 -w 1 --not-serving\n"
              "add-service -t 10.96.0.10:8081 --name 'default/my-debian:http'\n"
              "add-backend -t 10.96.0.10:8081 -r 10.0.2.11:80 -w 1\n"
              "add-backend -t 10.96.0.10:8081 -r 10.0.2.12:80 -w 65535 --local\n"
              "add-backend -t 10.96.0.10:8081 -r 10.0.2.13:80 -w 0 --not-ready --terminating\n"
              "add-service --sctp 10.96.0.10:8081 --name 'it'\\''s'\n"
              "add-service -u [fd00::10]:53 --name 'kube-system/kube-dns:dns'\n"
              "add-backend -u [fd00::10]:53 -r [fd00::2:1]:53 -w 1\n");
}

// Runs svcadm and captures what it prints.
struct RunResult {
    int status;
    std::string out;
    std::string err;
};

RunResult run(const Args& args) {
    std::ostringstream out;
    std::ostringstream err;
    std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
    std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
    const int status = run_svcadm(args);
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    return {status, out.str(), err.str()};
}

void expect_one_error_line(const RunResult& r, int status, const std::string& text) {
    EXPECT_EQ(r.status, status);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("svcadm: ", 0), 0U) << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << r.err;
}

TEST(RunSvcadm, UsageErrorsExitTwoWithOneLine) {
    expect_one_error_line(run({}), 2, "no command given");
    expect_one_error_line(run({"bogus"}), 2, "svcadm: unknown command 'bogus'\n");
    expect_one_error_line(run({"add-service", "-t", "1.2.3.4:99999"}), 2,
                          "svcadm: --tcp: invalid port '99999' (expected 1..65535)\n");
    expect_one_error_line(run({"list", "--nope"}), 2, "--nope");
    expect_one_error_line(run({"add-service", "-t", "None:80"}), 2,
                          "svcadm: --tcp: headless services (clusterIP None) have no data path");
    expect_one_error_line(run({"set-config", "--masq-mark", "0x3"}), 2, "single bit");
    expect_one_error_line(run({"trace", "-t", "10.96.0.10:80"}), 2, "--from is required");
}

TEST(RunSvcadm, HelpAndVersionExitZero) {
    RunResult r = run({"--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("set-backends"), std::string::npos);
    EXPECT_TRUE(r.err.empty());
    r = run({"add-backend", "--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("--not-serving"), std::string::npos);
    r = run({"add-service", "--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("Headless services (clusterIP None) and ExternalName services cannot be"),
              std::string::npos)
        << r.out;
    r = run({"--help"});
    for (const char* cmd : {"set-config", "show-config", "trace"}) {
        EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
    }
    r = run({"--version"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("svcadm ", 0), 0U);
}

class TempFile {
public:
    explicit TempFile(const std::string& text) {
        std::string pattern = ::testing::TempDir() + "svcadm-test-XXXXXX";
        const int fd = mkstemp(pattern.data());
        EXPECT_GE(fd, 0);
        close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    TempFile(TempFile&&) = delete;
    TempFile& operator=(TempFile&&) = delete;
    ~TempFile() { std::remove(path_.c_str()); }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_;
};

TEST(RunSvcadm, ApplyParseErrorSendsNothing) {
    // The bad line is found before any netlink socket is opened, so this needs no kernel.
    const TempFile file("flush\nadd-service -t 10.0.0.1:80\nadd-backend -t 10.0.0.1:80 -r x\n");
    expect_one_error_line(run({"apply", "-f", file.path()}), 2,
                          "svcadm: line 3: --backend: missing port in 'x'");
}

TEST(RunSvcadm, ApplyMissingFile) {
    expect_one_error_line(run({"apply", "-f", "/nonexistent/svcadm-input"}), 1,
                          "svcadm: cannot open /nonexistent/svcadm-input: No such file");
}

// ---- issue 4: schedulers, affinity, flush-conns, list --affinity, trace --flows ----

TEST(Cli, AddServiceSchedulerAndAffinity) {
    Op op = parse_op({"add-service", "-t", "10.96.0.10:80", "-s", "rr"});
    EXPECT_EQ(op.service.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_RR));
    EXPECT_FALSE(op.service.maglev_size.has_value());
    EXPECT_FALSE(op.service.hash.has_value());
    EXPECT_EQ(op.service.affinity, static_cast<std::uint32_t>(SVCNAT_AFFINITY_NONE));

    op = parse_op({"add-service", "-u", "10.96.0.10:53", "--scheduler", "Maglev", "--maglev-size",
                   "1021", "--hash", "flow", "--affinity", "ClientIP", "--affinity-timeout", "60"});
    EXPECT_EQ(op.service.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_MAGLEV));
    EXPECT_EQ(op.service.maglev_size, 1021U);
    EXPECT_EQ(op.service.hash, static_cast<std::uint32_t>(SVCNAT_HASH_FLOW));
    EXPECT_EQ(op.service.affinity, static_cast<std::uint32_t>(SVCNAT_AFFINITY_CLIENT_IP));
    EXPECT_EQ(op.service.affinity_timeout, 60U);

    // clientip without a timeout: the kernel's default, nothing sent
    op = parse_op(
        {"add-service", "-t", "[fd00:96::1]:80", "--affinity", "clientip", "-s", "maglev"});
    EXPECT_EQ(op.service.affinity, static_cast<std::uint32_t>(SVCNAT_AFFINITY_CLIENT_IP));
    EXPECT_FALSE(op.service.affinity_timeout.has_value());
    EXPECT_FALSE(op.service.hash.has_value());

    op = parse_op({"add-service", "-t", "10.96.0.10:80", "--affinity", "None", "-s", "random"});
    EXPECT_EQ(op.service.affinity, static_cast<std::uint32_t>(SVCNAT_AFFINITY_NONE));
    EXPECT_EQ(op.service.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_RANDOM));
}

TEST(Cli, EditServiceSetsExactlyTheSettingsGiven) {
    Op op = parse_op({"edit-service", "-t", "10.96.0.10:80", "-s", "maglev", "--hash", "src"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_SERVICE_SET);
    EXPECT_EQ(op.service.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_MAGLEV));
    EXPECT_EQ(op.service.hash, static_cast<std::uint32_t>(SVCNAT_HASH_SRC));
    // Left out: back to the defaults.
    op = parse_op({"edit-service", "-t", "10.96.0.10:80"});
    EXPECT_EQ(op.service.scheduler, static_cast<std::uint32_t>(SVCNAT_SCHEDULER_RANDOM));
    EXPECT_FALSE(op.service.maglev_size.has_value());
    EXPECT_FALSE(op.service.hash.has_value());
    EXPECT_EQ(op.service.affinity, static_cast<std::uint32_t>(SVCNAT_AFFINITY_NONE));
    EXPECT_FALSE(op.service.affinity_timeout.has_value());
}

TEST(Cli, SettingsUsageErrors) {
    expect_usage_error({"add-service", "-t", "10.96.0.10:80", "--hash", "src"},
                       "--hash needs --scheduler maglev");
    expect_usage_error({"add-service", "-t", "10.96.0.10:80", "-s", "rr", "--hash", "flow"},
                       "--hash needs --scheduler maglev");
    expect_usage_error({"edit-service", "-t", "10.96.0.10:80", "--maglev-size", "1021"},
                       "--maglev-size needs --scheduler maglev");
    expect_usage_error({"add-service", "-t", "10.96.0.10:80", "--affinity-timeout", "60"},
                       "--affinity-timeout needs --affinity clientip");
    expect_usage_error(
        {"add-service", "-t", "10.96.0.10:80", "--affinity", "none", "--affinity-timeout", "60"},
        "--affinity-timeout needs --affinity clientip");
    expect_usage_error({"add-service", "-t", "10.96.0.10:80", "-s", "lc"},
                       "invalid scheduler 'lc' (expected random, rr or maglev)");
    expect_usage_error({"add-service", "-t", "10.96.0.10:80", "-s", "maglev", "--hash", "dst"},
                       "invalid hash 'dst' (expected src or flow)");
    expect_usage_error(
        {"add-service", "-t", "10.96.0.10:80", "-s", "maglev", "--maglev-size", "1000"},
        "invalid maglev size '1000'");
    expect_usage_error({"add-service", "-t", "10.96.0.10:80", "--affinity", "sticky"},
                       "invalid affinity 'sticky' (expected none or clientip)");
    expect_usage_error({"add-service", "-t", "10.96.0.10:80", "--affinity", "clientip",
                        "--affinity-timeout", "86401"},
                       "invalid affinity timeout '86401' (expected 1..86400 seconds)");
    // settings belong to services, not to backends
    expect_usage_error({"add-backend", "-t", "10.96.0.10:80", "-r", "10.0.0.1:80", "-s", "rr"},
                       "-s");
}

TEST(Cli, FlushConnsOnBackendChanges) {
    Op op = parse_op({"del-backend", "-t", "10.96.0.10:80", "-r", "10.0.0.1:80", "--flush-conns"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_BACKEND_DEL);
    EXPECT_TRUE(op.service.flush_conns);
    op = parse_op({"del-backend", "-t", "10.96.0.10:80", "-r", "10.0.0.1:80"});
    EXPECT_FALSE(op.service.flush_conns);

    op = parse_op({"edit-backend", "-u", "10.96.0.10:53", "-r", "10.0.0.1:53", "--not-ready",
                   "--flush-conns"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_BACKEND_SET);
    EXPECT_TRUE(op.service.flush_conns);
    op = parse_op({"edit-backend", "-u", "10.96.0.10:53", "-r", "10.0.0.1:53"});
    EXPECT_FALSE(op.service.flush_conns);

    op = parse_op({"set-backends", "--sctp", "10.96.0.10:9", "--flush-conns", "-r", "10.0.0.1:9"});
    EXPECT_EQ(op.cmd, SVCNAT_CMD_BACKEND_REPLACE);
    EXPECT_TRUE(op.service.flush_conns);
    EXPECT_EQ(op.service.backends.size(), 1U);
    op = parse_op({"set-backends", "--sctp", "10.96.0.10:9", "--flush-conns"});
    EXPECT_TRUE(op.service.flush_conns);
    EXPECT_TRUE(op.service.backends.empty());

    expect_usage_error({"add-backend", "-t", "10.96.0.10:80", "-r", "10.0.0.1:80", "--flush-conns"},
                       "--flush-conns");
    expect_usage_error({"del-service", "-t", "10.96.0.10:80", "--flush-conns"}, "--flush-conns");
}

TEST(ApplyInput, FlushConnsAndSettingsInApply) {
    const Batch batch = parse_text(
        "add-service -t 10.96.0.10:80 -s maglev --hash flow --affinity clientip\n"
        "set-backends -t 10.96.0.10:80 -r 10.0.0.1:80 --flush-conns\n"
        "del-backend -t 10.96.0.10:80 -r 10.0.0.1:80 --flush-conns\n");
    ASSERT_EQ(batch.ops.size(), 3U);
    EXPECT_EQ(batch.ops[0].service.hash, static_cast<std::uint32_t>(SVCNAT_HASH_FLOW));
    EXPECT_TRUE(batch.ops[1].service.flush_conns);
    EXPECT_TRUE(batch.ops[2].service.flush_conns);
    EXPECT_EQ(apply_error("add-service -t 10.96.0.10:80 --hash flow\n"),
              "line 1: --hash needs --scheduler maglev");
}

TEST(Cli, ListAffinityNeedsAService) {
    CommandLine cli;
    Command cmd = cli.parse({"list", "--affinity", "-t", "10.96.0.10:80"});
    EXPECT_EQ(cmd.name, "list");
    EXPECT_TRUE(cmd.run);
    EXPECT_FALSE(cmd.op.has_value());
    cmd = cli.parse({"list", "--affinity", "-u", "[fd00::10]:53", "-o", "json"});
    EXPECT_TRUE(cmd.run);
    expect_usage_error({"list", "--affinity"},
                       "one of -t, -u or --sctp ADDR:PORT is required with --affinity");
    expect_usage_error({"list", "--affinity", "--stats", "-t", "10.96.0.10:80"}, "--stats");
    EXPECT_EQ(apply_error("list --affinity -t 10.96.0.10:80\n"),
              "line 1: list cannot be used in apply");
}

TEST(Cli, TraceChooseAndFlows) {
    CommandLine cli;
    for (const Args& args : {
             Args{"trace", "-t", "10.96.0.10:80", "--from", "10.244.1.11", "--choose"},
             Args{"trace", "-t", "10.96.0.10:80", "--from", "10.244.1.11", "--flows", "100"},
             Args{"trace", "-u", "[fd00:96::10]:53", "--from", "[fd00:244::11]:5000", "--flows",
                  "100000", "--vary", "saddr", "-o", "json"},
             Args{"trace", "-t", "10.96.0.10:80", "--from", "10.244.1.11", "--flows", "1", "--vary",
                  "SPORT", "--choose"},
         }) {
        const Command cmd = cli.parse(args);
        EXPECT_EQ(cmd.name, "trace");
        EXPECT_TRUE(cmd.run);
        EXPECT_FALSE(cmd.op.has_value());
    }
    expect_usage_error({"trace", "-t", "10.96.0.10:80", "--from", "10.0.1.2", "--flows", "0"},
                       "invalid flow count '0' (expected 1..100000)");
    expect_usage_error({"trace", "-t", "10.96.0.10:80", "--from", "10.0.1.2", "--flows", "100001"},
                       "invalid flow count");
    expect_usage_error({"trace", "-t", "10.96.0.10:80", "--from", "10.0.1.2", "--vary", "saddr"},
                       "--flows");
    expect_usage_error(
        {"trace", "-t", "10.96.0.10:80", "--from", "10.0.1.2", "--flows", "5", "--vary", "dport"},
        "invalid --vary value 'dport' (expected sport or saddr)");
}

svcnl::TraceRequest first_flow(const char* src, std::optional<std::uint16_t> port) {
    return svcnl::TraceRequest{.proto = Proto::udp,
                               .src = *svcnl::Address::parse(src),
                               .src_port = port,
                               .dst = *svcnl::Address::parse("10.96.0.10"),
                               .dst_port = 53,
                               .origin = SVCNAT_ORIGIN_POD};
}

TEST(Flows, VarySourcePortWrapsWithinOneTo65535) {
    const svcnl::TraceRequest first = first_flow("10.244.1.11", std::nullopt);
    svcnl::TraceRequest req = flow_request(first, 0, Vary::sport);
    EXPECT_TRUE(req.choose);
    EXPECT_EQ(req.src_port, kFirstFlowPort);
    EXPECT_EQ(req.src.to_string(), "10.244.1.11");
    EXPECT_EQ(req.dst_port, 53);
    EXPECT_EQ(req.origin, static_cast<std::uint32_t>(SVCNAT_ORIGIN_POD));
    EXPECT_EQ(flow_request(first, 7, Vary::sport).src_port, 40007);
    EXPECT_EQ(flow_request(first, 25535, Vary::sport).src_port, 65535);
    EXPECT_EQ(flow_request(first, 25536, Vary::sport).src_port, 1);
    EXPECT_EQ(flow_request(first, 25536 + 65535, Vary::sport).src_port, 1);

    const svcnl::TraceRequest from_port = first_flow("10.244.1.11", 65534);
    EXPECT_EQ(flow_request(from_port, 0, Vary::sport).src_port, 65534);
    EXPECT_EQ(flow_request(from_port, 1, Vary::sport).src_port, 65535);
    EXPECT_EQ(flow_request(from_port, 2, Vary::sport).src_port, 1);
    EXPECT_EQ(flow_request(from_port, 2, Vary::sport).src.to_string(), "10.244.1.11");
}

TEST(Flows, VarySourceAddressKeepsThePort) {
    svcnl::TraceRequest first = first_flow("10.244.1.250", 5000);
    svcnl::TraceRequest req = flow_request(first, 10, Vary::saddr);
    EXPECT_TRUE(req.choose);
    EXPECT_EQ(req.src.to_string(), "10.244.2.4");
    EXPECT_EQ(req.src_port, 5000);
    first = first_flow("10.244.1.11", std::nullopt);
    EXPECT_EQ(flow_request(first, 0, Vary::saddr).src_port, kFirstFlowPort);
    EXPECT_EQ(flow_request(first, 0, Vary::saddr).src.to_string(), "10.244.1.11");
    EXPECT_EQ(flow_request(first, 65536, Vary::saddr).src.to_string(), "10.245.1.11");

    first = first_flow("fd00:244:1::ffff", 53);
    req = flow_request(first, 1, Vary::saddr);
    EXPECT_EQ(req.src.to_string(), "fd00:244:1::1:0");
    EXPECT_FALSE(req.src.is_ipv4());
    EXPECT_EQ(req.src_port, 53);
}

TEST(Flows, AddressArithmeticWrapsWithinTheFamily) {
    EXPECT_EQ(add_to_address(*svcnl::Address::parse("255.255.255.255"), 2).to_string(), "0.0.0.1");
    EXPECT_EQ(add_to_address(*svcnl::Address::parse("10.0.0.0"), 0).to_string(), "10.0.0.0");
    EXPECT_EQ(add_to_address(*svcnl::Address::parse("10.0.0.0"), 0x01020304).to_string(),
              "11.2.3.4");
    EXPECT_EQ(add_to_address(*svcnl::Address::parse("::ffff:ffff:ffff:ffff"), 1).to_string(),
              "0:0:0:1::");
    EXPECT_EQ(add_to_address(*svcnl::Address::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 1)
                  .to_string(),
              "::");
    EXPECT_EQ(add_to_address(*svcnl::Address::parse("fd00::"), 100000).to_string(), "fd00::1:86a0");
}

TEST(ApplyInput, SaveRoundTripsSchedulersAndAffinity) {
    const std::string input =
        "add-service -t 10.96.0.10:80 -s rr\n"
        "add-service -t 10.96.0.11:80 --scheduler maglev --maglev-size 4093 --hash flow "
        "--affinity ClientIP --affinity-timeout 60\n"
        "add-service -t 10.96.0.12:80 -s maglev\n"
        "add-service -u [fd00:96::10]:53 --affinity clientip\n"
        "add-backend -u [fd00:96::10]:53 -r [fd00:244:1::11]:53\n";
    FakeTable first;
    for (const Op& op : parse_text(input).ops) {
        first.apply(op);
    }
    std::vector<svcnl::Service> services = first.services();
    svcnl::sort_services(services);
    const std::string saved = format_save(services);
    EXPECT_EQ(saved,
              "add-service -t 10.96.0.10:80 --scheduler rr\n"
              "add-service -t 10.96.0.11:80 --scheduler maglev --hash flow --maglev-size 4093 "
              "--affinity clientip --affinity-timeout 60\n"
              "add-service -t 10.96.0.12:80 --scheduler maglev --hash src\n"
              "add-service -u [fd00:96::10]:53 --affinity clientip --affinity-timeout 10800\n"
              "add-backend -u [fd00:96::10]:53 -r [fd00:244:1::11]:53 -w 1\n");
    FakeTable second;
    for (const Op& op : parse_text(saved).ops) {
        second.apply(op);
    }
    std::vector<svcnl::Service> again = second.services();
    svcnl::sort_services(again);
    EXPECT_EQ(format_save(again), saved);
}

TEST(RunSvcadm, SettingErrorsExitTwoWithOneLine) {
    expect_one_error_line(run({"add-service", "-t", "10.96.0.10:80", "--hash", "src"}), 2,
                          "svcadm: --hash needs --scheduler maglev\n");
    expect_one_error_line(run({"edit-service", "-t", "10.96.0.10:80", "--affinity-timeout", "5"}),
                          2, "svcadm: --affinity-timeout needs --affinity clientip\n");
    expect_one_error_line(run({"list", "--affinity"}), 2, "required with --affinity");
    expect_one_error_line(
        run({"trace", "-t", "10.96.0.10:80", "--from", "10.0.1.2", "--flows", "0"}), 2,
        "svcadm: --flows: invalid flow count '0' (expected 1..100000)\n");
}

}  // namespace
}  // namespace svcadm
