// SPDX-License-Identifier: GPL-2.0-only
// svcadm trace -t|-u|--sctp DST:PORT --from SRC[:PORT] [--origin pod|node|external]
//              [-o text|json]
//
// Asks the kernel what it would do with the first packet of such a connection, without
// creating any state or counting it.
#include <iostream>

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
    std::string output = "text";
};

int run_trace(const svcnl::TraceRequest& req, const std::string& output) {
    svcnl::Socket sock;
    const svcnl::TraceReply reply = sock.trace(req);
    std::cout << (output == "json" ? format_trace_json(reply) : format_trace(reply));
    return 0;
}

}  // namespace

void setup_trace(CLI::App& app, Command& out) {
    auto [sub, opts] = add_command<TraceOptions>(
        app, "trace", "Show what svcnat would do with the first packet of a connection");
    sub->footer(
        "-t/-u/--sctp give the protocol and the destination; --from the source (port 40000\n"
        "when none is given). --origin node traces a packet the node itself sends; pod and\n"
        "external (the kernel's \"other\") a packet arriving at the node, and must agree with\n"
        "the cluster CIDRs. Without --origin the source decides between pod and external.\n"
        "Nothing is changed or counted. The first output line is\n"
        "verdict=V reason=R origin=O frontend=F set=S masquerade=yes|no masq-reason=M");
    add_service_options(sub, opts->destination);
    sub->add_option("--from", opts->from, "Source address and optional port")
        ->type_name("SRC[:PORT]")
        ->required()
        ->check(source_validator());
    sub->add_option("--origin", opts->origin, "Origin class of the packet")
        ->type_name("pod|node|external")
        ->check(origin_validator());
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
        };
        if (!opts->origin.empty()) {
            req.origin = parse_origin(opts->origin);
        }
        out.name = "trace";
        out.run = [req, output = opts->output] {
            return run_trace(req, output);
        };
    });
}

}  // namespace svcadm
