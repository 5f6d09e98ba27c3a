// SPDX-License-Identifier: GPL-2.0-only
#include "format.hpp"

#include <linux/svcnat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "parse.hpp"
#include "svcnl/error.hpp"

namespace svcadm {

namespace {

using svcnl::Backend;
using svcnl::Proto;
using svcnl::Service;

constexpr std::array<std::pair<std::uint32_t, std::string_view>, 4> kConditions{{
    {SVCNAT_BACKEND_FLAGS_READY, "ready"},
    {SVCNAT_BACKEND_FLAGS_SERVING, "serving"},
    {SVCNAT_BACKEND_FLAGS_TERMINATING, "terminating"},
    {SVCNAT_BACKEND_FLAGS_LOCAL, "local"},
}};

std::string proto_column(Proto proto) {
    switch (proto) {
        case Proto::tcp:
            return "TCP";
        case Proto::udp:
            return "UDP";
        case Proto::sctp:
            return "SCTP";
    }
    return "#" + std::to_string(static_cast<unsigned>(proto));
}

std::string pad(std::string text, std::size_t width) {
    if (text.size() < width) {
        text.append(width - text.size(), ' ');
    }
    return text;
}

void rstrip(std::string& line) {
    while (!line.empty() && line.back() == ' ') {
        line.pop_back();
    }
}

// Lower-case hex digits of value, at least `width` of them.
std::string hex_digits(std::uint32_t value, int width) {
    std::array<char, 8> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value, 16);
    std::string digits(buf.data(), end);
    if (std::cmp_less(digits.size(), width)) {
        digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    }
    return digits;
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
    std::string out;
    for (const std::string& word : words) {
        out += out.empty() ? "" : std::string(sep);
        out += word;
    }
    return out;
}

template <typename T>
std::vector<std::string> texts(const std::vector<T>& items) {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const T& item : items) {
        out.push_back(item.to_string());
    }
    return out;
}

// "conns 3 masqueraded 1 ..." for the service counters; absent counters read 0.
std::string service_stats_words(const std::optional<svcnl::Stats>& stats) {
    const svcnl::Stats st = stats.value_or(svcnl::Stats{});
    return "conns " + std::to_string(st.conns) + " masqueraded " + std::to_string(st.masqueraded) +
           " rejected-no-endpoints " + std::to_string(st.rejected_no_endpoints) +
           " dropped-no-local " + std::to_string(st.dropped_no_local) + " dropped-source-range " +
           std::to_string(st.dropped_source_range);
}

std::string policy_name(std::uint32_t policy) {
    return svcnl::enum_name(svcnl::kTrafficPolicyNames, policy);
}

std::string scheduler_name(std::uint32_t scheduler) {
    return svcnl::enum_name(svcnl::kSchedulerNames, scheduler);
}

std::string hash_name(const Service& svc) {
    return svcnl::enum_name(svcnl::kHashNames, svc.hash.value_or(SVCNAT_HASH_SRC));
}

std::uint32_t timeout_of(const Service& svc) {
    return svc.affinity_timeout.value_or(svcnl::kAffinityTimeoutDefault);
}

// The scheduler and affinity lines, when not the default.
std::string setting_lines(const Service& svc) {
    std::string out;
    if (svc.scheduler == SVCNAT_SCHEDULER_MAGLEV) {
        out += "  scheduler: maglev hash " + hash_name(svc);
        if (svc.maglev_size) {
            out += " size " + std::to_string(*svc.maglev_size);
        }
        out += "\n";
    } else if (svc.scheduler != SVCNAT_SCHEDULER_RANDOM) {
        out += "  scheduler: " + scheduler_name(svc.scheduler) + "\n";
    }
    if (svc.affinity == SVCNAT_AFFINITY_CLIENT_IP) {
        out += "  affinity: clientip timeout " + std::to_string(timeout_of(svc)) + "\n";
    } else if (svc.affinity != SVCNAT_AFFINITY_NONE) {
        out += "  affinity: " + svcnl::enum_name(svcnl::kAffinityNames, svc.affinity) + "\n";
    }
    return out;
}

