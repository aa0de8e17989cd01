#include "dataplane/packet.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dataplane/packet_test_util.h"

namespace minivpc::dp {
namespace {

using namespace std::literals;
using testing::Build;
using testing::kL3;
using testing::kL4v4;
using testing::MakeHeaders;
using testing::Parse;
using testing::Put16;

constexpr IpFamily kV4 = IpFamily::kV4;

TEST(PacketParser, ParsesIpv4TcpFrame) {
  auto f = Build(MakeHeaders(kV4, kIpProtoTcp), "hello");
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_EQ(h.eth_src, MacAddress(0x020000000001));
  EXPECT_EQ(h.eth_dst, MacAddress(0x020000000002));
  EXPECT_EQ(h.ethertype, kEtherTypeIpv4);
  EXPECT_FALSE(h.vlan_tagged);
  EXPECT_EQ(h.family, kV4);
  EXPECT_EQ(h.src.ToString(), "10.0.1.5");
  EXPECT_EQ(h.dst.ToString(), "10.0.2.7");
  EXPECT_EQ(h.protocol, kIpProtoTcp);
  EXPECT_EQ(h.src_port, 49152);
  EXPECT_EQ(h.dst_port, 443);
  EXPECT_EQ(h.tcp_flags, 0x02);
  EXPECT_EQ(h.ttl, 64);
  EXPECT_EQ(h.ip_total_length, 20u + 20 + 5);
  EXPECT_FALSE(h.is_fragment());
  EXPECT_TRUE(h.has_l4());
  EXPECT_EQ(h.l3_offset, kL3);
  EXPECT_EQ(h.l4_offset, kL4v4);
  EXPECT_EQ(h.payload_offset, kL4v4 + 20);
  EXPECT_EQ(h.l3_end(), f.size());
}

TEST(PacketParser, ParsesIpv4UdpAndIcmpFrames) {
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(MakeHeaders(kV4, kIpProtoUdp), "q"), &h), ParseStatus::kOk);
  EXPECT_EQ(h.protocol, kIpProtoUdp);
  EXPECT_EQ(h.dst_port, 443);
  EXPECT_EQ(h.payload_offset, kL4v4 + 8);

  auto icmp = MakeHeaders(kV4, kIpProtoIcmp);
  icmp.icmp_type = 3;
  icmp.icmp_code = 4;
  ASSERT_EQ(Parse(Build(icmp, "\0\0\x05\xdc"sv), &h), ParseStatus::kOk);
  EXPECT_EQ(h.icmp_type, 3);
  EXPECT_EQ(h.icmp_code, 4);
  EXPECT_EQ(h.src_port, 0);
  EXPECT_EQ(h.payload_offset, kL4v4 + 4);
}

TEST(PacketParser, ParsesVlanTaggedFrame) {
  auto hdr = MakeHeaders(kV4, kIpProtoUdp);
  hdr.vlan_tagged = true;
  hdr.vlan_tci = 0x2064;  // priority 1, VLAN 100
  auto f = Build(hdr, "x");
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_TRUE(h.vlan_tagged);
  EXPECT_EQ(h.vlan_tci, 0x2064);
  EXPECT_EQ(h.ethertype, kEtherTypeIpv4);
  EXPECT_EQ(h.l3_offset, kL3 + 4);
  EXPECT_EQ(h.dst_port, 443);
}

TEST(PacketParser, ParsesIpPacketWithoutEthernetHeader) {
  auto f = Build(MakeHeaders(kV4, kIpProtoTcp), "abc");
  std::vector<uint8_t> ip(f.begin() + kL3, f.end());
  PacketHeaders h;
  ASSERT_EQ(ParseIpPacket(ip, &h), ParseStatus::kOk);
  EXPECT_EQ(h.l3_offset, 0u);
  EXPECT_EQ(h.l4_offset, 20u);
  EXPECT_EQ(h.eth_src, MacAddress());
  EXPECT_EQ(h.ethertype, 0);
  EXPECT_EQ(h.dst_port, 443);
}

