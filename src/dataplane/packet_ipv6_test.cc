// IPv6 parsing: extension header chains and fragments.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "dataplane/packet.h"
#include "dataplane/packet_test_util.h"

namespace minivpc::dp {
namespace {

using namespace std::literals;
using testing::Build;
using testing::kL3;
using testing::kL4v6;
using testing::MakeHeaders;
using testing::Parse;
using testing::Put16;

constexpr IpFamily kV6 = IpFamily::kV6;

// Inserts extension headers, given as (next header value, Hdr Ext Len), after
// the IPv6 header of a frame without any; option bytes are zero (Pad1).
std::vector<uint8_t> WithExtensionHeaders(std::vector<uint8_t> f,
                                          std::vector<std::pair<uint8_t, uint8_t>> chain) {
  const uint8_t upper = f[kL3 + 6];
  std::vector<uint8_t> ext;
  for (size_t i = 0; i < chain.size(); ++i) {
    const bool fragment = chain[i].first == kIpProtoFragment;
    std::vector<uint8_t> h(fragment ? 8 : (chain[i].second + 1) * 8, 0);
    h[0] = i + 1 < chain.size() ? chain[i + 1].first : upper;
    h[1] = fragment ? 0 : chain[i].second;
    ext.insert(ext.end(), h.begin(), h.end());
  }
  if (!chain.empty()) f[kL3 + 6] = chain[0].first;
  f.insert(f.begin() + kL4v6, ext.begin(), ext.end());
  Put16(f, kL3 + 4, static_cast<uint16_t>(f.size() - kL4v6));
  return f;
}

ParseStatus ParseModified(const std::vector<uint8_t>& f) {
  PacketHeaders h;
  return Parse(f, &h);
}

TEST(Ipv6Parser, ParsesTcpUdpAndIcmpv6Frames) {
  auto tcp = MakeHeaders(kV6, kIpProtoTcp);
  tcp.tos = 0xB8;  // DSCP EF
  tcp.ttl = 255;
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(tcp, "GET"), &h), ParseStatus::kOk);
  EXPECT_EQ(h.ethertype, kEtherTypeIpv6);
  EXPECT_EQ(h.family, kV6);
  EXPECT_EQ(h.src.ToString(), "2600:1f18::5");
  EXPECT_EQ(h.dst.ToString(), "2600:1f18::7");
  EXPECT_EQ(h.tos, 0xB8);
  EXPECT_EQ(h.ttl, 255);
  EXPECT_EQ(h.ip_total_length, 40u + 20 + 3);
  EXPECT_EQ(h.l4_offset, kL4v6);
  EXPECT_EQ(h.payload_offset, kL4v6 + 20);
  EXPECT_EQ(h.dst_port, 443);

  ASSERT_EQ(Parse(Build(MakeHeaders(kV6, kIpProtoUdp), "q"), &h), ParseStatus::kOk);
  EXPECT_EQ(h.src_port, 49152);

  ASSERT_EQ(Parse(Build(MakeHeaders(kV6, kIpProtoIcmpv6), "\0\1\0\1"sv), &h), ParseStatus::kOk);
  EXPECT_EQ(h.icmp_type, 128);
  EXPECT_EQ(h.payload_offset, kL4v6 + 4);
}

TEST(Ipv6Parser, TreatsIcmpv4NumberAsUnknownProtocol) {
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(MakeHeaders(kV6, kIpProtoIcmp), "\x08\0\0\0"sv), &h), ParseStatus::kOk);
  EXPECT_EQ(h.protocol, kIpProtoIcmp);
  EXPECT_EQ(h.icmp_type, 0);
}

TEST(Ipv6Parser, ParsesPayloadLengthAbove65495) {
  PacketHeaders h;
  auto f = Build(MakeHeaders(kV6, kIpProtoUdp), std::string(65535 - 8, 'x'));
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_EQ(h.ip_total_length, 40u + 65535);
}

TEST(Ipv6Parser, RejectsPayloadLengthBeyondFrame) {
  auto f = Build(MakeHeaders(kV6, kIpProtoUdp), "abc");
  Put16(f, kL3 + 4, static_cast<uint16_t>(f.size() - kL4v6 + 1));
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedIp);
}

TEST(Ipv6Parser, RejectsIcmpv6ShorterThanFourBytes) {
  auto f = Build(MakeHeaders(kV6, 200), "abc");
  f[kL3 + 6] = kIpProtoIcmpv6;
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedL4);
}

TEST(Ipv6Parser, WalksExtensionHeaderChain) {
  auto f = WithExtensionHeaders(Build(MakeHeaders(kV6, kIpProtoTcp), "data"),
                                {{kIpProtoHopByHop, 0},
                                 {kIpProtoDestOptions, 1},
                                 {kIpProtoRouting, 0},
                                 {kIpProtoFragment, 0},
                                 {kIpProtoDestOptions, 0}});
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_EQ(h.protocol, kIpProtoTcp);
  EXPECT_EQ(h.l4_offset, kL4v6 + 8 + 16 + 8 + 8 + 8);
  EXPECT_EQ(h.dst_port, 443);
  EXPECT_FALSE(h.is_fragment());  // an atomic fragment: offset 0, M=0
}