// The "  OPTION: VALUE..." lines of the frontends and policies that are not the default.
std::string frontend_lines(const Service& svc) {
    std::string out;
    if (svc.node_port) {
        out += "  node-port: " + std::to_string(*svc.node_port) + "\n";
    }
    if (!svc.external_ips.empty()) {
        out += "  external-ip: " + join(texts(svc.external_ips), " ") + "\n";
    }
    if (!svc.lb_ips.empty()) {
        out += "  lb-ip: " + join(texts(svc.lb_ips), " ") + "\n";
    }
    if (!svc.source_ranges.empty()) {
        out += "  source-range: " + join(texts(svc.source_ranges), " ") + "\n";
    }
    if (svc.ext_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        out += "  external-policy: " + policy_name(svc.ext_policy) + "\n";
    }
    if (svc.int_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        out += "  internal-policy: " + policy_name(svc.int_policy) + "\n";
    }
    return out;
}

}  // namespace

std::string format_conditions(std::uint32_t flags) {
    std::string out;
    for (const auto& [bit, name] : kConditions) {
        if ((flags & bit) != 0) {
            out += out.empty() ? "" : ",";
            out += name;
        }
    }
    if (const std::uint32_t unknown = flags & ~svcnl::kKnownFlags; unknown != 0) {
        out += out.empty() ? "" : ",";
        out += "0x" + hex_digits(unknown, 1);
    }
    return out.empty() ? "-" : out;
}

namespace {

constexpr std::string_view kLocal = "LocalAddress:Port";
constexpr std::string_view kRemote = "RemoteAddress:Port";
constexpr std::size_t kProtoWidth = 4;

// The width of the address column of a table of `services`.
std::size_t table_width(std::span<const Service> services) {
    std::size_t width = std::max(kLocal.size(), kRemote.size());
    for (const Service& svc : services) {
        width = std::max(width, svcnl::format_endpoint(svc.addr, svc.port).size());
        for (const Backend& be : svc.backends) {
            width = std::max(width, svcnl::format_endpoint(be.addr, be.port).size());
        }
    }
    return width;
}

std::string service_line(const Service& svc, std::size_t width) {
    std::string line = pad(proto_column(svc.proto), kProtoWidth) + " " +
                       pad(svcnl::format_endpoint(svc.addr, svc.port), width) + " " +
                       svcnl::one_line(svc.name.value_or(""));
    rstrip(line);
    return line + "\n";
}

}  // namespace

std::string format_table(const std::vector<Service>& services, bool stats) {
    constexpr std::size_t kWeightWidth = 6;  // "Weight", and 65535 fits
    const std::size_t width = table_width(services);

    std::string out;
    std::string line = pad("Prot", kProtoWidth) + " " + pad(std::string(kLocal), width) + " Name";
    out += line + "\n";
    line = "  -> " + pad(std::string(kRemote), width) + " " + pad("Weight", kWeightWidth) +
           " Conditions";
    out += line + "\n";
    for (const Service& svc : services) {
        out += service_line(svc, width);
        out += frontend_lines(svc);
        out += setting_lines(svc);
        if (stats) {
            out += "  stats: " + service_stats_words(svc.stats) + "\n";
        }
        for (const Backend& be : svc.backends) {
            line = "  -> " + pad(svcnl::format_endpoint(be.addr, be.port), width) + " " +
                   pad(std::to_string(be.weight_or_default()), kWeightWidth) + " " +
                   format_conditions(be.flags_or_default());
            out += line + "\n";
        }
    }
    return out;
}

namespace {

// Milliseconds to whole seconds, rounded up.
std::uint64_t seconds_up(std::uint32_t ms) {
    return (std::uint64_t{ms} + 999) / 1000;
}

}  // namespace

std::string format_affinity(const Service& svc, const std::vector<svcnl::AffinityEntry>& entries) {
    std::string out = service_line(svc, table_width(std::span<const Service>(&svc, 1)));
    for (const svcnl::AffinityEntry& entry : entries) {
        out += "  client " + entry.client.to_string() + " -> " +
               svcnl::format_endpoint(entry.backend.addr, entry.backend.port) + " expires " +
               std::to_string(seconds_up(entry.expires_ms)) + "s\n";
    }
    return out;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    out += "\\u" + hex_digits(u, 4);
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

namespace {

std::string json_string_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i == 0 ? "" : ", ") + json_string(items[i]);
    }
    return out + "]";
}

std::string json_bool(bool value) {
    return value ? "true" : "false";
}

