// Builds Ethernet frames from PacketHeaders fields, rewrites addresses and
// ports in place for NAT, and verifies checksums. Used by tests, benchmarks,
// the fuzzer and live mode.
//
//   PacketHeaders h;
//   h.eth_src = ...; h.family = IpFamily::kV4; h.src = ...; h.dst = ...;
//   h.protocol = kIpProtoUdp; h.src_port = 5353; h.dst_port = 53; h.ttl = 64;
//   std::array<uint8_t, 1514> buf;
//   size_t n = BuildFrame(h, payload, buf);   // 0: `buf` too small or bad fields
//
//   // NAT, after ParseEthernetFrame(frame, &h) returned kOk:
//   RewriteIpv4Source(frame, h, public_ip);   // IP and TCP/UDP checksums stay valid
//
// None of these functions allocate; all are thread compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/packet.h"

namespace minivpc::dp {

// Writes an Ethernet II frame (with an 802.1Q tag if h.vlan_tagged) carrying
// an IPv4 or IPv6 packet (per h.family) and returns its size, or 0 if `out`
// is too small, the packet would exceed the IP length limit, or
// h.fragment_offset is not a multiple of 8.
//
// Used fields: eth_src, eth_dst, vlan_tagged, vlan_tci, family, src, dst,
// protocol, ttl, tos, dont_fragment (IPv4), fragment_id, fragment_offset,
// more_fragments, src_port, dst_port, icmp_type, icmp_code, tcp_flags. All are
// written as given (a zero TTL stays zero). The ethertype, lengths and offsets
// are computed, not read.
//
// For TCP (seq 0, ack 0, window 65535, no options), UDP, ICMP in IPv4 and
// ICMPv6 in IPv6, an L4 header precedes `payload` (for ICMP, `payload` starts
// after the checksum, e.g. with an echo's identifier and sequence number)
// and its checksum is computed; other protocols carry `payload` as is. An
// IPv6 fragment gets a fragment header. A non-first fragment has no L4
// header: `payload` is its fragment data. A first fragment's L4 checksum and
// UDP length cover only the bytes in this frame.
size_t BuildFrame(const PacketHeaders& h, std::span<const uint8_t> payload, std::span<uint8_t> out);

// NAT rewrites. Precondition: `h` came from parsing `frame` (ParseEthernetFrame
// or ParseIpPacket returned kOk) and, for the address rewrites, h.family is
// IPv4. The IPv4 header checksum and any TCP/UDP checksum are updated
// incrementally (RFC 1624); a UDP checksum of 0 (none) stays 0. ICMP carries
// no pseudo-header, so its checksum needs no change. `h` is not updated.
// Non-first fragments only get the IP header change.
void RewriteIpv4Source(std::span<uint8_t> frame, const PacketHeaders& h, uint32_t new_src);
void RewriteIpv4Destination(std::span<uint8_t> frame, const PacketHeaders& h, uint32_t new_dst);
// TCP/UDP ports, either family; a no-op for other protocols and non-first fragments.
void RewriteSourcePort(std::span<uint8_t> frame, const PacketHeaders& h, uint16_t new_port);
void RewriteDestinationPort(std::span<uint8_t> frame, const PacketHeaders& h, uint16_t new_port);

// Recomputes the checksums `h` makes verifiable: the IPv4 header, and unless
// the packet is a fragment, the TCP, UDP (IPv4: 0 means none; IPv6: 0 is
// invalid), ICMP or ICMPv6 checksum. Precondition: as for the rewrites.
// Reads every byte of the L4 segment, so it is meant for tests, not the data path.
bool VerifyChecksums(std::span<const uint8_t> frame, const PacketHeaders& h);

}  // namespace minivpc::dp
