// Test helpers shared by the packet parser and builder tests: typical headers
// and frames built from them. Test-only; not part of minivpc_dataplane.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "dataplane/packet.h"
#include "dataplane/packet_builder.h"

namespace minivpc::dp::testing {

// Offsets in an untagged frame.
inline constexpr size_t kL3 = 14;
inline constexpr size_t kL4v4 = kL3 + 20;
inline constexpr size_t kL4v6 = kL3 + 40;

// 02:00:00:00:00:01 -> 02:00:00:00:00:02; 10.0.1.5 -> 10.0.2.7 or
// 2600:1f18::5 -> 2600:1f18::7; ports 49152 -> 443 (TCP, UDP), echo request
// (ICMP, ICMPv6); TTL 64; TCP flags SYN.
inline PacketHeaders MakeHeaders(IpFamily family, uint8_t protocol) {
  PacketHeaders h;
  h.eth_src = MacAddress(0x020000000001);
  h.eth_dst = MacAddress(0x020000000002);
  h.family = family;
  const uint128 v6_prefix = uint128{0x26001f1800000000} << 64;
  h.src = family == IpFamily::kV4 ? IpAddress::V4(0x0A000105) : IpAddress::V6(v6_prefix | 5);
  h.dst = family == IpFamily::kV4 ? IpAddress::V4(0x0A000207) : IpAddress::V6(v6_prefix | 7);
  h.protocol = protocol;
  h.ttl = 64;
  if (protocol == kIpProtoTcp || protocol == kIpProtoUdp) {
    h.src_port = 49152;
    h.dst_port = 443;
  }
  if (protocol == kIpProtoTcp) h.tcp_flags = 0x02;
  if (protocol == kIpProtoIcmp) h.icmp_type = 8;
  if (protocol == kIpProtoIcmpv6) h.icmp_type = 128;
  return h;
}

inline std::vector<uint8_t> Build(const PacketHeaders& h, std::string_view payload = "") {
  std::vector<uint8_t> frame(70000);
  size_t n =
      BuildFrame(h, {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, frame);
  EXPECT_NE(n, 0u);
  frame.resize(n);
  return frame;
}

inline ParseStatus Parse(const std::vector<uint8_t>& frame, PacketHeaders* h) {
  return ParseEthernetFrame(frame, h);
}

inline void Put16(std::vector<uint8_t>& f, size_t at, uint16_t v) {
  f[at] = static_cast<uint8_t>(v >> 8);
  f[at + 1] = static_cast<uint8_t>(v);
}

}  // namespace minivpc::dp::testing