// One backend as a JSON object; `indent` is the indentation of its braces.
std::string backend_json(const Backend& be, const std::string& indent) {
    const std::uint32_t flags = be.flags_or_default();
    std::string out = indent + "{\n";
    out += indent + "  \"address\": " + json_string(be.addr.to_string()) + ",\n";
    out += indent + "  \"port\": " + std::to_string(be.port) + ",\n";
    out += indent + "  \"weight\": " + std::to_string(be.weight_or_default()) + ",\n";
    out += indent + "  \"flags\": " + std::to_string(flags) + ",\n";
    out += indent + "  \"conditions\": {";
    for (std::size_t k = 0; k < kConditions.size(); ++k) {
        const auto& [bit, name] = kConditions.at(k);
        out += k == 0 ? "" : ", ";
        out += json_string(name) + ": " + json_bool((flags & bit) != 0);
    }
    out += "}\n";
    return out + indent + "}";
}

// A member holding an array of backends, without the trailing comma or newline.
std::string backends_json(const std::vector<Backend>& backends, const std::string& indent,
                          std::string_view key) {
    std::string out = indent + json_string(key) + ": [";
    if (backends.empty()) {
        return out + "]";
    }
    out += "\n";
    for (std::size_t j = 0; j < backends.size(); ++j) {
        out += backend_json(backends[j], indent + "  ");
        out += j + 1 < backends.size() ? ",\n" : "\n";
    }
    return out + indent + "]";
}

std::string json_number_or_null(const std::optional<std::uint32_t>& value) {
    return value ? std::to_string(*value) : std::string("null");
}

// The scheduler and affinity members, one per line, each followed by a comma.
std::string settings_json(const Service& svc, const std::string& indent) {
    const bool maglev = svc.scheduler == SVCNAT_SCHEDULER_MAGLEV;
    const bool client_ip = svc.affinity == SVCNAT_AFFINITY_CLIENT_IP;
    std::string out;
    out += indent + "\"scheduler\": " + json_string(scheduler_name(svc.scheduler)) + ",\n";
    out += indent + "\"hash\": " + (maglev ? json_string(hash_name(svc)) : "null") + ",\n";
    out += indent +
           "\"maglev-size\": " + json_number_or_null(maglev ? svc.maglev_size : std::nullopt) +
           ",\n";
    out += indent +
           "\"affinity\": " + json_string(svcnl::enum_name(svcnl::kAffinityNames, svc.affinity)) +
           ",\n";
    out += indent + "\"affinity-timeout\": " +
           (client_ip ? std::to_string(timeout_of(svc)) : std::string("null")) + ",\n";
    return out;
}

// {"protocol": ..., "address": ..., "port": ..., "name": ...}
std::string service_key_json(const Service& svc) {
    return R"({"protocol": )" + json_string(svcnl::proto_name(svc.proto)) +
           ", \"address\": " + json_string(svc.addr.to_string()) +
           ", \"port\": " + std::to_string(svc.port) +
           ", \"name\": " + json_string(svc.name.value_or("")) + "}";
}

// {"address": ..., "port": ...}
std::string endpoint_json(const svcnl::Address& addr, std::uint16_t port) {
    return R"({"address": )" + json_string(addr.to_string()) +
           ", \"port\": " + std::to_string(port) + "}";
}

}  // namespace

std::string format_affinity_json(const Service& svc,
                                 const std::vector<svcnl::AffinityEntry>& entries) {
    std::string out = "{\n  \"service\": " + service_key_json(svc) + ",\n  \"affinity\": [";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const svcnl::AffinityEntry& entry = entries[i];
        out += i == 0 ? "\n" : ",\n";
        out += R"(    {"client": )" + json_string(entry.client.to_string()) +
               ", \"backend\": " + endpoint_json(entry.backend.addr, entry.backend.port) +
               ", \"expires\": " + std::to_string(seconds_up(entry.expires_ms)) +
               ", \"expires-ms\": " + std::to_string(entry.expires_ms) + "}";
    }
    out += entries.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return out;
}

