#include "dataplane/packet_builder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dataplane/checksum.h"
#include "dataplane/packet_test_util.h"

namespace minivpc::dp {
namespace {

using namespace std::literals;
using testing::Build;
using testing::kL3;
using testing::kL4v4;
using testing::MakeHeaders;
using testing::Parse;

constexpr IpFamily kV4 = IpFamily::kV4;
constexpr IpFamily kV6 = IpFamily::kV6;

// --- a from-scratch reference, sharing no code with checksum.cc ----------------

uint16_t RefChecksum(const std::vector<uint8_t>& bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    sum += bytes[i] << 8 | (i + 1 < bytes.size() ? bytes[i + 1] : 0);
  }
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint16_t Field(const std::vector<uint8_t>& f, size_t at) {
  return static_cast<uint16_t>(f[at] << 8 | f[at + 1]);
}

size_t L4ChecksumAt(const PacketHeaders& h) {
  return h.l4_offset + (h.protocol == kIpProtoTcp ? 16 : h.protocol == kIpProtoUdp ? 6 : 2);
}

// The IPv4 header checksum recomputed over the frame's header bytes.
uint16_t RefIpv4HeaderChecksum(std::vector<uint8_t> f, const PacketHeaders& h) {
  f[h.l3_offset + 10] = f[h.l3_offset + 11] = 0;
  return RefChecksum({f.begin() + h.l3_offset, f.begin() + h.l4_offset});
}

// The L4 checksum recomputed over the segment in the frame and a pseudo-header
// assembled byte by byte from the frame's addresses.
uint16_t RefL4Checksum(std::vector<uint8_t> f, const PacketHeaders& h) {
  f[L4ChecksumAt(h)] = f[L4ChecksumAt(h) + 1] = 0;
  std::vector<uint8_t> segment(f.begin() + h.l4_offset, f.begin() + h.l3_end());
  const uint32_t len = static_cast<uint32_t>(segment.size());
  std::vector<uint8_t> bytes;
  if (h.protocol != kIpProtoIcmp) {
    const bool v4 = h.family == kV4;
    auto addrs = f.begin() + h.l3_offset + (v4 ? 12 : 8);
    bytes.assign(addrs, addrs + (v4 ? 8 : 32));
    if (v4) {
      bytes.insert(bytes.end(), {0, h.protocol, uint8_t(len >> 8), uint8_t(len)});
    } else {
      bytes.insert(bytes.end(), {0, 0, uint8_t(len >> 8), uint8_t(len), 0, 0, 0, h.protocol});
    }
  }
  bytes.insert(bytes.end(), segment.begin(), segment.end());
  uint16_t c = RefChecksum(bytes);
  return h.protocol == kIpProtoUdp && c == 0 ? 0xFFFF : c;
}

void ExpectChecksumsMatchReference(const std::vector<uint8_t>& f) {
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  if (h.family == kV4) {
    EXPECT_EQ(Field(f, h.l3_offset + 10), RefIpv4HeaderChecksum(f, h));
  }
  EXPECT_EQ(Field(f, L4ChecksumAt(h)), RefL4Checksum(f, h));
  EXPECT_TRUE(VerifyChecksums(f, h));
}

// --- checksum primitives ------------------------------------------------------------

TEST(Checksum, MatchesKnownIpv4HeaderChecksum) {
  const std::vector<uint8_t> header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                       0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(InternetChecksum(header), 0xb861);
}

TEST(Checksum, IncrementalUpdateFollowsRfc1624Example) {
  EXPECT_EQ(ChecksumUpdate16(0xDD2F, 0x5555, 0x3285), 0x0000);
}

TEST(Checksum, ChunkedSumEqualsWholeSumForOddLengths) {
  std::vector<uint8_t> data(37);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 97 + 13);
  const std::span<const uint8_t> all(data);
  for (size_t split = 0; split <= data.size(); split += 2) {
    uint32_t sum = ChecksumAdd(ChecksumAdd(0, all.first(split)), all.subspan(split));
    EXPECT_EQ(ChecksumFinish(sum), RefChecksum(data)) << split;
  }
}

// --- BuildFrame -------------------------------------------------------------------------

TEST(PacketBuilder, RoundTripsEveryProtocolAndFamilyWithValidChecksums) {
  struct Case {
    IpFamily family;
    uint8_t protocol;
  };
  for (Case c : {Case{kV4, kIpProtoTcp}, Case{kV4, kIpProtoUdp}, Case{kV4, kIpProtoIcmp},
                 Case{kV6, kIpProtoTcp}, Case{kV6, kIpProtoUdp}, Case{kV6, kIpProtoIcmpv6}}) {
    SCOPED_TRACE(std::to_string(int{c.protocol}) + (c.family == kV4 ? " v4" : " v6"));
    PacketHeaders in = MakeHeaders(c.family, c.protocol);
    in.tos = 0x28;
    in.dont_fragment = c.family == kV4;
    in.fragment_id = c.family == kV4 ? 0x1234 : 0;
    auto f = Build(in, "odd-length payload");
    PacketHeaders out;
    ASSERT_EQ(Parse(f, &out), ParseStatus::kOk);
    EXPECT_EQ(out.src, in.src);
    EXPECT_EQ(out.dst, in.dst);
    EXPECT_EQ(out.protocol, in.protocol);
    EXPECT_EQ(out.src_port, in.src_port);
    EXPECT_EQ(out.dst_port, in.dst_port);
    EXPECT_EQ(out.icmp_type, in.icmp_type);
    EXPECT_EQ(out.tcp_flags, in.tcp_flags);
    EXPECT_EQ(out.tos, in.tos);
    EXPECT_EQ(out.dont_fragment, in.dont_fragment);
    EXPECT_EQ(out.fragment_id, in.fragment_id);
    EXPECT_EQ(std::string(f.begin() + out.payload_offset, f.end()), "odd-length payload");
    ExpectChecksumsMatchReference(f);
  }
}

TEST(PacketBuilder, WritesUdpChecksumZeroAsAllOnes) {
  // A payload word equal to the checksum of the frame without it makes the
  // computed checksum 0, which UDP must send as 0xFFFF.
  auto probe = Build(MakeHeaders(kV4, kIpProtoUdp), "\0\0"sv);
  const uint16_t c = Field(probe, kL4v4 + 6);
  const char payload[2] = {static_cast<char>(c >> 8), static_cast<char>(c & 0xFF)};
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), std::string_view(payload, 2));
  EXPECT_EQ(Field(f, kL4v4 + 6), 0xFFFF);
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_TRUE(VerifyChecksums(f, h));
}

