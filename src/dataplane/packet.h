// Packet header parsing for the data plane: Ethernet II (with at most one
// 802.1Q tag), IPv4 and IPv6 (with extension headers), and the first bytes of
// TCP, UDP, ICMP and ICMPv6.
//
//   PacketHeaders h;
//   ParseStatus s = ParseEthernetFrame(frame, &h);
//   counters.Count(s);
//   if (s == ParseStatus::kNotIp) return HandleNonIp(frame, h.ethertype);  // e.g. ARP
//   if (s != ParseStatus::kOk) return Verdict::kDrop;
//   if (!h.has_l4()) ...  // a non-first fragment: no ports; see the fragment table
//
// The parsers are safe on any byte string: every read is bounds-checked, they
// never allocate, never throw, keep no state (so are thread safe), and run in
// time bounded by the header bytes (the IPv6 extension header walk stops after
// kMaxIpv6ExtensionHeaders). They do not verify checksums (see VerifyChecksums
// in packet_builder.h) and never read payload bytes.
//
// Length rules, so that a status says what is wrong:
//   * bytes missing at the end of the input (fewer than a minimal header, or
//     fewer than the IP length field claims) gives a kTruncated* status;
//   * bytes after the IP packet (Ethernet padding) are ignored;
//   * a header that contradicts the IP length (an IHL, extension header or
//     UDP length running past the end of the IP packet) gives a kBad* status;
//   * an IP packet too short for the fixed part of its L4 header gives
//     kTruncatedL4, and so does a first fragment too short to hold it.
// Unknown IP protocols (GRE, SCTP, ...) parse fine: `protocol` is set and the
// L4 fields stay zero.
#pragma once

#include <array>
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>

#include "net/ip.h"

namespace minivpc::dp {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;
inline constexpr uint16_t kEtherTypeIpv6 = 0x86DD;

inline constexpr uint8_t kIpProtoHopByHop = 0;
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint8_t kIpProtoRouting = 43;
inline constexpr uint8_t kIpProtoFragment = 44;
inline constexpr uint8_t kIpProtoEsp = 50;
inline constexpr uint8_t kIpProtoAh = 51;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint8_t kIpProtoNoNextHeader = 59;
inline constexpr uint8_t kIpProtoDestOptions = 60;

inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr size_t kVlanTagSize = 4;
inline constexpr size_t kIpv4MinHeaderSize = 20;
inline constexpr size_t kIpv6HeaderSize = 40;
inline constexpr size_t kIpv6FragmentHeaderSize = 8;
inline constexpr size_t kTcpMinHeaderSize = 20;
inline constexpr size_t kUdpHeaderSize = 8;
inline constexpr size_t kIcmpHeaderSize = 4;  // type, code, checksum
// Longest IPv6 extension header chain accepted. The recommended order (RFC
// 8200 section 4.1) has at most 5: hop-by-hop, destination options, routing,
// fragment, destination options; receivers should tolerate some repetition.
inline constexpr int kMaxIpv6ExtensionHeaders = 8;

// What the pipeline decides on. Offsets index the buffer that was parsed (for
// ParseIpPacket, l3_offset is 0 and the Ethernet fields stay zero).
//
// Layout: what the pipeline reads of every packet (addresses, ports,
// protocol, fragment and ICMP fields) comes first and fills one cache line.
struct alignas(64) PacketHeaders {
  IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;  // TCP/UDP
  uint16_t fragment_offset = 0;         // in bytes
  uint8_t protocol = 0;  // IPv4 protocol, or IPv6 next header after extension headers
  bool more_fragments = false;
  uint8_t icmp_type = 0, icmp_code = 0;  // ICMP (in IPv4) / ICMPv6 (in IPv6)
  IpFamily family = IpFamily::kV4;
  uint8_t tcp_flags = 0;  // CWR ECE URG ACK PSH RST SYN FIN

  MacAddress eth_src, eth_dst;
  uint16_t ethertype = 0;  // after the VLAN tag, if any
  bool vlan_tagged = false;
  uint16_t vlan_tci = 0;  // priority (3 bits), DEI (1), VLAN ID (12)

