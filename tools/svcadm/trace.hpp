// SPDX-License-Identifier: GPL-2.0-only
// svcadm trace --flows: the synthetic flows, separate from sending them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "svcnl/model.hpp"

namespace svcadm {

// What changes from one flow to the next.
enum class Vary : std::uint8_t {
    sport,  // the source port: P, P+1, ..., 65535, 1, 2, ...
    saddr,  // the source address: A, A+1, ... (wrapping within the family), port fixed
};

// The source port of the first flow when --from has none.
inline constexpr std::uint16_t kFirstFlowPort = 40000;

// Trace request `index` of a --flows run starting at `first` (whose src_port, when absent,
// is kFirstFlowPort). Every request asks the kernel to choose a backend.
svcnl::TraceRequest flow_request(const svcnl::TraceRequest& first, std::size_t index, Vary vary);

// `addr` + `n`, wrapping around within the address family.
svcnl::Address add_to_address(const svcnl::Address& addr, std::uint64_t n);

}  // namespace svcadm
