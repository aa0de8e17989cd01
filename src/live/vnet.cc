#include "live/vnet.h"

#include <cstring>

#include "dataplane/checksum.h"
#include "dataplane/packet_builder.h"

namespace minivpc::live {
namespace {

uint16_t LoadHost16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void StoreHost16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, sizeof v); }

uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t LoadBe32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

bool IsTcpOrUdp(const dp::PacketHeaders& h) {
  return h.has_l4() && (h.protocol == dp::kIpProtoTcp || h.protocol == dp::kIpProtoUdp);
}

uint16_t L4ChecksumOffset(const dp::PacketHeaders& h) {
  return h.protocol == dp::kIpProtoTcp ? 16 : 6;
}

// The partial checksum sits in the TCP/UDP header's checksum field: the
// only place a NAT address change can update it incrementally.
bool PartialAtL4(const VnetHeader& v, const dp::PacketHeaders& h) {
  return IsTcpOrUdp(h) && v.csum_start == h.l4_offset && v.csum_offset == L4ChecksumOffset(h);
}

bool GsoFits(const VnetHeader& v, const dp::PacketHeaders& h) {
  if (v.gso_size == 0 || h.is_fragment() || !v.needs_csum() || !PartialAtL4(v, h)) return false;
  const bool v4 = h.family == IpFamily::kV4;
  switch (v.gso()) {
    case kGsoTcpV4:
      return v4 && h.protocol == dp::kIpProtoTcp;
    case kGsoTcpV6:
      return !v4 && h.protocol == dp::kIpProtoTcp;
    case kGsoUdpL4:
      return h.protocol == dp::kIpProtoUdp;
    default:  // UFO and unknown types are never offered (see tap.cc)
      return false;
  }
}

// ~fold(sum): the uncomplemented 16-bit one's complement sum.
uint16_t Folded(uint32_t sum) { return static_cast<uint16_t>(~dp::ChecksumFinish(sum)); }

void RewriteAddress(std::span<uint8_t> frame, const dp::PacketHeaders& h, VnetHeader* v,
                    size_t field, uint32_t new_address) {
  // A partial checksum elsewhere (a tunnel's inner header): finish it
  // first, then the address change is an ordinary one.
  if (v->needs_csum() && !PartialAtL4(*v, h)) CompleteChecksum(frame, h, v);
  if (!v->needs_csum()) {
    return field == 12 ? dp::RewriteIpv4Source(frame, h, new_address)
                       : dp::RewriteIpv4Destination(frame, h, new_address);
  }
  uint8_t* check = frame.data() + v->csum_start + v->csum_offset;
  const uint16_t partial = LoadBe16(check);
  const uint32_t old_address = LoadBe32(frame.data() + h.l3_offset + field);
  // The dp rewrite changes the address and the IP header checksum (always
  // complete); it treats the L4 field as a finished checksum, so the field
  // is set again from the saved partial sum: partial - old + new.
  if (field == 12) {
    dp::RewriteIpv4Source(frame, h, new_address);
  } else {
    dp::RewriteIpv4Destination(frame, h, new_address);
  }
  uint32_t sum = dp::ChecksumAdd16(partial, static_cast<uint16_t>(~(old_address >> 16)));
  sum = dp::ChecksumAdd16(sum, static_cast<uint16_t>(~old_address));
  sum = dp::ChecksumAdd32(sum, new_address);
  StoreBe16(check, Folded(sum));
}

}  // namespace

VnetHeader DecodeVnetHeader(std::span<const uint8_t> b) {
  VnetHeader v;
  v.flags = b[0];
  v.gso_type = b[1];
  v.hdr_len = LoadHost16(&b[2]);
  v.gso_size = LoadHost16(&b[4]);
  v.csum_start = LoadHost16(&b[6]);
  v.csum_offset = LoadHost16(&b[8]);
  return v;
}

void EncodeVnetHeader(const VnetHeader& v, std::span<uint8_t> b) {
  std::memset(b.data(), 0, kVnetHeaderSize);
  b[0] = v.flags;
  b[1] = v.gso_type;
  StoreHost16(&b[2], v.hdr_len);
  StoreHost16(&b[4], v.gso_size);
  StoreHost16(&b[6], v.csum_start);
  StoreHost16(&b[8], v.csum_offset);
}

bool VnetHeaderFits(const VnetHeader& v, const dp::PacketHeaders& h) {
  if (v.is_gso() && !GsoFits(v, h)) return false;
  if (!v.needs_csum()) return true;
  return v.csum_start >= h.l3_offset && size_t{v.csum_start} + v.csum_offset + 2 <= h.l3_end();
}

uint32_t SegmentCount(const VnetHeader& v, const dp::PacketHeaders& h) {
  if (!v.is_gso() || v.gso_size == 0) return 1;
  const size_t payload = h.l3_end() - h.payload_offset;
  const size_t segments = (payload + v.gso_size - 1) / v.gso_size;
  return segments == 0 ? 1 : static_cast<uint32_t>(segments);
}

uint64_t SegmentBytes(const VnetHeader& v, const dp::PacketHeaders& h) {
  if (!v.is_gso()) return h.ip_total_length;
  const uint64_t headers = h.payload_offset - h.l3_offset;
  return (h.l3_end() - h.payload_offset) + uint64_t{SegmentCount(v, h)} * headers;
}

void RewriteIpv4Source(std::span<uint8_t> frame, const dp::PacketHeaders& h, VnetHeader* v,
                       uint32_t new_src) {
  RewriteAddress(frame, h, v, 12, new_src);
}

void RewriteIpv4Destination(std::span<uint8_t> frame, const dp::PacketHeaders& h, VnetHeader* v,
                            uint32_t new_dst) {
  RewriteAddress(frame, h, v, 16, new_dst);
}

void CompleteChecksum(std::span<uint8_t> frame, const dp::PacketHeaders& h, VnetHeader* v) {
  if (!v->needs_csum()) return;
  std::span<uint8_t> covered = frame.subspan(v->csum_start, h.l3_end() - v->csum_start);
  uint16_t checksum = dp::ChecksumFinish(dp::ChecksumAdd(0, covered));
  if (PartialAtL4(*v, h) && h.protocol == dp::kIpProtoUdp && checksum == 0) checksum = 0xFFFF;
  StoreBe16(frame.data() + v->csum_start + v->csum_offset, checksum);
  v->flags = static_cast<uint8_t>(v->flags & ~kVnetNeedsCsum);
}

}  // namespace minivpc::live