TEST(PacketParser, ResetsOutputBeforeParsing) {
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(MakeHeaders(kV4, kIpProtoTcp)), &h), ParseStatus::kOk);
  auto arp = Build(MakeHeaders(kV4, kIpProtoTcp));
  Put16(arp, 12, kEtherTypeArp);
  EXPECT_EQ(Parse(arp, &h), ParseStatus::kNotIp);
  EXPECT_EQ(h.ethertype, kEtherTypeArp);
  EXPECT_EQ(h.src_port, 0);
  EXPECT_EQ(h.protocol, 0);
}

TEST(PacketParser, ReportsNotIpForSecondVlanTag) {
  auto hdr = MakeHeaders(kV4, kIpProtoUdp);
  hdr.vlan_tagged = true;
  auto f = Build(hdr);
  Put16(f, 16, kEtherTypeVlan);
  PacketHeaders h;
  EXPECT_EQ(Parse(f, &h), ParseStatus::kNotIp);
  EXPECT_EQ(h.ethertype, kEtherTypeVlan);
}

TEST(PacketParser, IgnoresEthernetPadding) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "hi");
  const size_t ip_end = f.size();
  f.resize(60, 0xEE);  // minimum Ethernet frame
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_EQ(h.l3_end(), ip_end);
  EXPECT_EQ(h.ip_total_length, 20u + 8 + 2);
}

TEST(PacketParser, AcceptsIpv4Options) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "hi");
  f.insert(f.begin() + kL4v4, {1, 1, 1, 0});  // NOP NOP NOP EOL
  f[kL3] = 0x46;
  Put16(f, kL3 + 2, static_cast<uint16_t>(f.size() - kL3));
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_EQ(h.l4_offset, kL4v4 + 4);
  EXPECT_EQ(h.dst_port, 443);
}

TEST(PacketParser, ParsesTcpOptionsIntoPayloadOffset) {
  auto f = Build(MakeHeaders(kV4, kIpProtoTcp),
                 "\x01\x01\x01\x01"
                 "data");
  f[kL4v4 + 12] = 6 << 4;
  PacketHeaders h;
  ASSERT_EQ(Parse(f, &h), ParseStatus::kOk);
  EXPECT_EQ(h.payload_offset, kL4v4 + 24);
}

TEST(PacketParser, AcceptsUnknownProtocolsWithoutL4Fields) {
  for (int protocol : {47 /* GRE */, 132 /* SCTP */, int{kIpProtoIcmpv6} /* not in IPv4 */}) {
    auto f = Build(MakeHeaders(kV4, static_cast<uint8_t>(protocol)), "\x00\x00\x08\x00payload"sv);
    PacketHeaders h;
    ASSERT_EQ(Parse(f, &h), ParseStatus::kOk) << protocol;
    EXPECT_EQ(h.protocol, protocol);
    EXPECT_EQ(h.src_port, 0);
    EXPECT_EQ(h.icmp_type, 0);
    EXPECT_TRUE(h.has_l4());
    EXPECT_EQ(h.payload_offset, h.l4_offset);
  }
}

// --- every error status ------------------------------------------------------

ParseStatus ParseModified(const std::vector<uint8_t>& f) {
  PacketHeaders h;
  return Parse(f, &h);
}

TEST(PacketParser, RejectsFrameShorterThanEthernetHeader) {
  EXPECT_EQ(ParseModified(std::vector<uint8_t>(13)), ParseStatus::kTruncatedEthernet);
  EXPECT_EQ(ParseModified({}), ParseStatus::kTruncatedEthernet);
}

TEST(PacketParser, RejectsVlanFrameCutInsideTag) {
  std::vector<uint8_t> f(17);
  Put16(f, 12, kEtherTypeVlan);
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedEthernet);
}

TEST(PacketParser, ReportsNotIpForArp) {
  std::vector<uint8_t> f(42);
  Put16(f, 12, kEtherTypeArp);
  PacketHeaders h;
  EXPECT_EQ(Parse(f, &h), ParseStatus::kNotIp);
  EXPECT_EQ(h.ethertype, kEtherTypeArp);
  EXPECT_EQ(h.l3_offset, kL3);  // where the ARP payload starts
}

TEST(PacketParser, RejectsIpHeaderShorterThanMinimum) {
  auto f = Build(MakeHeaders(kV4, kIpProtoTcp));
  EXPECT_EQ(ParseModified({f.begin(), f.begin() + kL3}), ParseStatus::kTruncatedIp);
  EXPECT_EQ(ParseModified({f.begin(), f.begin() + kL3 + 19}), ParseStatus::kTruncatedIp);
}