TEST(Ipv6Parser, TreatsAhAndEspAsFinalProtocol) {
  for (uint8_t protocol : {kIpProtoAh, kIpProtoEsp}) {
    auto f = WithExtensionHeaders(Build(MakeHeaders(kV6, protocol), std::string(24, '\0')),
                                  {{kIpProtoHopByHop, 0}});
    PacketHeaders h;
    ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
    EXPECT_EQ(h.protocol, protocol);
    EXPECT_EQ(h.l4_offset, kL4v6 + 8);
    EXPECT_EQ(h.src_port, 0);
  }
}

TEST(Ipv6Parser, AcceptsNoNextHeaderWithEmptyPayload) {
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(MakeHeaders(kV6, kIpProtoNoNextHeader)), &h), ParseStatus::kOk);
  EXPECT_EQ(h.protocol, kIpProtoNoNextHeader);
  EXPECT_EQ(h.ip_total_length, 40u);
}

TEST(Ipv6Parser, RejectsHopByHopAfterAnotherHeader) {
  auto f = WithExtensionHeaders(Build(MakeHeaders(kV6, kIpProtoUdp)),
                                {{kIpProtoDestOptions, 0}, {kIpProtoHopByHop, 0}});
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpv6ExtensionHeader);
}

TEST(Ipv6Parser, RejectsSecondFragmentHeader) {
  auto f = WithExtensionHeaders(Build(MakeHeaders(kV6, kIpProtoUdp)),
                                {{kIpProtoFragment, 0}, {kIpProtoFragment, 0}});
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpv6ExtensionHeader);
}

TEST(Ipv6Parser, BoundsExtensionHeaderChainLength) {
  auto udp = Build(MakeHeaders(kV6, kIpProtoUdp));
  std::vector<std::pair<uint8_t, uint8_t>> chain(kMaxIpv6ExtensionHeaders,
                                                 {kIpProtoDestOptions, 0});
  EXPECT_EQ(ParseModified(WithExtensionHeaders(udp, chain)), ParseStatus::kOk);
  chain.push_back({kIpProtoRouting, 0});
  EXPECT_EQ(ParseModified(WithExtensionHeaders(udp, chain)), ParseStatus::kBadIpv6ExtensionHeader);
}

TEST(Ipv6Parser, RejectsExtensionHeaderPastPayload) {
  auto f = WithExtensionHeaders(Build(MakeHeaders(kV6, kIpProtoUdp), "abcdefgh"),
                                {{kIpProtoRouting, 0}});
  f[kL4v6 + 1] = 3;  // 32 bytes, but only 24 follow the IPv6 header
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpv6ExtensionHeader);
}

TEST(Ipv6Parser, RejectsExtensionHeaderShorterThanEightBytes) {
  auto f = Build(MakeHeaders(kV6, kIpProtoHopByHop), "\x3b\0\0\0"sv);
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpv6ExtensionHeader);
}

PacketHeaders Fragment(uint8_t protocol, uint16_t offset, bool more) {
  PacketHeaders h = MakeHeaders(kV6, protocol);
  h.fragment_id = 0xDEADBEEF;
  h.fragment_offset = offset;
  h.more_fragments = more;
  return h;
}

TEST(Ipv6Parser, RecordsFirstFragmentAndItsPorts) {
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(Fragment(kIpProtoTcp, 0, true), std::string(20, 'a')), &h),
            ParseStatus::kOk);
  EXPECT_TRUE(h.is_first_fragment());
  EXPECT_EQ(h.fragment_id, 0xDEADBEEFu);
  EXPECT_EQ(h.protocol, kIpProtoTcp);
  EXPECT_EQ(h.l4_offset, kL4v6 + 8);
  EXPECT_EQ(h.dst_port, 443);
}

TEST(Ipv6Parser, StopsAtNonFirstFragmentData) {
  // The fragment data would be an invalid destination options header.
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(Fragment(kIpProtoDestOptions, 1232, false), "\xff\xff"sv), &h),
            ParseStatus::kOk);
  EXPECT_TRUE(h.is_fragment());
  EXPECT_FALSE(h.has_l4());
  EXPECT_EQ(h.fragment_offset, 1232);
  EXPECT_EQ(h.protocol, kIpProtoDestOptions);
  EXPECT_EQ(h.l4_offset, kL4v6 + 8);
  EXPECT_EQ(h.payload_offset, kL4v6 + 8);
}

TEST(Ipv6Parser, TreatsAtomicFragmentAsWholePacket) {
  auto f = WithExtensionHeaders(Build(MakeHeaders(kV6, kIpProtoUdp), "x"), {{kIpProtoFragment, 0}});
  f[kL4v6 + 7] = 7;  // identification
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_FALSE(h.is_fragment());
  EXPECT_EQ(h.fragment_id, 7u);
  EXPECT_EQ(h.dst_port, 443);
}

TEST(Ipv6Parser, RejectsFirstFragmentWithTruncatedTcpHeader) {
  auto f = Build(Fragment(kIpProtoTcp, 8, true), "8 bytes!");
  Put16(f, kL4v6 + 2, 1);  // offset 0, M=1
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedL4);
}

TEST(Ipv6Parser, RejectsBadFragments) {
  EXPECT_EQ(ParseModified(Build(Fragment(kIpProtoUdp, 65528, false), "16 bytes of data")),
            ParseStatus::kBadFragment);
  EXPECT_EQ(ParseModified(Build(Fragment(kIpProtoUdp, 8, true), "12 bytes....")),
            ParseStatus::kBadFragment);
}

}  // namespace
}  // namespace minivpc::dp
