#include "live/ndp.h"

#include <gtest/gtest.h>

#include <vector>

#include "dataplane/packet_builder.h"

namespace minivpc::live {
namespace {

const IpAddress kSender = IpAddress::V6(uint128{0x26001f0000000100} << 64 | 0x5);
const IpAddress kTarget = IpAddress::V6(uint128{0x26001f0000000100} << 64 | 0x7);
const MacAddress kSenderMac(0x0A0000000005);

// An NS for `target` as Linux sends it: to the solicited-node multicast
// group, with the source link-layer address option.
std::vector<uint8_t> Solicitation(IpAddress src, IpAddress target, uint8_t hop_limit = 255) {
  dp::PacketHeaders h;
  h.eth_src = kSenderMac;
  h.eth_dst = MacAddress(0x3333FF000007);
  h.family = IpFamily::kV6;
  h.src = src;
  h.dst = IpAddress::V6(uint128{0xFF02000000000000} << 64 | 0x1FF000007);
  h.protocol = dp::kIpProtoIcmpv6;
  h.ttl = hop_limit;
  h.icmp_type = 135;
  std::vector<uint8_t> body(28, 0);
  for (int i = 0; i < 16; ++i) body[4 + i] = static_cast<uint8_t>(target.value() >> (120 - 8 * i));
  body[20] = 1;  // source link-layer address
  body[21] = 1;
  std::vector<uint8_t> f(200);
  f.resize(dp::BuildFrame(h, body, f));
  return f;
}

dp::PacketHeaders Parse(const std::vector<uint8_t>& f) {
  dp::PacketHeaders h;
  EXPECT_EQ(dp::ParseEthernetFrame(f, &h), dp::ParseStatus::kOk);
  return h;
}

TEST(Ndp, LinkLocalAddressIsModifiedEui64OfTheMac) {
  // 02:6d:76:70:63:01 -> fe80::6d:76ff:fe70:6301 (universal/local bit flipped)
  EXPECT_EQ(LinkLocalOf(MacAddress(0x026d76706301)).ToString(), "fe80::6d:76ff:fe70:6301");
  EXPECT_EQ(LinkLocalOf(MacAddress(0x001122334455)).ToString(), "fe80::211:22ff:fe33:4455");
}

TEST(Ndp, ParsesASolicitation) {
  std::vector<uint8_t> f = Solicitation(kSender, kTarget);
  dp::PacketHeaders h = Parse(f);
  EXPECT_TRUE(IsNeighborDiscovery(h));
  auto ns = ParseNeighborSolicitation(f, h);
  ASSERT_TRUE(ns);
  EXPECT_EQ(ns->target, kTarget);
  EXPECT_EQ(ns->sender_ip, kSender);
  EXPECT_EQ(ns->sender_mac, kSenderMac);
}

TEST(Ndp, IgnoresDuplicateAddressDetectionAndForwardedSolicitations) {
  std::vector<uint8_t> dad = Solicitation(IpAddress::V6(0), kTarget);
  EXPECT_FALSE(ParseNeighborSolicitation(dad, Parse(dad)));
  std::vector<uint8_t> routed = Solicitation(kSender, kTarget, 64);  // hop limit not 255
  EXPECT_FALSE(ParseNeighborSolicitation(routed, Parse(routed)));
}

TEST(Ndp, EchoIsNotNeighborDiscovery) {
  dp::PacketHeaders h;
  h.family = IpFamily::kV6;
  h.protocol = dp::kIpProtoIcmpv6;
  h.icmp_type = 128;
  EXPECT_FALSE(IsNeighborDiscovery(h));
  h.icmp_type = 143;  // MLDv2 report: absorbed
  EXPECT_TRUE(IsNeighborDiscovery(h));
}

TEST(Ndp, AdvertisementAnswersTheSenderWithTheTargetsMac) {
  std::vector<uint8_t> f = Solicitation(kSender, kTarget);
  auto ns = ParseNeighborSolicitation(f, Parse(f));
  ASSERT_TRUE(ns);
  const MacAddress answer(0x026d76706301);
  std::vector<uint8_t> na = BuildNeighborAdvertisement(*ns, answer, /*router=*/true);
  dp::PacketHeaders h = Parse(na);
  EXPECT_EQ(h.eth_dst, kSenderMac);
  EXPECT_EQ(h.eth_src, answer);
  EXPECT_EQ(h.src, kTarget);
  EXPECT_EQ(h.dst, kSender);
  EXPECT_EQ(h.ttl, 255);
  EXPECT_EQ(h.icmp_type, 136);
  EXPECT_TRUE(dp::VerifyChecksums(na, h));
  const uint8_t* body = &na[h.payload_offset];
  EXPECT_EQ(body[0], 0x80 | 0x40 | 0x20);  // router, solicited, override
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(body[4 + i], static_cast<uint8_t>(kTarget.value() >> (120 - 8 * i)));
  }
  EXPECT_EQ(body[20], 2);  // target link-layer address option
  EXPECT_EQ(body[21], 1);
  EXPECT_EQ(body[22], 0x02);
  EXPECT_EQ(body[27], 0x01);
  std::vector<uint8_t> host = BuildNeighborAdvertisement(*ns, answer, /*router=*/false);
  EXPECT_EQ(host[Parse(host).payload_offset], 0x40 | 0x20);
}

}  // namespace
}  // namespace minivpc::live
