#include "dataplane/packet.h"

#include <iterator>

#include "dataplane/packet_bytes.h"

namespace minivpc::dp {
namespace {

using internal::Load128;
using internal::Load16;
using internal::Load32;
using internal::Load48;

constexpr const char* kStatusNames[] = {
    "Ok",
    "TruncatedEthernet",
    "NotIp",
    "TruncatedIp",
    "BadIpVersion",
    "BadIpHeaderLength",
    "BadIpTotalLength",
    "BadIpv6ExtensionHeader",
    "BadFragment",
    "TruncatedL4",
    "BadTcpHeaderLength",
    "BadUdpLength",
};
static_assert(std::size(kStatusNames) == kParseStatusCount);

constexpr size_t kMaxIpDatagram = 65535;  // largest reassembled datagram

// Fragment data must end within a 65535-byte datagram (no "ping of death"),
// and every fragment but the last carries a multiple of 8 bytes, as the
// offset field counts 8-byte units (RFC 791, RFC 8200 section 4.5).
ParseStatus CheckFragment(size_t data_length, const PacketHeaders& h) {
  if (!h.is_fragment()) return ParseStatus::kOk;
  if (h.fragment_offset + data_length > kMaxIpDatagram) return ParseStatus::kBadFragment;
  if (h.more_fragments && data_length % 8 != 0) return ParseStatus::kBadFragment;
  return ParseStatus::kOk;
}

// Reads the fixed part of the L4 header at out->l4_offset, bounded by the end
// of the IP packet. Precondition: the IP layer fit in `buf`.
ParseStatus ParseL4(std::span<const uint8_t> buf, PacketHeaders* out) {
  if (!out->has_l4()) return ParseStatus::kOk;
  const size_t pos = out->l4_offset;
  const size_t len = out->l3_end() - pos;
  const uint8_t* p = buf.data() + pos;
  const bool v4 = out->family == IpFamily::kV4;
  switch (out->protocol) {
    case kIpProtoTcp: {
      if (len < kTcpMinHeaderSize) return ParseStatus::kTruncatedL4;
      out->src_port = Load16(p);
      out->dst_port = Load16(p + 2);
      out->tcp_flags = p[13];
      size_t data_offset = static_cast<size_t>(p[12] >> 4) * 4;
      if (data_offset < kTcpMinHeaderSize || data_offset > len) {
        return ParseStatus::kBadTcpHeaderLength;
      }
      out->payload_offset = pos + data_offset;
      return ParseStatus::kOk;
    }
    case kIpProtoUdp: {
      if (len < kUdpHeaderSize) return ParseStatus::kTruncatedL4;
      out->src_port = Load16(p);
      out->dst_port = Load16(p + 2);
      size_t udp_length = Load16(p + 4);
      // A first fragment's UDP length covers the whole datagram.
      if (udp_length < kUdpHeaderSize || (!out->is_fragment() && udp_length > len)) {
        return ParseStatus::kBadUdpLength;
      }
      out->payload_offset = pos + kUdpHeaderSize;
      return ParseStatus::kOk;
    }
    case kIpProtoIcmp:
    case kIpProtoIcmpv6: {
      if (out->protocol != (v4 ? kIpProtoIcmp : kIpProtoIcmpv6)) return ParseStatus::kOk;
      if (len < kIcmpHeaderSize) return ParseStatus::kTruncatedL4;
      out->icmp_type = p[0];
      out->icmp_code = p[1];
      out->payload_offset = pos + kIcmpHeaderSize;
      return ParseStatus::kOk;
    }
    default:
      return ParseStatus::kOk;  // no header we read; the protocol is still valid traffic
  }
}

ParseStatus ParseIpv4(std::span<const uint8_t> buf, size_t off, PacketHeaders* out) {
  const size_t available = buf.size() - off;
  if (available < kIpv4MinHeaderSize) return ParseStatus::kTruncatedIp;
  const uint8_t* p = buf.data() + off;
  out->family = IpFamily::kV4;
  out->tos = p[1];
  out->fragment_id = Load16(p + 4);
  const uint16_t flags_offset = Load16(p + 6);  // the reserved bit is ignored, as by Linux
  out->dont_fragment = (flags_offset & 0x4000) != 0;
  out->more_fragments = (flags_offset & 0x2000) != 0;
  out->fragment_offset = static_cast<uint16_t>((flags_offset & 0x1FFF) * 8);
  out->ttl = p[8];
  out->protocol = p[9];
  out->src = IpAddress::V4(Load32(p + 12));
  out->dst = IpAddress::V4(Load32(p + 16));

  const size_t header_length = size_t{p[0] & 0x0Fu} * 4;
  const size_t total_length = Load16(p + 2);
  if (header_length < kIpv4MinHeaderSize) return ParseStatus::kBadIpHeaderLength;
  if (total_length < kIpv4MinHeaderSize) return ParseStatus::kBadIpTotalLength;
  if (total_length > available) return ParseStatus::kTruncatedIp;
  if (header_length > total_length) return ParseStatus::kBadIpHeaderLength;
  out->ip_total_length = static_cast<uint32_t>(total_length);
  out->l4_offset = out->payload_offset = off + header_length;

  ParseStatus s = CheckFragment(total_length - header_length, *out);
  if (s != ParseStatus::kOk) return s;
  return ParseL4(buf, out);
}

bool IsWalkedExtensionHeader(uint8_t next_header) {
  return next_header == kIpProtoHopByHop || next_header == kIpProtoRouting ||
         next_header == kIpProtoFragment || next_header == kIpProtoDestOptions;
}

// Walks the extension headers between out->l4_offset and the end of the IP
// packet, leaving l4_offset after the last one and protocol set to the final
// next header. AH and ESP end the walk like an upper-layer protocol. After a
// non-first fragment's fragment header the bytes are fragment data, so the
// walk stops there; *fragment_data is set to where fragment data begins.
//
// RFC 8200 section 4.1 asks receivers to accept repeated headers in any order,
// except that hop-by-hop comes first. We do, up to kMaxIpv6ExtensionHeaders
// headers, but reject a second fragment header: nested fragmentation has no
// single fragment identity to record.
ParseStatus WalkIpv6ExtensionHeaders(std::span<const uint8_t> buf, uint8_t next_header,
                                     PacketHeaders* out, size_t* fragment_data) {
  const size_t end = out->l3_end();
  size_t pos = out->l4_offset;
  bool seen_fragment = false;
  for (int n = 0; IsWalkedExtensionHeader(next_header); ++n) {
    if (n == kMaxIpv6ExtensionHeaders) return ParseStatus::kBadIpv6ExtensionHeader;
    if (next_header == kIpProtoHopByHop && n != 0) return ParseStatus::kBadIpv6ExtensionHeader;
    if (end - pos < 8) return ParseStatus::kBadIpv6ExtensionHeader;
    const uint8_t* h = buf.data() + pos;
    size_t length = (size_t{h[1]} + 1) * 8;
    if (next_header == kIpProtoFragment) {
      if (seen_fragment) return ParseStatus::kBadIpv6ExtensionHeader;
      seen_fragment = true;
      length = kIpv6FragmentHeaderSize;  // byte 1 is reserved, not a length
      const uint16_t offset_flags = Load16(h + 2);
      out->fragment_offset = offset_flags & 0xFFF8;
      out->more_fragments = (offset_flags & 1) != 0;
      out->fragment_id = Load32(h + 4);
      *fragment_data = pos + length;
    }
    if (length > end - pos) return ParseStatus::kBadIpv6ExtensionHeader;
    next_header = h[0];
    pos += length;
    if (!out->has_l4()) break;  // the rest of a non-first fragment is data
  }
  out->protocol = next_header;
  out->l4_offset = out->payload_offset = pos;
  return ParseStatus::kOk;
}

ParseStatus ParseIpv6(std::span<const uint8_t> buf, size_t off, PacketHeaders* out) {
  const size_t available = buf.size() - off;
  if (available < kIpv6HeaderSize) return ParseStatus::kTruncatedIp;
  const uint8_t* p = buf.data() + off;
  out->family = IpFamily::kV6;
  out->tos = static_cast<uint8_t>(Load16(p) >> 4);
  out->protocol = p[6];
  out->ttl = p[7];
  out->src = IpAddress::V6(Load128(p + 8));
  out->dst = IpAddress::V6(Load128(p + 24));

  const size_t total_length = kIpv6HeaderSize + Load16(p + 4);
  if (total_length > available) return ParseStatus::kTruncatedIp;
  out->ip_total_length = static_cast<uint32_t>(total_length);
  out->l4_offset = out->payload_offset = off + kIpv6HeaderSize;

  size_t fragment_data = out->l4_offset;  // moved by a fragment header
  ParseStatus s = WalkIpv6ExtensionHeaders(buf, p[6], out, &fragment_data);
  if (s != ParseStatus::kOk) return s;
  s = CheckFragment(out->l3_end() - fragment_data, *out);
  if (s != ParseStatus::kOk) return s;
  return ParseL4(buf, out);
}

// `version` is 4 or 6 when the ethertype fixed it, 0 to take the packet's.
ParseStatus ParseIpAt(std::span<const uint8_t> buf, size_t off, int version, PacketHeaders* out) {
  out->l3_offset = off;
  if (off >= buf.size()) return ParseStatus::kTruncatedIp;
  const int actual = buf[off] >> 4;
  if (version != 0 && actual != version) return ParseStatus::kBadIpVersion;
  if (actual == 4) return ParseIpv4(buf, off, out);
  if (actual == 6) return ParseIpv6(buf, off, out);
  return ParseStatus::kBadIpVersion;
}

}  // namespace

const char* ParseStatusName(ParseStatus status) {
  size_t i = static_cast<size_t>(status);
  return i < kParseStatusCount ? kStatusNames[i] : "Unknown";
}

ParseStatus ParseEthernetFrame(std::span<const uint8_t> frame, PacketHeaders* out) {
  *out = PacketHeaders{};
  if (frame.size() < kEthernetHeaderSize) return ParseStatus::kTruncatedEthernet;
  const uint8_t* p = frame.data();
  out->eth_dst = MacAddress(Load48(p));
  out->eth_src = MacAddress(Load48(p + 6));
  uint16_t ethertype = Load16(p + 12);
  size_t off = kEthernetHeaderSize;
  if (ethertype == kEtherTypeVlan) {
    if (frame.size() < kEthernetHeaderSize + kVlanTagSize) return ParseStatus::kTruncatedEthernet;
    out->vlan_tagged = true;
    out->vlan_tci = Load16(p + 14);
    ethertype = Load16(p + 16);
    off += kVlanTagSize;
  }
  out->ethertype = ethertype;
  out->l3_offset = off;
  if (ethertype == kEtherTypeIpv4) return ParseIpAt(frame, off, 4, out);
  if (ethertype == kEtherTypeIpv6) {
    out->family = IpFamily::kV6;
    return ParseIpAt(frame, off, 6, out);
  }
  return ParseStatus::kNotIp;
}

ParseStatus ParseIpPacket(std::span<const uint8_t> packet, PacketHeaders* out) {
  *out = PacketHeaders{};
  return ParseIpAt(packet, 0, 0, out);
}

}  // namespace minivpc::dp
