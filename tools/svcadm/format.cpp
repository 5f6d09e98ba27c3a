// SPDX-License-Identifier: GPL-2.0-only
#include "format.hpp"

#include <linux/svcnat.h>

#include <algorithm>
#include <array>
#include <charconv>
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

std::string format_table(const std::vector<Service>& services) {
    constexpr std::string_view kLocal = "LocalAddress:Port";
    constexpr std::string_view kRemote = "RemoteAddress:Port";
    constexpr std::size_t kProtoWidth = 4;
    constexpr std::size_t kWeightWidth = 6;  // "Weight", and 65535 fits

    std::size_t width = std::max(kLocal.size(), kRemote.size());
    for (const Service& svc : services) {
        width = std::max(width, svcnl::format_endpoint(svc.addr, svc.port).size());
        for (const Backend& be : svc.backends) {
            width = std::max(width, svcnl::format_endpoint(be.addr, be.port).size());
        }
    }

    std::string out;
    std::string line = pad("Prot", kProtoWidth) + " " + pad(std::string(kLocal), width) + " Name";
    out += line + "\n";
    line = "  -> " + pad(std::string(kRemote), width) + " " + pad("Weight", kWeightWidth) +
           " Conditions";
    out += line + "\n";
    for (const Service& svc : services) {
        line = pad(proto_column(svc.proto), kProtoWidth) + " " +
               pad(svcnl::format_endpoint(svc.addr, svc.port), width) + " " +
               svcnl::one_line(svc.name.value_or(""));
        rstrip(line);
        out += line + "\n";
        for (const Backend& be : svc.backends) {
            line = "  -> " + pad(svcnl::format_endpoint(be.addr, be.port), width) + " " +
                   pad(std::to_string(be.weight_or_default()), kWeightWidth) + " " +
                   format_conditions(be.flags_or_default());
            out += line + "\n";
        }
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

std::string format_json(const std::vector<Service>& services) {
    if (services.empty()) {
        return "{\n  \"services\": []\n}\n";
    }
    std::string out = "{\n  \"services\": [\n";
    for (std::size_t i = 0; i < services.size(); ++i) {
        const Service& svc = services[i];
        out += "    {\n";
        out += "      \"protocol\": " + json_string(svcnl::proto_name(svc.proto)) + ",\n";
        out += "      \"address\": " + json_string(svc.addr.to_string()) + ",\n";
        out += "      \"port\": " + std::to_string(svc.port) + ",\n";
        out += "      \"name\": " + json_string(svc.name.value_or("")) + ",\n";
        if (svc.backends.empty()) {
            out += "      \"backends\": []\n";
        } else {
            out += "      \"backends\": [\n";
            for (std::size_t j = 0; j < svc.backends.size(); ++j) {
                const Backend& be = svc.backends[j];
                const std::uint32_t flags = be.flags_or_default();
                out += "        {\n";
                out += "          \"address\": " + json_string(be.addr.to_string()) + ",\n";
                out += "          \"port\": " + std::to_string(be.port) + ",\n";
                out += "          \"weight\": " + std::to_string(be.weight_or_default()) + ",\n";
                out += "          \"flags\": " + std::to_string(flags) + ",\n";
                out += "          \"conditions\": {";
                for (std::size_t k = 0; k < kConditions.size(); ++k) {
                    const auto& [bit, name] = kConditions.at(k);
                    out += k == 0 ? "" : ", ";
                    out += json_string(name) + ": " + ((flags & bit) != 0 ? "true" : "false");
                }
                out += "}\n";
                out += j + 1 < svc.backends.size() ? "        },\n" : "        }\n";
            }
            out += "      ]\n";
        }
        out += i + 1 < services.size() ? "    },\n" : "    }\n";
    }
    out += "  ]\n}\n";
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

}  // namespace

std::string format_save(const std::vector<Service>& services) {
    std::string out;
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