std::string format_json(const std::vector<Service>& services) {
    if (services.empty()) {
        return "{\n  \"services\": []\n}\n";
    }
    std::string out = "{\n  \"services\": [\n";
    for (std::size_t i = 0; i < services.size(); ++i) {
        const Service& svc = services[i];
        const svcnl::Stats st = svc.stats.value_or(svcnl::Stats{});
        out += "    {\n";
        out += "      \"protocol\": " + json_string(svcnl::proto_name(svc.proto)) + ",\n";
        out += "      \"address\": " + json_string(svc.addr.to_string()) + ",\n";
        out += "      \"port\": " + std::to_string(svc.port) + ",\n";
        out += "      \"name\": " + json_string(svc.name.value_or("")) + ",\n";
        out += "      \"node-port\": " +
               (svc.node_port ? std::to_string(*svc.node_port) : std::string("null")) + ",\n";
        out += "      \"external-ip\": " + json_string_array(texts(svc.external_ips)) + ",\n";
        out += "      \"lb-ip\": " + json_string_array(texts(svc.lb_ips)) + ",\n";
        out += "      \"source-range\": " + json_string_array(texts(svc.source_ranges)) + ",\n";
        out += "      \"external-policy\": " + json_string(policy_name(svc.ext_policy)) + ",\n";
        out += "      \"internal-policy\": " + json_string(policy_name(svc.int_policy)) + ",\n";
        out += settings_json(svc, "      ");
        out += R"(      "stats": {"conns": )" + std::to_string(st.conns) +
               ", \"masqueraded\": " + std::to_string(st.masqueraded) +
               ", \"rejected-no-endpoints\": " + std::to_string(st.rejected_no_endpoints) +
               ", \"dropped-no-local\": " + std::to_string(st.dropped_no_local) +
               ", \"dropped-source-range\": " + std::to_string(st.dropped_source_range) + "},\n";
        out += backends_json(svc.backends, "      ", "backends") + "\n";
        out += i + 1 < services.size() ? "    },\n" : "    }\n";
    }
    out += "  ]\n}\n";
    return out;
}

namespace {

std::string prefix_list(const std::vector<svcnl::Prefix>& prefixes) {
    return prefixes.empty() ? "-" : join(texts(prefixes), " ");
}

std::string node_stats(const svcnl::NodeConfig& config) {
    const svcnl::Stats st = config.stats.value_or(svcnl::Stats{});
    return "rejected-unknown-port " + std::to_string(st.rejected_unknown_port) +
           " dropped-unallocated " + std::to_string(st.dropped_unallocated);
}

}  // namespace

std::string format_config(const svcnl::NodeConfig& config) {
    std::string out;
    out += "cluster-cidr: " + prefix_list(config.cluster_cidrs) + "\n";
    out += "nodeport-address: " + prefix_list(config.nodeport_cidrs) + "\n";
    out += "service-cidr: " + prefix_list(config.service_cidrs) + "\n";
    out += std::string("masquerade-all: ") + (config.masquerade_all ? "on" : "off") + "\n";
    out += "masq-mark: " + format_mark(config.masq_mark) + "\n";
    out += "masq-mode: " + svcnl::enum_name(svcnl::kMasqModeNames, config.masq_mode) + "\n";
    out +=
        "unknown-port: " + svcnl::enum_name(svcnl::kUnknownPortNames, config.unknown_port) + "\n";
    out += "unallocated: " + svcnl::enum_name(svcnl::kUnallocatedNames, config.unallocated) + "\n";
    out += "stats: " + node_stats(config) + "\n";
    return out;
}

std::string format_config_json(const svcnl::NodeConfig& config) {
    const svcnl::Stats st = config.stats.value_or(svcnl::Stats{});
    std::string out = "{\n";
    out += "  \"cluster-cidr\": " + json_string_array(texts(config.cluster_cidrs)) + ",\n";
    out += "  \"nodeport-address\": " + json_string_array(texts(config.nodeport_cidrs)) + ",\n";
    out += "  \"service-cidr\": " + json_string_array(texts(config.service_cidrs)) + ",\n";
    out += "  \"masquerade-all\": " + json_bool(config.masquerade_all) + ",\n";
    out += "  \"masq-mark\": " + std::to_string(config.masq_mark) + ",\n";
    out += "  \"masq-mode\": " +
           json_string(svcnl::enum_name(svcnl::kMasqModeNames, config.masq_mode)) + ",\n";
    out += "  \"unknown-port\": " +
           json_string(svcnl::enum_name(svcnl::kUnknownPortNames, config.unknown_port)) + ",\n";
    out += "  \"unallocated\": " +
           json_string(svcnl::enum_name(svcnl::kUnallocatedNames, config.unallocated)) + ",\n";
    out += R"(  "stats": {"rejected-unknown-port": )" + std::to_string(st.rejected_unknown_port) +
           ", \"dropped-unallocated\": " + std::to_string(st.dropped_unallocated) + "}\n";
    out += "}\n";
    return out;
}