TEST(PacketParser, RejectsIpv4TotalLengthBeyondFrame) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "abcd");
  Put16(f, kL3 + 2, static_cast<uint16_t>(f.size() - kL3 + 1));
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedIp);
}

TEST(PacketParser, RejectsVersionDisagreeingWithEthertype) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp));
  f[kL3] = 0x65;
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpVersion);
  Put16(f, 12, kEtherTypeIpv6);
  f[kL3] = 0x45;
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpVersion);
}

TEST(PacketParser, RejectsUnknownIpVersion) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp));
  std::vector<uint8_t> ip(f.begin() + kL3, f.end());
  ip[0] = 0x55;
  PacketHeaders h;
  EXPECT_EQ(ParseIpPacket(ip, &h), ParseStatus::kBadIpVersion);
  EXPECT_EQ(ParseIpPacket({}, &h), ParseStatus::kTruncatedIp);
}

TEST(PacketParser, RejectsIpv4HeaderLengthBelowFive) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp));
  f[kL3] = 0x44;
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpHeaderLength);
}

TEST(PacketParser, RejectsIpv4HeaderLongerThanTotalLength) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), std::string(40, 'x'));
  f[kL3] = 0x4F;  // 60 bytes of header
  Put16(f, kL3 + 2, 40);
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpHeaderLength);
}

TEST(PacketParser, RejectsIpv4TotalLengthBelowTwenty) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp));
  Put16(f, kL3 + 2, 19);
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadIpTotalLength);
}

TEST(PacketParser, RejectsTcpHeaderShorterThanTwentyBytes) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "0123456789a");  // 19 bytes after IP
  f[kL3 + 9] = kIpProtoTcp;
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedL4);
}

TEST(PacketParser, RejectsTcpDataOffsetBelowFive) {
  auto f = Build(MakeHeaders(kV4, kIpProtoTcp), "payload");
  f[kL4v4 + 12] = 4 << 4;
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadTcpHeaderLength);
}

TEST(PacketParser, RejectsTcpDataOffsetPastSegment) {
  auto f = Build(MakeHeaders(kV4, kIpProtoTcp), "abc");
  f[kL4v4 + 12] = 6 << 4;  // 24 > 23 bytes of segment
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadTcpHeaderLength);
}

TEST(PacketParser, RejectsUdpShorterThanHeader) {
  auto f = Build(MakeHeaders(kV4, 200), "1234567");
  f[kL3 + 9] = kIpProtoUdp;
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedL4);
}

TEST(PacketParser, RejectsUdpLengthBelowEight) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "abc");
  Put16(f, kL4v4 + 4, 7);
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadUdpLength);
}

TEST(PacketParser, RejectsUdpLengthPastIpPacket) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "abc");
  Put16(f, kL4v4 + 4, 12);
  EXPECT_EQ(ParseModified(f), ParseStatus::kBadUdpLength);
}

TEST(PacketParser, AcceptsUdpLengthShorterThanIpPayload) {
  auto f = Build(MakeHeaders(kV4, kIpProtoUdp), "abcdef");
  Put16(f, kL4v4 + 4, 10);  // surplus bytes after the datagram (UDP options)
  EXPECT_EQ(ParseModified(f), ParseStatus::kOk);
}

TEST(PacketParser, RejectsIcmpShorterThanFourBytes) {
  auto f = Build(MakeHeaders(kV4, 200), "abc");
  f[kL3 + 9] = kIpProtoIcmp;
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedL4);
}

// --- IPv4 fragments ------------------------------------------------------------

PacketHeaders Fragment(uint8_t protocol, uint16_t offset, bool more) {
  PacketHeaders h = MakeHeaders(kV4, protocol);
  h.fragment_id = 0xBEEF;
  h.fragment_offset = offset;
  h.more_fragments = more;
  return h;
}

TEST(PacketParser, ParsesIpv4FirstFragmentPorts) {
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(Fragment(kIpProtoTcp, 0, true), std::string(20, 'a')), &h),
            ParseStatus::kOk);
  EXPECT_TRUE(h.is_fragment());
  EXPECT_TRUE(h.is_first_fragment());
  EXPECT_TRUE(h.has_l4());
  EXPECT_EQ(h.fragment_id, 0xBEEFu);
  EXPECT_EQ(h.dst_port, 443);
}

