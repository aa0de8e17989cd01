#include "dataplane/packet_builder.h"

#include <cassert>
#include <cstring>
#include <utility>

#include "dataplane/checksum.h"
#include "dataplane/packet_bytes.h"

namespace minivpc::dp {
namespace {

using internal::Load16;
using internal::Load32;
using internal::Store128;
using internal::Store16;
using internal::Store32;
using internal::Store48;

constexpr size_t kMaxIpLength = 65535;  // IPv4 total length; IPv6 payload length
constexpr size_t kIpv4ChecksumField = 10;

bool IsV4(const PacketHeaders& h) { return h.family == IpFamily::kV4; }

// The L4 header BuildFrame writes (and VerifyChecksums checks) for `h`: 0 if none.
size_t L4HeaderSize(const PacketHeaders& h) {
  if (!h.has_l4()) return 0;
  switch (h.protocol) {
    case kIpProtoTcp:
      return kTcpMinHeaderSize;
    case kIpProtoUdp:
      return kUdpHeaderSize;
    case kIpProtoIcmp:
      return IsV4(h) ? kIcmpHeaderSize : 0;
    case kIpProtoIcmpv6:
      return IsV4(h) ? 0 : kIcmpHeaderSize;
    default:
      return 0;
  }
}

size_t L4ChecksumField(uint8_t protocol) {
  if (protocol == kIpProtoTcp) return 16;
  if (protocol == kIpProtoUdp) return 6;
  return 2;  // ICMP, ICMPv6
}

// The address as h.family says, whatever family the IpAddress value carries.
IpAddress AsFamily(const PacketHeaders& h, IpAddress a) {
  return IsV4(h) ? IpAddress::V4(a.v4()) : IpAddress::V6(a.value());
}

size_t WriteEthernet(const PacketHeaders& h, uint8_t* p) {
  Store48(p, h.eth_dst.value());
  Store48(p + 6, h.eth_src.value());
  size_t off = 12;
  if (h.vlan_tagged) {
    Store16(p + off, kEtherTypeVlan);
    Store16(p + off + 2, h.vlan_tci);
    off += kVlanTagSize;
  }
  Store16(p + off, IsV4(h) ? kEtherTypeIpv4 : kEtherTypeIpv6);
  return off + 2;
}

void WriteIpv4Header(const PacketHeaders& h, size_t total_length, uint8_t* p) {
  p[0] = 0x45;
  p[1] = h.tos;
  Store16(p + 2, static_cast<uint16_t>(total_length));
  Store16(p + 4, static_cast<uint16_t>(h.fragment_id));
  uint16_t flags_offset = static_cast<uint16_t>(h.fragment_offset / 8);
  if (h.dont_fragment) flags_offset |= 0x4000;
  if (h.more_fragments) flags_offset |= 0x2000;
  Store16(p + 6, flags_offset);
  p[8] = h.ttl;
  p[9] = h.protocol;
  Store16(p + kIpv4ChecksumField, 0);
  Store32(p + 12, h.src.v4());
  Store32(p + 16, h.dst.v4());
  Store16(p + kIpv4ChecksumField, InternetChecksum({p, kIpv4MinHeaderSize}));
}

void WriteIpv6Header(const PacketHeaders& h, size_t payload_length, uint8_t* p) {
  Store32(p, 6u << 28 | uint32_t{h.tos} << 20);
  Store16(p + 4, static_cast<uint16_t>(payload_length));
  p[6] = h.is_fragment() ? kIpProtoFragment : h.protocol;
  p[7] = h.ttl;
  Store128(p + 8, h.src.value());
  Store128(p + 24, h.dst.value());
  if (!h.is_fragment()) return;
  uint8_t* f = p + kIpv6HeaderSize;
  f[0] = h.protocol;
  f[1] = 0;
  Store16(f + 2, static_cast<uint16_t>(h.fragment_offset | (h.more_fragments ? 1 : 0)));
  Store32(f + 4, h.fragment_id);
}

// Writes the L4 header in front of the payload already at p + header size,
// then its checksum over the `l4_length` bytes.
void WriteL4(const PacketHeaders& h, size_t l4_length, uint8_t* p) {
  const size_t header = L4HeaderSize(h);
  if (header == 0) return;
  std::memset(p, 0, header);
  if (h.protocol == kIpProtoTcp || h.protocol == kIpProtoUdp) {
    Store16(p, h.src_port);
    Store16(p + 2, h.dst_port);
  }
  if (h.protocol == kIpProtoTcp) {
    p[12] = 5 << 4;
    p[13] = h.tcp_flags;
    Store16(p + 14, 65535);  // window
  } else if (h.protocol == kIpProtoUdp) {
    Store16(p + 4, static_cast<uint16_t>(l4_length));
  } else {
    p[0] = h.icmp_type;
    p[1] = h.icmp_code;
  }
  uint32_t sum = 0;
  if (h.protocol != kIpProtoIcmp) {
    sum = PseudoHeaderSum(AsFamily(h, h.src), AsFamily(h, h.dst), h.protocol,
                          static_cast<uint32_t>(l4_length));
  }
  uint16_t checksum = ChecksumFinish(ChecksumAdd(sum, {p, l4_length}));
  if (h.protocol == kIpProtoUdp && checksum == 0) checksum = 0xFFFF;  // 0 means "none"
  Store16(p + L4ChecksumField(h.protocol), checksum);
}

// The addresses as they are in the frame now (a rewrite leaves `h` stale).
// For IPv6 this is the header's destination, not a routing header's final one.
std::pair<IpAddress, IpAddress> AddressesInFrame(std::span<const uint8_t> frame,
                                                 const PacketHeaders& h) {
  const uint8_t* l3 = frame.data() + h.l3_offset;
  if (IsV4(h)) return {IpAddress::V4(Load32(l3 + 12)), IpAddress::V4(Load32(l3 + 16))};
  return {IpAddress::V6(internal::Load128(l3 + 8)), IpAddress::V6(internal::Load128(l3 + 24))};
}

// True when h's IP layer lies inside `frame` with a plausible L4 offset.
bool IpFits(std::span<const uint8_t> frame, const PacketHeaders& h) {
  const size_t min_header = IsV4(h) ? kIpv4MinHeaderSize : kIpv6HeaderSize;
  return h.l3_end() <= frame.size() && h.l3_offset + min_header <= h.l4_offset &&
         h.l4_offset <= h.l3_end();
}

// The TCP/UDP checksum field a NAT rewrite must update, or nullptr if none.
uint8_t* TransportChecksum(std::span<uint8_t> frame, const PacketHeaders& h) {
  if (!h.has_l4() || (h.protocol != kIpProtoTcp && h.protocol != kIpProtoUdp)) return nullptr;
  if (h.l3_end() - h.l4_offset < L4HeaderSize(h)) return nullptr;
  return frame.data() + h.l4_offset + L4ChecksumField(h.protocol);
}

void StoreTransportChecksum(const PacketHeaders& h, uint8_t* field, uint16_t checksum) {
  if (h.protocol == kIpProtoUdp && checksum == 0) checksum = 0xFFFF;
  Store16(field, checksum);
}

void RewriteIpv4Address(std::span<uint8_t> frame, const PacketHeaders& h, size_t field,
                        uint32_t new_address) {
  assert(IsV4(h) && IpFits(frame, h));
  if (!IsV4(h) || !IpFits(frame, h)) return;
  uint8_t* l3 = frame.data() + h.l3_offset;
  const uint32_t old_address = Load32(l3 + field);
  Store32(l3 + field, new_address);
  uint8_t* ip_checksum = l3 + kIpv4ChecksumField;
  Store16(ip_checksum, ChecksumUpdate32(Load16(ip_checksum), old_address, new_address));
  uint8_t* l4_checksum = TransportChecksum(frame, h);
  if (l4_checksum == nullptr) return;
  const uint16_t checksum = Load16(l4_checksum);
  if (h.protocol == kIpProtoUdp && checksum == 0) return;
  StoreTransportChecksum(h, l4_checksum, ChecksumUpdate32(checksum, old_address, new_address));
}

void RewritePort(std::span<uint8_t> frame, const PacketHeaders& h, size_t field,
                 uint16_t new_port) {
  assert(IpFits(frame, h));
  if (!IpFits(frame, h)) return;
  uint8_t* l4_checksum = TransportChecksum(frame, h);
  if (l4_checksum == nullptr) return;
  uint8_t* port = frame.data() + h.l4_offset + field;
  const uint16_t old_port = Load16(port);
  Store16(port, new_port);
  const uint16_t checksum = Load16(l4_checksum);
  if (h.protocol == kIpProtoUdp && checksum == 0) return;
  StoreTransportChecksum(h, l4_checksum, ChecksumUpdate16(checksum, old_port, new_port));
}

}  // namespace

size_t BuildFrame(const PacketHeaders& h, std::span<const uint8_t> payload,
                  std::span<uint8_t> out) {
  if (h.fragment_offset % 8 != 0) return 0;
  const bool v4 = IsV4(h);
  const size_t eth_length = kEthernetHeaderSize + (h.vlan_tagged ? kVlanTagSize : 0);
  const size_t ip_header =
      v4 ? kIpv4MinHeaderSize : kIpv6HeaderSize + (h.is_fragment() ? kIpv6FragmentHeaderSize : 0);
  const size_t l4_length = L4HeaderSize(h) + payload.size();
  const size_t ip_length = ip_header + l4_length;
  if ((v4 ? ip_length : ip_length - kIpv6HeaderSize) > kMaxIpLength) return 0;
  if (eth_length + ip_length > out.size()) return 0;

  uint8_t* p = out.data();
  WriteEthernet(h, p);
  uint8_t* l3 = p + eth_length;
  uint8_t* l4 = l3 + ip_header;
  if (!payload.empty()) std::memcpy(l4 + L4HeaderSize(h), payload.data(), payload.size());
  if (v4) {
    WriteIpv4Header(h, ip_length, l3);
  } else {
    WriteIpv6Header(h, ip_length - kIpv6HeaderSize, l3);
  }
  WriteL4(h, l4_length, l4);
  return eth_length + ip_length;
}

void RewriteIpv4Source(std::span<uint8_t> frame, const PacketHeaders& h, uint32_t new_src) {
  RewriteIpv4Address(frame, h, 12, new_src);
}

void RewriteIpv4Destination(std::span<uint8_t> frame, const PacketHeaders& h, uint32_t new_dst) {
  RewriteIpv4Address(frame, h, 16, new_dst);
}

void RewriteSourcePort(std::span<uint8_t> frame, const PacketHeaders& h, uint16_t new_port) {
  RewritePort(frame, h, 0, new_port);
}

void RewriteDestinationPort(std::span<uint8_t> frame, const PacketHeaders& h, uint16_t new_port) {
  RewritePort(frame, h, 2, new_port);
}

bool VerifyChecksums(std::span<const uint8_t> frame, const PacketHeaders& h) {
  if (!IpFits(frame, h)) return false;
  if (IsV4(h) && InternetChecksum(frame.subspan(h.l3_offset, h.l4_offset - h.l3_offset)) != 0) {
    return false;
  }
  const size_t header = L4HeaderSize(h);
  if (h.is_fragment() || header == 0) return true;  // nothing more to check without reassembly
  std::span<const uint8_t> segment = frame.subspan(h.l4_offset, h.l3_end() - h.l4_offset);
  if (segment.size() < header) return false;
  if (h.protocol == kIpProtoUdp) {
    if (Load16(segment.data() + 6) == 0) return IsV4(h);  // IPv6 requires a UDP checksum
    const size_t udp_length = Load16(segment.data() + 4);
    if (udp_length < header || udp_length > segment.size()) return false;
    segment = segment.first(udp_length);
  }
  uint32_t sum = 0;
  if (h.protocol != kIpProtoIcmp) {
    auto [src, dst] = AddressesInFrame(frame, h);
    sum = PseudoHeaderSum(src, dst, h.protocol, static_cast<uint32_t>(segment.size()));
  }
  return ChecksumFinish(ChecksumAdd(sum, segment)) == 0;
}

}  // namespace minivpc::dp