namespace {

std::string optional_name(svcnl::EnumNames names, const std::optional<std::uint32_t>& value) {
    return value ? svcnl::enum_name(names, *value) : "none";
}

}  // namespace

std::string format_trace(const svcnl::TraceReply& reply) {
    std::string out = "verdict=" + svcnl::enum_name(svcnl::kVerdictNames, reply.verdict) +
                      " reason=" + svcnl::enum_name(svcnl::kReasonNames, reply.reason) +
                      " origin=" + optional_name(svcnl::kOriginNames, reply.origin) +
                      " frontend=" + optional_name(svcnl::kFrontendNames, reply.frontend) +
                      " set=" + svcnl::enum_name(svcnl::kEndpointSetNames, reply.endpoint_set) +
                      " masquerade=" + (reply.masquerade ? "yes" : "no") + " masq-reason=" +
                      svcnl::enum_name(svcnl::kMasqReasonNames, reply.masq_reason) + "\n";
    if (reply.service) {
        const Service& svc = *reply.service;
        std::string line = "service: " + proto_column(svc.proto) + " " +
                           svcnl::format_endpoint(svc.addr, svc.port) + " " +
                           svcnl::one_line(svc.name.value_or(""));
        rstrip(line);
        out += line + "\n";
        out += "scheduler: " + scheduler_name(reply.scheduler.value_or(SVCNAT_SCHEDULER_RANDOM)) +
               "\n";
    }
    for (const Backend& be : reply.candidates) {
        out += "candidate: " + svcnl::format_endpoint(be.addr, be.port) + " weight " +
               std::to_string(be.weight_or_default()) + " " +
               format_conditions(be.flags_or_default()) + "\n";
    }
    if (reply.backend) {
        out +=
            "backend: " + svcnl::format_endpoint(reply.backend->addr, reply.backend->port) + "\n";
    }
    if (reply.affinity) {
        out += "affinity: yes\n";
    }
    if (reply.hairpin) {
        out += "hairpin: yes\n";
    }
    return out;
}

std::string format_trace_json(const svcnl::TraceReply& reply) {
    const auto name_or_null = [](svcnl::EnumNames names,
                                 const std::optional<std::uint32_t>& value) {
        return value ? json_string(svcnl::enum_name(names, *value)) : std::string("null");
    };
    std::string out = "{\n";
    out += "  \"verdict\": " + json_string(svcnl::enum_name(svcnl::kVerdictNames, reply.verdict)) +
           ",\n";
    out +=
        "  \"reason\": " + json_string(svcnl::enum_name(svcnl::kReasonNames, reply.reason)) + ",\n";
    out += "  \"origin\": " + name_or_null(svcnl::kOriginNames, reply.origin) + ",\n";
    out += "  \"frontend\": " + name_or_null(svcnl::kFrontendNames, reply.frontend) + ",\n";
    out += "  \"set\": " +
           json_string(svcnl::enum_name(svcnl::kEndpointSetNames, reply.endpoint_set)) + ",\n";
    out += "  \"masquerade\": " + json_bool(reply.masquerade) + ",\n";
    out += "  \"masq-reason\": " +
           json_string(svcnl::enum_name(svcnl::kMasqReasonNames, reply.masq_reason)) + ",\n";
    if (reply.service) {
        out += "  \"service\": " + service_key_json(*reply.service) + ",\n";
        out += "  \"scheduler\": " +
               json_string(scheduler_name(reply.scheduler.value_or(SVCNAT_SCHEDULER_RANDOM))) +
               ",\n";
    } else {
        out += "  \"service\": null,\n";
        out += "  \"scheduler\": null,\n";
    }
    out += backends_json(reply.candidates, "  ", "candidate") + ",\n";
    if (reply.backend) {
        out += "  \"backend\": " + endpoint_json(reply.backend->addr, reply.backend->port) + ",\n";
    } else {
        out += "  \"backend\": null,\n";
    }
    out += "  \"affinity\": " + json_bool(reply.affinity) + ",\n";
    out += "  \"hairpin\": " + json_bool(reply.hairpin) + "\n";
    out += "}\n";
    return out;
}

