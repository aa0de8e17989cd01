#include "live/vnet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dataplane/checksum.h"
#include "dataplane/packet_builder.h"

namespace minivpc::live {
namespace {

constexpr uint32_t kPrivate = 0x0A000105;  // 10.0.1.5
constexpr uint32_t kPeer = 0xC612FF01;     // 198.18.255.1
constexpr uint32_t kPublic = 0xC6120007;   // 198.18.0.7

// --- a from-scratch reference checksum, sharing no code with dp/ or vnet.cc ---

uint32_t RefSum(const std::vector<uint8_t>& bytes, size_t from, size_t to) {
  uint32_t sum = 0;
  for (size_t i = from; i < to; i += 2) sum += bytes[i] << 8 | (i + 1 < to ? bytes[i + 1] : 0);
  return sum;
}

// True when the TCP/UDP checksum of the IPv4 packet at offset 14 is right.
bool RefL4ChecksumOk(const std::vector<uint8_t>& f) {
  const size_t l3 = 14, l4 = l3 + (f[l3] & 0xF) * 4;
  const size_t end = l3 + (f[l3 + 2] << 8 | f[l3 + 3]);
  uint32_t sum = RefSum(f, l3 + 12, l3 + 20);  // source and destination
  sum += f[l3 + 9];
  sum += static_cast<uint32_t>(end - l4);
  sum += RefSum(f, l4, end);
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum == 0xFFFF;
}

bool RefIpHeaderOk(const std::vector<uint8_t>& f) {
  uint32_t sum = RefSum(f, 14, 14 + (f[14] & 0xF) * 4);
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum == 0xFFFF;
}

dp::PacketHeaders Headers(uint8_t protocol, uint32_t src, uint32_t dst) {
  dp::PacketHeaders h;
  h.eth_src = MacAddress(0x020000000001);
  h.eth_dst = MacAddress(0x020000000002);
  h.family = IpFamily::kV4;
  h.src = IpAddress::V4(src);
  h.dst = IpAddress::V4(dst);
  h.protocol = protocol;
  h.ttl = 64;
  h.src_port = 49152;
  h.dst_port = 80;
  h.tcp_flags = 0x18;
  return h;
}

std::vector<uint8_t> Build(const dp::PacketHeaders& h, size_t payload_size) {
  std::string payload(payload_size, '\0');
  for (size_t i = 0; i < payload_size; ++i) payload[i] = static_cast<char>(i * 7 + 3);
  std::vector<uint8_t> f(70000);
  size_t n =
      dp::BuildFrame(h, {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, f);
  EXPECT_NE(n, 0u);
  f.resize(n);
  return f;
}

// Turns a frame with a finished TCP/UDP checksum into what a kernel with
// checksum offload hands over: the field holds the folded pseudo-header sum
// (~csum_tcpudp_magic), and the header says where to finish it.
VnetHeader MakePartial(std::vector<uint8_t>& f, const dp::PacketHeaders& h) {
  const size_t field = h.l4_offset + (h.protocol == dp::kIpProtoTcp ? 16 : 6);
  uint32_t sum = dp::PseudoHeaderSum(h.src, h.dst, h.protocol,
                                     static_cast<uint32_t>(h.l3_end() - h.l4_offset));
  uint16_t partial = static_cast<uint16_t>(~dp::ChecksumFinish(sum));
  f[field] = static_cast<uint8_t>(partial >> 8);
  f[field + 1] = static_cast<uint8_t>(partial);
  VnetHeader v;
  v.flags = kVnetNeedsCsum;
  v.csum_start = static_cast<uint16_t>(h.l4_offset);
  v.csum_offset = static_cast<uint16_t>(field - h.l4_offset);
  return v;
}

dp::PacketHeaders Parse(const std::vector<uint8_t>& f) {
  dp::PacketHeaders h;
  EXPECT_EQ(dp::ParseEthernetFrame(f, &h), dp::ParseStatus::kOk);
  return h;
}

TEST(VnetHeader, EncodesAndDecodesEveryField) {
  VnetHeader v{kVnetNeedsCsum, kGsoTcpV4 | kGsoEcn, 66, 1448, 34, 16};
  std::vector<uint8_t> bytes(kVnetHeaderSize, 0xAA);
  EncodeVnetHeader(v, bytes);
  EXPECT_EQ(bytes[10], 0);  // num_buffers is zeroed
  VnetHeader back = DecodeVnetHeader(bytes);
  EXPECT_EQ(back.flags, v.flags);
  EXPECT_EQ(back.gso_type, v.gso_type);
  EXPECT_EQ(back.hdr_len, 66);
  EXPECT_EQ(back.gso_size, 1448);
  EXPECT_EQ(back.csum_start, 34);
  EXPECT_EQ(back.csum_offset, 16);
  EXPECT_EQ(back.gso(), kGsoTcpV4);
  EXPECT_TRUE(back.is_gso());
}

// The reason for this file: an instance behind the internet gateway sends
// TCP with checksum offload; the 1:1 NAT must leave a partial sum that
// finishes to the right checksum for the new addresses.
TEST(VnetNat, PartialTcpChecksumFinishesRightAfterSourceNat) {
  dp::PacketHeaders h = Headers(dp::kIpProtoTcp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 1000);
  h = Parse(f);
  VnetHeader v = MakePartial(f, h);
  ASSERT_TRUE(VnetHeaderFits(v, h));
  RewriteIpv4Source(f, h, &v, kPublic);
  EXPECT_TRUE(v.needs_csum());  // still for the receiver to finish
  CompleteChecksum(f, h, &v);
  EXPECT_FALSE(v.needs_csum());
  EXPECT_TRUE(RefIpHeaderOk(f));
  EXPECT_TRUE(RefL4ChecksumOk(f));
  dp::PacketHeaders after = Parse(f);
  EXPECT_EQ(after.src, IpAddress::V4(kPublic));
  EXPECT_TRUE(dp::VerifyChecksums(f, after));
}

TEST(VnetNat, PartialUdpChecksumFinishesRightAfterDestinationNat) {
  for (size_t size : {0, 1, 7, 512, 1473}) {
    dp::PacketHeaders h = Headers(dp::kIpProtoUdp, kPeer, kPublic);
    std::vector<uint8_t> f = Build(h, size);
    h = Parse(f);
    VnetHeader v = MakePartial(f, h);
    RewriteIpv4Destination(f, h, &v, kPrivate);
    CompleteChecksum(f, h, &v);
    EXPECT_TRUE(RefIpHeaderOk(f)) << size;
    EXPECT_TRUE(RefL4ChecksumOk(f)) << size;
  }
}

// What the test above guards against: the RFC 1624 update meant for a
// finished checksum, applied to a partial one, finishes wrong.
TEST(VnetNat, FinishedChecksumUpdateOnAPartialSumWouldBeWrong) {
  dp::PacketHeaders h = Headers(dp::kIpProtoTcp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 1000);
  h = Parse(f);
  VnetHeader v = MakePartial(f, h);
  dp::RewriteIpv4Source(f, h, kPublic);
  CompleteChecksum(f, h, &v);
  EXPECT_FALSE(RefL4ChecksumOk(f));
}

TEST(VnetNat, FinishedChecksumIsUpdatedAsBefore) {
  dp::PacketHeaders h = Headers(dp::kIpProtoTcp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 333);
  h = Parse(f);
  VnetHeader v;  // no offload: the checksum is complete
  RewriteIpv4Source(f, h, &v, kPublic);
  EXPECT_TRUE(RefIpHeaderOk(f));
  EXPECT_TRUE(RefL4ChecksumOk(f));
}

TEST(VnetNat, GsoSuperFrameKeepsItsPartialSumRight) {
  dp::PacketHeaders h = Headers(dp::kIpProtoTcp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 60000);
  h = Parse(f);
  VnetHeader v = MakePartial(f, h);
  v.gso_type = kGsoTcpV4;
  v.gso_size = 1448;
  v.hdr_len = static_cast<uint16_t>(h.payload_offset);
  ASSERT_TRUE(VnetHeaderFits(v, h));
  RewriteIpv4Source(f, h, &v, kPublic);
  EXPECT_EQ(v.gso_size, 1448);
  CompleteChecksum(f, h, &v);
  EXPECT_TRUE(RefL4ChecksumOk(f));
}

TEST(VnetNat, PartialSumOutsideTheL4HeaderIsFinishedBeforeTheRewrite) {
  // A partial checksum the switch cannot update in place (a tunnel's inner
  // header; here the payload's first word, with the outer UDP checksum
  // 0 = none): finished in software, then the NAT is an ordinary one.
  dp::PacketHeaders h = Headers(dp::kIpProtoUdp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 100);
  h = Parse(f);
  f[h.l4_offset + 6] = f[h.l4_offset + 7] = 0;
  f[h.payload_offset] = f[h.payload_offset + 1] = 0;  // the partial sum: nothing to add
  VnetHeader v;
  v.flags = kVnetNeedsCsum;
  v.csum_start = static_cast<uint16_t>(h.payload_offset);
  v.csum_offset = 0;
  ASSERT_TRUE(VnetHeaderFits(v, h));
  RewriteIpv4Source(f, h, &v, kPublic);
  EXPECT_FALSE(v.needs_csum());
  EXPECT_TRUE(RefIpHeaderOk(f));
  uint32_t inner = RefSum(f, h.payload_offset, h.l3_end());
  while (inner > 0xFFFF) inner = (inner & 0xFFFF) + (inner >> 16);
  EXPECT_EQ(inner, 0xFFFFu);
  EXPECT_EQ(f[h.l4_offset + 6] | f[h.l4_offset + 7], 0);  // still "no checksum"
}

TEST(VnetHeader, GsoTypeMustMatchTheFrame) {
  dp::PacketHeaders h = Headers(dp::kIpProtoTcp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 3000);
  h = Parse(f);
  VnetHeader v = MakePartial(f, h);
  v.gso_type = kGsoTcpV4;
  v.gso_size = 1448;
  EXPECT_TRUE(VnetHeaderFits(v, h));
  v.gso_type = kGsoTcpV6;
  EXPECT_FALSE(VnetHeaderFits(v, h));
  v.gso_type = kGsoUdpL4;
  EXPECT_FALSE(VnetHeaderFits(v, h));
  v.gso_type = kGsoUdp;  // UFO is never offered
  EXPECT_FALSE(VnetHeaderFits(v, h));
  v.gso_type = kGsoTcpV4;
  v.gso_size = 0;
  EXPECT_FALSE(VnetHeaderFits(v, h));
  v.gso_size = 1448;
  v.csum_offset = 6;  // not TCP's checksum field
  EXPECT_FALSE(VnetHeaderFits(v, h));
}

TEST(VnetHeader, PartialChecksumMustLieInsideThePacket) {
  dp::PacketHeaders h = Headers(dp::kIpProtoUdp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 10);
  h = Parse(f);
  VnetHeader v;
  v.flags = kVnetNeedsCsum;
  v.csum_start = static_cast<uint16_t>(h.l3_end() - 1);
  v.csum_offset = 0;
  EXPECT_FALSE(VnetHeaderFits(v, h));
  v.csum_start = 2;  // inside the Ethernet header
  EXPECT_FALSE(VnetHeaderFits(v, h));
}

TEST(VnetHeader, SuperFrameCountsItsSegmentsAndTheirBytes) {
  dp::PacketHeaders h = Headers(dp::kIpProtoTcp, kPrivate, kPeer);
  std::vector<uint8_t> f = Build(h, 3000);
  h = Parse(f);
  VnetHeader v = MakePartial(f, h);
  EXPECT_EQ(SegmentCount(v, h), 1u);
  EXPECT_EQ(SegmentBytes(v, h), 3040u);
  v.gso_type = kGsoTcpV4;
  v.gso_size = 1448;  // 1448 + 1448 + 104
  EXPECT_EQ(SegmentCount(v, h), 3u);
  EXPECT_EQ(SegmentBytes(v, h), 3000u + 3 * 40);
}

}  // namespace
}  // namespace minivpc::live