TEST(PacketBuilder, ReturnsZeroWhenOutputTooSmall) {
  const auto f = Build(MakeHeaders(kV6, kIpProtoTcp), "payload");
  std::vector<uint8_t> out(f.size());
  const std::string_view payload = "payload";
  const std::span<const uint8_t> p(reinterpret_cast<const uint8_t*>(payload.data()), 7);
  EXPECT_EQ(BuildFrame(MakeHeaders(kV6, kIpProtoTcp), p, out), f.size());
  EXPECT_EQ(out, f);
  EXPECT_EQ(BuildFrame(MakeHeaders(kV6, kIpProtoTcp), p, std::span(out).first(f.size() - 1)), 0u);
}

TEST(PacketBuilder, RejectsOversizedPacketAndUnalignedFragmentOffset) {
  std::vector<uint8_t> payload(65535 - 20 - 8 + 1), out(70000);
  EXPECT_EQ(BuildFrame(MakeHeaders(kV4, kIpProtoUdp), payload, out), 0u);
  payload.pop_back();
  EXPECT_NE(BuildFrame(MakeHeaders(kV4, kIpProtoUdp), payload, out), 0u);
  PacketHeaders h = MakeHeaders(kV4, kIpProtoUdp);
  h.fragment_offset = 12;
  EXPECT_EQ(BuildFrame(h, {}, out), 0u);
}

TEST(PacketBuilder, VerifyChecksumsDetectsCorruption) {
  for (IpFamily family : {kV4, kV6}) {
    auto f = Build(MakeHeaders(family, kIpProtoTcp), "payload");
    PacketHeaders h;
    ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
    ASSERT_TRUE(VerifyChecksums(f, h));
    f.back() ^= 1;
    EXPECT_FALSE(VerifyChecksums(f, h));
  }
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "x");
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  f[kL3 + 8] = 1;  // TTL, covered by the IPv4 header checksum only
  EXPECT_FALSE(VerifyChecksums(f, h));
}

TEST(PacketBuilder, UdpChecksumZeroMeansNoneOnlyForIpv4) {
  for (IpFamily family : {kV4, kV6}) {
    auto f = Build(MakeHeaders(family, kIpProtoUdp), "x");
    PacketHeaders h;
    ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
    f[L4ChecksumAt(h)] = f[L4ChecksumAt(h) + 1] = 0;
    EXPECT_EQ(VerifyChecksums(f, h), family == kV4);
  }
}

// --- NAT rewrites -------------------------------------------------------------------------