namespace {

// "ADDR:PORT" of the chosen backend of a flow, "-" when none.
std::string flow_backend(const Flow& flow) {
    return flow.backend ? svcnl::format_endpoint(flow.backend->addr, flow.backend->port) : "-";
}

// How many flows went to each backend, sorted by address and port.
std::map<std::pair<svcnl::Address, std::uint16_t>, std::size_t> backend_counts(
    const std::vector<Flow>& flows) {
    std::map<std::pair<svcnl::Address, std::uint16_t>, std::size_t> counts;
    for (const Flow& flow : flows) {
        if (flow.backend) {
            ++counts[{flow.backend->addr, flow.backend->port}];
        }
    }
    return counts;
}

}  // namespace

std::string format_flows(const std::vector<Flow>& flows) {
    std::string out;
    out.reserve(flows.size() * 48);
    for (const Flow& flow : flows) {
        out += "flow " + flow.src.to_string() + " " + std::to_string(flow.src_port) + " -> " +
               flow_backend(flow) + "\n";
    }
    for (const auto& [endpoint, count] : backend_counts(flows)) {
        out += "backend " + svcnl::format_endpoint(endpoint.first, endpoint.second) + " " +
               std::to_string(count) + "\n";
    }
    out += "total " + std::to_string(flows.size()) + "\n";
    return out;
}

std::string format_flows_json(const std::vector<Flow>& flows) {
    std::string out = "{\n  \"flows\": [";
    out.reserve(flows.size() * 96);
    for (std::size_t i = 0; i < flows.size(); ++i) {
        const Flow& flow = flows[i];
        out += i == 0 ? "\n" : ",\n";
        out += R"(    {"source": )" + json_string(flow.src.to_string()) +
               ", \"port\": " + std::to_string(flow.src_port) + ", \"backend\": " +
               (flow.backend ? endpoint_json(flow.backend->addr, flow.backend->port)
                             : std::string("null")) +
               "}";
    }
    out += flows.empty() ? "],\n" : "\n  ],\n";
    out += "  \"backends\": [";
    const auto counts = backend_counts(flows);
    std::size_t i = 0;
    for (const auto& [endpoint, count] : counts) {
        out += i++ == 0 ? "\n" : ",\n";
        out += R"(    {"address": )" + json_string(endpoint.first.to_string()) +
               ", \"port\": " + std::to_string(endpoint.second) +
               ", \"count\": " + std::to_string(count) + "}";
    }
    out += counts.empty() ? "],\n" : "\n  ],\n";
    out += "  \"total\": " + std::to_string(flows.size()) + "\n}\n";
    return out;
}

namespace {

std::string service_option(const Service& svc) {
    std::string opt;
    switch (svc.proto) {
        case Proto::tcp:
            opt = "-t ";
            break;
        case Proto::udp:
            opt = "-u ";
            break;
        case Proto::sctp:
            opt = "--sctp ";
            break;
        default:
            throw svcnl::Error("cannot save " + svcnl::proto_name(svc.proto) + " service " +
                               svcnl::format_endpoint(svc.addr, svc.port));
    }
    return opt + svcnl::format_endpoint(svc.addr, svc.port);
}

std::string condition_options(std::uint32_t flags) {
    std::string out;
    if ((flags & SVCNAT_BACKEND_FLAGS_READY) == 0) {
        out += " --not-ready";
    }
    if ((flags & SVCNAT_BACKEND_FLAGS_SERVING) == 0) {
        out += " --not-serving";
    }
    if ((flags & SVCNAT_BACKEND_FLAGS_TERMINATING) != 0) {
        out += " --terminating";
    }
    if ((flags & SVCNAT_BACKEND_FLAGS_LOCAL) != 0) {
        out += " --local";
    }
    return out;
}

// The name of a known value of `names`, or Error naming what cannot be saved.
std::string known_name(svcnl::EnumNames names, std::uint32_t value, const std::string& what) {
    if (value >= names.size()) {
        throw svcnl::Error("cannot save " + what + " " + std::to_string(value));
    }
    return std::string(names[value]);
}

std::string list_options(std::string_view option, const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& value : values) {
        out += " --" + std::string(option) + " " + value;
    }
    return out;
}