TEST(PacketParser, ParsesIpv4NonFirstFragmentWithoutL4) {
  PacketHeaders h;
  ASSERT_EQ(Parse(Build(Fragment(kIpProtoTcp, 1480, false), "tail of the segment"), &h),
            ParseStatus::kOk);
  EXPECT_TRUE(h.is_fragment());
  EXPECT_FALSE(h.is_first_fragment());
  EXPECT_FALSE(h.has_l4());
  EXPECT_EQ(h.fragment_offset, 1480);
  EXPECT_EQ(h.protocol, kIpProtoTcp);
  EXPECT_EQ(h.src_port, 0);
  EXPECT_EQ(h.dst_port, 0);
  EXPECT_EQ(h.l4_offset, kL4v4);
  EXPECT_EQ(h.payload_offset, kL4v4);
}

TEST(PacketParser, RejectsFirstFragmentWithTruncatedTcpHeader) {
  auto f = Build(Fragment(kIpProtoTcp, 8, true), "8 bytes!");
  Put16(f, kL3 + 6, 0x2000);  // offset 0, MF: a first fragment of 8 bytes
  EXPECT_EQ(ParseModified(f), ParseStatus::kTruncatedL4);
}

TEST(PacketParser, RejectsFragmentPastMaximumDatagram) {
  EXPECT_EQ(ParseModified(Build(Fragment(kIpProtoUdp, 65528, false), "16 bytes of data")),
            ParseStatus::kBadFragment);
  EXPECT_EQ(ParseModified(Build(Fragment(kIpProtoUdp, 65528, false), "7 bytes")), ParseStatus::kOk);
}

TEST(PacketParser, RejectsNonLastFragmentNotMultipleOfEight) {
  EXPECT_EQ(ParseModified(Build(Fragment(kIpProtoUdp, 1480, true), "9 bytes!!")),
            ParseStatus::kBadFragment);
}

// --- truncation ----------------------------------------------------------------

bool IsTruncation(ParseStatus s) {
  return s == ParseStatus::kTruncatedEthernet || s == ParseStatus::kTruncatedIp ||
         s == ParseStatus::kTruncatedL4;
}

TEST(PacketParser, TruncationAtEveryLengthGivesTruncationStatus) {
  for (IpFamily family : {IpFamily::kV4, IpFamily::kV6}) {
    for (bool vlan : {false, true}) {
      auto hdr = MakeHeaders(family, kIpProtoTcp);
      hdr.vlan_tagged = vlan;
      const auto f = Build(hdr, "some payload");
      for (size_t n = 0; n < f.size(); ++n) {
        // A fresh heap copy of exactly n bytes, so ASan sees any overread.
        std::vector<uint8_t> cut(f.begin(), f.begin() + n);
        PacketHeaders h;
        ParseStatus s = Parse(cut, &h);
        EXPECT_TRUE(IsTruncation(s)) << n << " bytes: " << ParseStatusName(s);
      }
    }
  }
}

// --- names and counters ----------------------------------------------------------

TEST(ParseStatusName, NamesEveryStatusDistinctly) {
  std::set<std::string> names;
  for (size_t i = 0; i < kParseStatusCount; ++i) {
    names.insert(ParseStatusName(static_cast<ParseStatus>(i)));
  }
  EXPECT_EQ(names.size(), kParseStatusCount);
  EXPECT_STREQ(ParseStatusName(ParseStatus::kTruncatedL4), "TruncatedL4");
  EXPECT_STREQ(ParseStatusName(static_cast<ParseStatus>(200)), "Unknown");
}

TEST(ParseCounters, CountsEachStatusSeparately) {
  ParseCounters c;
  c.Count(ParseStatus::kOk);
  c.Count(ParseStatus::kOk);
  c.Count(ParseStatus::kBadUdpLength);
  EXPECT_EQ(c.Get(ParseStatus::kOk), 2u);
  EXPECT_EQ(c.Get(ParseStatus::kBadUdpLength), 1u);
  EXPECT_EQ(c.Get(ParseStatus::kNotIp), 0u);
}

}  // namespace
}  // namespace minivpc::dp
