#include "net/ip.h"

#include <gtest/gtest.h>

namespace minivpc {
namespace {

TEST(IpAddress, ParsesAndPrintsV4) {
  auto a = IpAddress::Parse("10.0.1.5");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->v4(), 0x0A000105u);
  EXPECT_EQ(a->ToString(), "10.0.1.5");
}

TEST(IpAddress, RejectsMalformedV4) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.x", "01.2.3.4", "1..2.3"}) {
    auto a = IpAddress::Parse(bad);
    EXPECT_FALSE(a.ok()) << bad;
    if (!a.ok()) {
      EXPECT_EQ(a.status().code(), "InvalidParameterValue");
    }
  }
}

TEST(IpAddress, ParsesAndCanonicalisesV6) {
  auto a = IpAddress::Parse("2600:1F18:0000:0000::0001");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_v6());
  EXPECT_EQ(a->ToString(), "2600:1f18::1");
}

TEST(Cidr, ContainsAndOverlaps) {
  auto vpc = Cidr::Parse("10.0.0.0/16");
  auto sub = Cidr::Parse("10.0.1.0/24");
  auto other = Cidr::Parse("10.1.0.0/24");
  ASSERT_TRUE(vpc.ok() && sub.ok() && other.ok());
  EXPECT_TRUE(vpc->Contains(*sub));
  EXPECT_FALSE(sub->Contains(*vpc));
  EXPECT_TRUE(vpc->Overlaps(*sub));
  EXPECT_FALSE(vpc->Overlaps(*other));
  EXPECT_EQ(sub->Size(), 256u);
  EXPECT_EQ(sub->Last().ToString(), "10.0.1.255");
}

TEST(Cidr, RejectsHostBitsAndBadPrefix) {
  EXPECT_FALSE(Cidr::Parse("10.0.0.1/16").ok());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0").ok());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/").ok());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/1x").ok());
}

TEST(Cidr, SubnetsOfIpv6Block) {
  auto block = Cidr::Parse("2600:1f18:1234:ab00::/56");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->Subnet(64, 1).ToString(), "2600:1f18:1234:ab01::/64");
  EXPECT_TRUE(block->Contains(block->Subnet(64, 255)));
}

TEST(MacAddress, RoundTrips) {
  auto m = MacAddress::Parse("02:AB:cd:00:01:ff");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->ToString(), "02:ab:cd:00:01:ff");
  EXPECT_FALSE(MacAddress::Parse("02:ab:cd:00:01").ok());
}

}  // namespace
}  // namespace minivpc