std::string frontend_options(const Service& svc, const std::string& key) {
    std::string out;
    if (svc.node_port) {
        out += " --node-port " + std::to_string(*svc.node_port);
    }
    out += list_options("external-ip", texts(svc.external_ips));
    out += list_options("lb-ip", texts(svc.lb_ips));
    out += list_options("source-range", texts(svc.source_ranges));
    if (svc.ext_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        out += " --external-policy " + known_name(svcnl::kTrafficPolicyNames, svc.ext_policy,
                                                  "the external policy of " + key + ":");
    }
    if (svc.int_policy != SVCNAT_TRAFFIC_POLICY_CLUSTER) {
        out += " --internal-policy " + known_name(svcnl::kTrafficPolicyNames, svc.int_policy,
                                                  "the internal policy of " + key + ":");
    }
    return out;
}

// --scheduler, --hash, --maglev-size, --affinity, --affinity-timeout when not the default.
std::string setting_options(const Service& svc, const std::string& key) {
    std::string out;
    if (svc.scheduler != SVCNAT_SCHEDULER_RANDOM) {
        out += " --scheduler " +
               known_name(svcnl::kSchedulerNames, svc.scheduler, "the scheduler of " + key + ":");
    }
    if (svc.scheduler == SVCNAT_SCHEDULER_MAGLEV) {
        out += " --hash " + known_name(svcnl::kHashNames, svc.hash.value_or(SVCNAT_HASH_SRC),
                                       "the hash of " + key + ":");
        if (svc.maglev_size) {
            out += " --maglev-size " + std::to_string(*svc.maglev_size);
        }
    }
    if (svc.affinity != SVCNAT_AFFINITY_NONE) {
        out += " --affinity " +
               known_name(svcnl::kAffinityNames, svc.affinity, "the affinity of " + key + ":");
        out += " --affinity-timeout " + std::to_string(timeout_of(svc));
    }
    return out;
}

std::string cidr_options(std::string_view option, const std::vector<svcnl::Prefix>& prefixes) {
    if (prefixes.empty()) {
        return " --no-" + std::string(option);
    }
    return list_options(option, texts(prefixes));
}

}  // namespace

std::string format_set_config(const svcnl::NodeConfig& config) {
    std::string out = "set-config";
    out += cidr_options("cluster-cidr", config.cluster_cidrs);
    out += cidr_options("nodeport-address", config.nodeport_cidrs);
    out += cidr_options("service-cidr", config.service_cidrs);
    out += std::string(" --masquerade-all ") + (config.masquerade_all ? "on" : "off");
    if (config.masq_mark == 0 || (config.masq_mark & (config.masq_mark - 1)) != 0) {
        throw svcnl::Error("cannot save the masquerade mark " + format_mark(config.masq_mark));
    }
    out += " --masq-mark " + format_mark(config.masq_mark);
    out += " --masq-mode " +
           known_name(svcnl::kMasqModeNames, config.masq_mode, "the masquerade mode");
    out += " --unknown-port " +
           known_name(svcnl::kUnknownPortNames, config.unknown_port, "the unknown-port value");
    out += " --unallocated " +
           known_name(svcnl::kUnallocatedNames, config.unallocated, "the unallocated value");
    return out;
}

std::string format_save(const std::vector<Service>& services, const svcnl::NodeConfig& config) {
    std::string out;
    if (!config.is_default()) {
        out += format_set_config(config) + "\n";
    }
    for (const Service& svc : services) {
        const std::string key = service_option(svc);
        out += "add-service " + key;
        if (svc.name && !svc.name->empty()) {
            try {
                check_name(*svc.name);
            } catch (const UsageError& e) {
                throw svcnl::Error("cannot save service " + key + ": " + e.what());
            }
            out += " --name " + shell_quote(*svc.name);
        }
        out += frontend_options(svc, key);
        out += setting_options(svc, key);
        out += "\n";
        for (const Backend& be : svc.backends) {
            out += "add-backend " + key + " -r " + svcnl::format_endpoint(be.addr, be.port) +
                   " -w " + std::to_string(be.weight_or_default()) +
                   condition_options(be.flags_or_default()) + "\n";
        }
    }
    return out;
}

}  // namespace svcadm