  uint8_t ttl = 0;             // IPv4 TTL / IPv6 hop limit
  uint8_t tos = 0;             // IPv4 TOS / IPv6 traffic class (DSCP and ECN)
  bool dont_fragment = false;  // IPv4 DF
  // Bytes of the IP packet; IPv6: 40 + payload length, which can exceed 65535.
  uint32_t ip_total_length = 0;
  uint32_t fragment_id = 0;  // IPv4 identification (16 bits), IPv6 fragment header id

  // First byte after the Ethernet header and tag: the IP header, or for kNotIp
  // the ARP (or other) payload.
  size_t l3_offset = 0;
  // First byte after the IP header and extension headers: the L4 header, or
  // fragment data for a non-first fragment.
  size_t l4_offset = 0;
  // First byte after the L4 header (after TCP options; after type, code and
  // checksum for ICMP). Equal to l4_offset when no L4 header was parsed.
  size_t payload_offset = 0;

  // An IPv6 fragment header with offset 0 and M=0 (an atomic fragment) is not
  // a fragment: the packet is whole.
  bool is_fragment() const { return more_fragments || fragment_offset != 0; }
  bool is_first_fragment() const { return more_fragments && fragment_offset == 0; }
  // False for non-first fragments, which carry no L4 header: their ports and
  // ICMP fields are zero.
  bool has_l4() const { return fragment_offset == 0; }
  // One past the last byte of the IP packet (Ethernet padding starts here).
  size_t l3_end() const { return l3_offset + ip_total_length; }
};
static_assert(offsetof(PacketHeaders, tcp_flags) < 64, "the pipeline's fields fit one line");

// Why a packet could not be parsed. Every value but kOk and kNotIp is a drop.
enum class ParseStatus : uint8_t {
  kOk,
  // Shorter than the Ethernet header, or than its 802.1Q tag.
  kTruncatedEthernet,
  // Not an error: the ethertype is neither IPv4 nor IPv6 (ARP, LLDP, a second
  // VLAN tag, an 802.3 length, ...); `ethertype` says which.
  kNotIp,
  // Shorter than the fixed IP header, or than the IP length field claims.
  kTruncatedIp,
  // The version nibble is neither 4 nor 6, or disagrees with the ethertype.
  kBadIpVersion,
  // IPv4 IHL below 5, or a header longer than the total length.
  kBadIpHeaderLength,
  // IPv4 total length below 20.
  kBadIpTotalLength,
  // An extension header running past the packet, hop-by-hop not first, a
  // second fragment header, or more than kMaxIpv6ExtensionHeaders.
  kBadIpv6ExtensionHeader,
  // Fragment data past byte 65535 of the datagram, or a fragment other than
  // the last whose data is not a multiple of 8 bytes.
  kBadFragment,
  // Less than the fixed TCP (20), UDP (8) or ICMP/ICMPv6 (4) header left in
  // the IP packet, including a first fragment too short to hold it.
  kTruncatedL4,
  // TCP data offset below 5, or past the end of the segment.
  kBadTcpHeaderLength,
  // UDP length below 8, or (unless a first fragment) past the IP packet.
  kBadUdpLength,
};
inline constexpr size_t kParseStatusCount = 12;

// A static string such as "TruncatedIp", for logs and metrics.
const char* ParseStatusName(ParseStatus status);

// Parses an Ethernet II frame with at most one 802.1Q tag. Resets *out first;
// on error the fields of the headers parsed before the failing one are set
// (so for kNotIp, ethertype says what the frame is).
ParseStatus ParseEthernetFrame(std::span<const uint8_t> frame, PacketHeaders* out);

// Parses a packet starting at its IP header; the version nibble picks the
// family. Resets *out first. Trailing bytes after the IP packet are ignored.
ParseStatus ParseIpPacket(std::span<const uint8_t> packet, PacketHeaders* out);

// Per-status packet counters. Count is a relaxed atomic increment and safe
// from any thread; give each worker thread its own instance (and sum them
// when reporting) to keep the cache line uncontended.
struct alignas(64) ParseCounters {
  void Count(ParseStatus status) { counts[Index(status)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t Get(ParseStatus status) const {
    return counts[Index(status)].load(std::memory_order_relaxed);
  }
  static size_t Index(ParseStatus status) {
    size_t i = static_cast<size_t>(status);
    assert(i < kParseStatusCount);
    return i;
  }

  std::array<std::atomic<uint64_t>, kParseStatusCount> counts{};
};

}  // namespace minivpc::dp
