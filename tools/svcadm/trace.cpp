// SPDX-License-Identifier: GPL-2.0-only
// svcadm trace -t|-u|--sctp DST:PORT --from SRC[:PORT] [--origin pod|node|external]
//              [--choose] [--flows N [--vary sport|saddr]] [-o text|json]
//
// Asks the kernel what it would do with the first packet of such a connection, without
// creating any state or counting it. --flows runs N traces from varying sources over one
// socket, pipelined, and prints where each went and how many went to each backend.
#include "trace.hpp"

#include <linux/svcnat.h>

#include <array>
#include <iostream>
#include <vector>

#include "cli.hpp"
#include "format.hpp"
#include "parse.hpp"
#include "svcnl/socket.hpp"

namespace svcadm {

namespace {

struct TraceOptions {
    ServiceOptions destination;
    std::string from;
    std::string origin;
    bool choose = false;
    std::string flows;
    std::string vary;
    std::string output = "text";
};

constexpr std::array<std::string_view, 2> kVaryNames{"sport", "saddr"};

int run_trace(const svcnl::TraceRequest& req, const std::string& output) {
    svcnl::Socket sock;
    const svcnl::TraceReply reply = sock.trace(req);
    std::cout << (output == "json" ? format_trace_json(reply) : format_trace(reply));
    return 0;
}

int run_flows(const svcnl::TraceRequest& first, std::size_t count, Vary vary,
              const std::string& output) {
    svcnl::Socket sock;
    std::vector<Flow> flows(count);
    sock.trace_many(
        count,
        [&](std::size_t i) {
            svcnl::TraceRequest req = flow_request(first, i, vary);
            flows[i].src = req.src;
            flows[i].src_port = req.src_port.value_or(kFirstFlowPort);
            return req;
        },
        [&](std::size_t i, const svcnl::TraceReply& reply) {
            if (reply.verdict == SVCNAT_VERDICT_DNAT && reply.backend) {
                flows[i].backend =
                    svcnl::Backend{.addr = reply.backend->addr, .port = reply.backend->port};
            }
        });
    std::cout << (output == "json" ? format_flows_json(flows) : format_flows(flows));
    return 0;
}

}  // namespace

svcnl::Address add_to_address(const svcnl::Address& addr, std::uint64_t n) {
    std::array<std::uint8_t, 16> bytes{};
    const std::size_t size = addr.size();
    std::copy(addr.data(), addr.data() + size, bytes.begin());
    std::uint64_t carry = n;
    for (std::size_t i = size; i-- > 0 && carry != 0;) {
        const std::uint64_t sum = bytes.at(i) + (carry & 0xff);
        bytes.at(i) = static_cast<std::uint8_t>(sum);
        carry = (carry >> 8) + (sum >> 8);
    }
    if (addr.is_ipv4()) {
        return svcnl::Address::ipv4({bytes[0], bytes[1], bytes[2], bytes[3]});
    }
    return svcnl::Address::ipv6(bytes);
}

svcnl::TraceRequest flow_request(const svcnl::TraceRequest& first, std::size_t index, Vary vary) {
    svcnl::TraceRequest req = first;
    req.choose = true;
    const std::uint16_t port = first.src_port.value_or(kFirstFlowPort);
    switch (vary) {
        case Vary::sport:
            // 1..65535 and around again
            req.src_port = static_cast<std::uint16_t>((port - 1 + index) % 65535 + 1);
            break;
        case Vary::saddr:
            req.src = add_to_address(first.src, index);
            req.src_port = port;
            break;
    }
    return req;
}

void setup_trace(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<TraceOptions>(
        app, "trace", "Show what svcnat would do with the first packet of a connection");
    sub->footer(
        "-t/-u/--sctp give the protocol and the destination; --from the source (port 40000\n"
        "when none is given). --origin node traces a packet the node itself sends; pod and\n"
        "external (the kernel's \"other\") a packet arriving at the node, and must agree with\n"
        "the cluster CIDRs. Without --origin the source decides between pod and external.\n"
        "Nothing is changed or counted. The first output line is\n"
        "verdict=V reason=R origin=O frontend=F set=S masquerade=yes|no masq-reason=M\n"
        "--choose picks a backend as a packet would even when the choice is not\n"
        "deterministic (random draws, rr advances). --flows N traces N flows with --choose,\n"
        "from source ports P, P+1, ... (--vary sport) or source addresses A, A+1, ...\n"
        "(--vary saddr), and prints 'flow SRC PORT -> BACKEND' per flow, then\n"
        "'backend ADDR:PORT COUNT' per backend chosen and 'total N'.");
    add_service_options(sub, opts->destination);
    sub->add_option("--from", opts->from, "Source address and optional port")
        ->type_name("SRC[:PORT]")
        ->required()
        ->check(source_validator());
    sub->add_option("--origin", opts->origin, "Origin class of the packet")
        ->type_name("pod|node|external")
        ->check(origin_validator());
    sub->add_flag("--choose", opts->choose,
                  "Choose a backend even when the choice is not deterministic");
    CLI::Option* flows =
        sub->add_option("--flows", opts->flows, "Trace N flows from varying sources")
            ->type_name("N")
            ->check(flow_count_validator());
    sub->add_option("--vary", opts->vary, "What changes between flows (default sport)")
        ->type_name("sport|saddr")
        ->check(choice_validator(kVaryNames, "--vary value"))
        ->needs(flows);
    sub->add_option("-o,--output", opts->output, "Output format")
        ->type_name("text|json")
        ->default_str("text")
        ->check(CLI::IsMember({"text", "json"}));
    sub->callback([opts = opts, &out] {
        const svcnl::Service dst = required_service(opts->destination);
        const Source src = parse_source(opts->from);
        svcnl::TraceRequest req{
            .proto = dst.proto,
            .src = src.addr,
            .src_port = src.port,
            .dst = dst.addr,
            .dst_port = dst.port,
            .choose = opts->choose,
        };
        if (!opts->origin.empty()) {
            req.origin = parse_origin(opts->origin);
        }
        out.name = "trace";
        if (!opts->flows.empty()) {
            const std::uint32_t count = parse_flow_count(opts->flows);
            const Vary vary =
                opts->vary.empty()
                    ? Vary::sport
                    : static_cast<Vary>(parse_choice(opts->vary, kVaryNames, "--vary value"));
            out.run = [req, count, vary, output = opts->output] {
                return run_flows(req, count, vary, output);
            };
            return;
        }
        out.run = [req, output = opts->output] {
            return run_trace(req, output);
        };
    });
}

}  // namespace svcadm