TEST(NatRewrite, KeepsChecksumsEqualToRecomputation) {
  uint32_t x = 12345;
  auto next = [&x] { return x = x * 1103515245u + 12345u; };
  for (uint8_t protocol : {kIpProtoTcp, kIpProtoUdp, kIpProtoIcmp}) {
    for (bool vlan : {false, true}) {
      PacketHeaders in = MakeHeaders(kV4, protocol);
      in.vlan_tagged = vlan;
      auto f = Build(in, "some odd payload");
      PacketHeaders h;
      ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
      for (int i = 0; i < 50; ++i) {
        const uint32_t src = next(), dst = next();
        RewriteIpv4Source(f, h, src);
        RewriteIpv4Destination(f, h, dst);
        PacketHeaders after;
        ASSERT_EQ(Parse(f, &after), ParseStatus::kOk);
        EXPECT_EQ(after.src, IpAddress::V4(src));
        EXPECT_EQ(after.dst, IpAddress::V4(dst));
        ExpectChecksumsMatchReference(f);
      }
    }
  }
}

TEST(NatRewrite, KeepsIpv4OptionsHeaderChecksumValid) {
  auto f = Build(MakeHeaders(kV4, kIpProtoTcp), "x");
  f.insert(f.begin() + kL4v4, {0x94, 0x04, 0, 0});  // Router Alert
  f[kL3] = 0x46;
  testing::Put16(f, kL3 + 2, static_cast<uint16_t>(f.size() - kL3));
  testing::Put16(f, kL3 + 10, 0);
  testing::Put16(f, kL3 + 10, RefChecksum({f.begin() + kL3, f.begin() + kL3 + 24}));
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  RewriteIpv4Source(f, h, 0xC0000201);
  ExpectChecksumsMatchReference(f);
}

TEST(NatRewrite, LeavesAbsentUdpChecksumZero) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "dns");
  f[kL4v4 + 6] = f[kL4v4 + 7] = 0;
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  RewriteIpv4Source(f, h, 0x36000001);
  RewriteSourcePort(f, h, 1024);
  EXPECT_EQ(Field(f, kL4v4 + 6), 0);
  EXPECT_TRUE(VerifyChecksums(f, h));
}

TEST(NatRewrite, RewritesPortsInEitherFamily) {
  for (IpFamily family : {kV4, kV6}) {
    for (uint8_t protocol : {kIpProtoTcp, kIpProtoUdp}) {
      auto f = Build(MakeHeaders(family, protocol), "payload");
      PacketHeaders h;
      ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
      RewriteSourcePort(f, h, 1024);
      RewriteDestinationPort(f, h, 65535);
      PacketHeaders after;
      ASSERT_EQ(Parse(f, &after), ParseStatus::kOk);
      EXPECT_EQ(after.src_port, 1024);
      EXPECT_EQ(after.dst_port, 65535);
      ExpectChecksumsMatchReference(f);
    }
  }
}

TEST(NatRewrite, UpdatesFirstFragmentL4ChecksumAndOnlyIpHeaderOfLaterFragments) {
  PacketHeaders first = MakeHeaders(kV4, kIpProtoTcp);
  first.more_fragments = true;
  auto f = Build(first, std::string(4, 'a'));  // 24 bytes of fragment data
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  RewriteIpv4Source(f, h, 0x36000001);
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_EQ(Field(f, kL3 + 10), RefIpv4HeaderChecksum(f, h));
  EXPECT_EQ(Field(f, L4ChecksumAt(h)), RefL4Checksum(f, h));  // over this fragment's bytes

  PacketHeaders later = MakeHeaders(kV4, kIpProtoTcp);
  later.fragment_offset = 24;
  auto g = Build(later, "fragment data");
  const std::vector<uint8_t> data(g.begin() + kL4v4, g.end());
  ASSERT_EQ(Parse(g, &h), ParseStatus::kOk);
  RewriteIpv4Source(g, h, 0x36000001);
  RewriteSourcePort(g, h, 1);  // no L4 header: a no-op
  EXPECT_EQ(std::vector<uint8_t>(g.begin() + kL4v4, g.end()), data);
  EXPECT_EQ(Field(g, kL3 + 10), RefIpv4HeaderChecksum(g, h));
}

TEST(NatRewrite, WorksOnBuffersParsedWithoutEthernet) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "abc");
  std::vector<uint8_t> ip(f.begin() + kL3, f.end());
  PacketHeaders h;
  ASSERT_EQ(ParseIpPacket(ip, &h), ParseStatus::kOk);
  RewriteIpv4Destination(ip, h, 0x0A00FF01);
  ASSERT_EQ(ParseIpPacket(ip, &h), ParseStatus::kOk);
  EXPECT_EQ(h.dst, IpAddress::V4(0x0A00FF01));
  EXPECT_TRUE(VerifyChecksums(ip, h));
}

}  // namespace
}  // namespace minivpc::dp
