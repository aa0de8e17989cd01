// Virtio-net headers: the offload metadata in front of every frame of a TAP
// opened with IFF_VNET_HDR (see tap.h).
//
// With offloads on, an instance's kernel hands minivpc frames whose TCP/UDP
// checksum is not finished (kNeedsCsum: the checksum field holds only the
// folded pseudo-header sum and the receiver completes it from csum_start)
// and GSO super-frames of up to 64 KB that stand for gso_size-sized
// segments. The switch decides once per super-frame and passes the header
// on unchanged to the receiving TAP, whose kernel accepts the frame as it
// is (a local socket takes it whole; forwarding segments it).
//
//   VnetHeader v = DecodeVnetHeader(wire.first(kVnetHeaderSize));
//   std::span<uint8_t> frame = wire.subspan(kVnetHeaderSize);
//   ... ParseEthernetFrame(frame, &h) ...
//   if (!VnetHeaderFits(v, h)) drop;
//   RewriteIpv4Source(frame, h, &v, public_ip);  // NAT; may update v
//   EncodeVnetHeader(v, wire.first(kVnetHeaderSize));
//
// All functions are pure, allocation-free and thread compatible. Header
// fields are in host byte order, as TAP devices use them on little-endian
// hosts (no TUNSETVNETLE/BE is set).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/packet.h"

namespace minivpc::live {

// struct virtio_net_hdr (10 bytes) plus num_buffers (2): the size set with
// TUNSETVNETHDRSZ; 12 keeps the Ethernet frame 4-byte aligned after it.
inline constexpr size_t kVnetHeaderSize = 12;

inline constexpr uint8_t kVnetNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
inline constexpr uint8_t kVnetDataValid = 2;  // VIRTIO_NET_HDR_F_DATA_VALID

inline constexpr uint8_t kGsoNone = 0;
inline constexpr uint8_t kGsoTcpV4 = 1;
inline constexpr uint8_t kGsoUdp = 3;  // UFO: legacy, never produced by tun
inline constexpr uint8_t kGsoTcpV6 = 4;
inline constexpr uint8_t kGsoUdpL4 = 5;  // USO
inline constexpr uint8_t kGsoEcn = 0x80;

struct VnetHeader {
  uint8_t flags = 0;
  uint8_t gso_type = kGsoNone;  // with the kGsoEcn bit
  uint16_t hdr_len = 0;         // bytes of headers in each segment (a hint)
  uint16_t gso_size = 0;        // payload bytes per segment
  uint16_t csum_start = 0;      // from the start of the Ethernet frame
  uint16_t csum_offset = 0;     // from csum_start to the checksum field

  bool needs_csum() const { return (flags & kVnetNeedsCsum) != 0; }
  uint8_t gso() const { return gso_type & static_cast<uint8_t>(~kGsoEcn); }
  bool is_gso() const { return gso() != kGsoNone; }
};

// Precondition: `bytes` holds at least kVnetHeaderSize bytes.
VnetHeader DecodeVnetHeader(std::span<const uint8_t> bytes);
void EncodeVnetHeader(const VnetHeader& v, std::span<uint8_t> bytes);

// True when `v` is consistent with the parsed frame `h`: a GSO type
// matches the frame's family and protocol with a non-zero gso_size, and a
// partial checksum, if any, starts at the TCP/UDP header with the offset of
// its checksum field. A frame failing this is dropped, never forwarded:
// the NAT rewrite below relies on it.
bool VnetHeaderFits(const VnetHeader& v, const dp::PacketHeaders& h);

// The segments a super-frame stands for (1 when not GSO), and the bytes of
// their IP packets together, as flow logs count them.
uint32_t SegmentCount(const VnetHeader& v, const dp::PacketHeaders& h);
uint64_t SegmentBytes(const VnetHeader& v, const dp::PacketHeaders& h);

// dp::RewriteIpv4Source/Destination for a frame described by `*v`
// (precondition: VnetHeaderFits). Without kNeedsCsum they are the dp
// functions. With it the TCP/UDP checksum field holds the uncomplemented
// pseudo-header sum, which changes by +new -old (not the RFC 1624 update
// of a finished checksum), so the receiver's completion stays right. A
// partial checksum anywhere else (a tunnel's inner header) is finished in
// software first, which clears kNeedsCsum in *v: write *v back with the frame.
void RewriteIpv4Source(std::span<uint8_t> frame, const dp::PacketHeaders& h, VnetHeader* v,
                       uint32_t new_src);
void RewriteIpv4Destination(std::span<uint8_t> frame, const dp::PacketHeaders& h, VnetHeader* v,
                            uint32_t new_dst);

// Finishes a partial checksum in software, as a receiving NIC would: the
// one's complement sum from csum_start to the end of the IP packet, stored
// complemented at csum_start + csum_offset (a UDP 0 becomes 0xFFFF). Clears
// kNeedsCsum in *v. No-op without kNeedsCsum. Precondition: VnetHeaderFits.
void CompleteChecksum(std::span<uint8_t> frame, const dp::PacketHeaders& h, VnetHeader* v);

}  // namespace minivpc::live
