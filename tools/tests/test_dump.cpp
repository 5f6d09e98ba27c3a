// SPDX-License-Identifier: GPL-2.0-only
// Merging the messages of a dump into services.
#include <vector>

#include <gtest/gtest.h>

#include "svcnl/error.hpp"
#include "svcnl/message.hpp"

namespace svcnl {
namespace {

Service part(std::uint16_t port, std::optional<std::uint32_t> count,
             std::initializer_list<std::uint16_t> backend_ports, Proto proto = Proto::tcp) {
    Service svc;
    svc.proto = proto;
    svc.addr = Address::ipv4({10, 96, 0, 10});
    svc.port = port;
    svc.name = "ns/svc:" + std::to_string(port);
    svc.backend_count = count;
    for (const std::uint16_t be : backend_ports) {
        svc.backends.push_back(
            Backend{.addr = Address::ipv4({10, 0, 2, 11}), .port = be, .weight = 1, .flags = 3});
    }
    return svc;
}

std::vector<std::uint16_t> backend_ports(const Service& svc) {
    std::vector<std::uint16_t> ports;
    for (const Backend& be : svc.backends) {
        ports.push_back(be.port);
    }
    return ports;
}

TEST(MergeDump, Empty) {
    EXPECT_TRUE(merge_dump({}).empty());
}

TEST(MergeDump, OneMessagePerService) {
    std::vector<Service> parts{part(80, 2, {1, 2}), part(81, 0, {}), part(82, 1, {3})};
    const std::vector<Service> merged = merge_dump(std::move(parts));
    ASSERT_EQ(merged.size(), 3U);
    EXPECT_EQ(merged[0].port, 80);
    EXPECT_EQ(backend_ports(merged[0]), (std::vector<std::uint16_t>{1, 2}));
    EXPECT_TRUE(merged[1].backends.empty());
    EXPECT_EQ(merged[2].name, "ns/svc:82");
}

TEST(MergeDump, ServiceSplitOverConsecutiveMessages) {
    std::vector<Service> parts{part(80, 1, {9}), part(81, 5, {1, 2}), part(81, 5, {3}),
                               part(81, 5, {4, 5}), part(82, 0, {})};
    const std::vector<Service> merged = merge_dump(std::move(parts));
    ASSERT_EQ(merged.size(), 3U);
    EXPECT_EQ(merged[1].port, 81);
    EXPECT_EQ(backend_ports(merged[1]), (std::vector<std::uint16_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(merged[1].backend_count, 5U);
}

TEST(MergeDump, SameAddressAndPortButOtherProtocolIsAnotherService) {
    std::vector<Service> parts{part(53, 1, {1}, Proto::tcp), part(53, 1, {2}, Proto::udp)};
    EXPECT_EQ(merge_dump(std::move(parts)).size(), 2U);
}

TEST(MergeDump, WithoutBackendCountNothingIsChecked) {
    std::vector<Service> parts{part(80, std::nullopt, {1}), part(80, std::nullopt, {2})};
    const std::vector<Service> merged = merge_dump(std::move(parts));
    ASSERT_EQ(merged.size(), 1U);
    EXPECT_EQ(merged[0].backends.size(), 2U);
}

TEST(MergeDump, CountMismatchIsInconsistent) {
    std::vector<Service> parts{part(80, 3, {1, 2})};
    EXPECT_THROW(merge_dump(std::move(parts)), Error);
}

TEST(MergeDump, CountChangingBetweenPartsIsInconsistent) {
    std::vector<Service> parts{part(80, 2, {1}), part(80, 3, {2})};
    EXPECT_THROW(merge_dump(std::move(parts)), Error);
}

TEST(MergeDump, KeyComingBackLaterIsInconsistent) {
    std::vector<Service> parts{part(80, 1, {1}), part(81, 0, {}), part(80, 1, {1})};
    EXPECT_THROW(merge_dump(std::move(parts)), Error);
}

}  // namespace
}  // namespace svcnl
