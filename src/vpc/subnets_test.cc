#include "vpc/subnets.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

class SubnetsTest : public ::testing::Test {
 protected:
  SubnetsTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    CreateVpcArgs args;
    args.cidr_block = "10.0.0.0/16";
    args.amazon_provided_ipv6 = true;
    vpc_ = CreateVpc(r_, args).value();
    cloud_.journal().TakeDirty();
  }

  StatusOr<std::string> Make(const std::string& cidr, const std::string& az = "") {
    CreateSubnetArgs a;
    a.vpc_id = vpc_;
    a.cidr_block = cidr;
    a.availability_zone = az;
    auto id = CreateSubnet(r_, a);
    if (id.ok()) {
      cloud_.journal().TakeDirty();
    } else {
      cloud_.journal().Rollback();
    }
    return id;
  }

  SystemRandom random_{7};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_;
};

TEST_F(SubnetsTest, RejectsCidrOutsideVpc) {
  EXPECT_EQ(Make("10.1.0.0/24").status().code(), "InvalidSubnet.Range");
  EXPECT_EQ(Make("10.0.0.0/29").status().code(), "InvalidSubnet.Range");
  EXPECT_EQ(r_.subnets.size(), 0u);
}

TEST_F(SubnetsTest, RejectsOverlappingSubnets) {
  ASSERT_TRUE(Make("10.0.1.0/24").ok());
  EXPECT_EQ(Make("10.0.1.0/25").status().code(), "InvalidSubnet.Conflict");
  EXPECT_EQ(Make("10.0.0.0/16").status().code(), "InvalidSubnet.Conflict");
  EXPECT_TRUE(Make("10.0.2.0/24").ok());
}

TEST_F(SubnetsTest, FiveAddressesAreReserved) {
  auto id = Make("10.0.1.0/24");
  ASSERT_TRUE(id.ok());
  const Subnet& s = *r_.subnets.Find(*id);
  EXPECT_EQ(AvailableIpAddressCount(r_, s), 251);
  for (const char* ip : {"10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"}) {
    EXPECT_TRUE(IsReservedAddress(s, IpAddress::Parse(ip).value())) << ip;
    EXPECT_EQ(CheckPrivateIpAvailable(r_, s, IpAddress::Parse(ip).value()).code(),
              "InvalidParameterValue");
  }
  EXPECT_FALSE(IsReservedAddress(s, IpAddress::Parse("10.0.1.4").value()));
  EXPECT_FALSE(IsReservedAddress(s, IpAddress::Parse("10.0.1.254").value()));
}

TEST_F(SubnetsTest, PicksOnlyUsableAddresses) {
  auto id = Make("10.0.1.0/28");
  ASSERT_TRUE(id.ok());
  const Subnet& s = *r_.subnets.Find(*id);
  EXPECT_EQ(AvailableIpAddressCount(r_, s), 11);
  std::vector<IpAddress> taken;
  for (int i = 0; i < 11; ++i) {
    auto ip = PickPrivateIp(r_, s, taken);
    ASSERT_TRUE(ip.ok());
    EXPECT_FALSE(IsReservedAddress(s, *ip));
    EXPECT_TRUE(s.cidr.Contains(*ip));
    taken.push_back(*ip);
  }
  EXPECT_EQ(PickPrivateIp(r_, s, taken).status().code(), "InsufficientFreeAddressesInSubnet");
}

TEST_F(SubnetsTest, OneZonePerSubnetAndUnknownZonesRejected) {
  auto id = Make("10.0.3.0/24", "us-east-1c");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(r_.subnets.Find(*id)->availability_zone, "us-east-1c");
  EXPECT_EQ(Make("10.0.4.0/24", "us-west-2a").status().code(), "InvalidParameterValue");
}

TEST_F(SubnetsTest, Ipv6BlockIsA64FromTheVpc56) {
  const Cidr vpc_block = r_.vpcs.Find(vpc_)->ipv6_cidrs[0].cidr;
  CreateSubnetArgs a;
  a.vpc_id = vpc_;
  a.cidr_block = "10.0.5.0/24";
  a.ipv6_cidr_block = vpc_block.Subnet(64, 3).ToString();
  auto id = CreateSubnet(r_, a);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(r_.subnets.Find(*id)->ipv6->cidr.prefix(), 64);
  a.cidr_block = "10.0.6.0/24";
  EXPECT_EQ(CreateSubnet(r_, a).status().code(), "InvalidSubnet.Conflict");
  cloud_.journal().Rollback();
  a.ipv6_cidr_block = "2001:db8::/64";
  EXPECT_EQ(CreateSubnet(r_, a).status().code(), "InvalidSubnet.Range");
}

TEST_F(SubnetsTest, StartsAssociatedWithDefaultAclAndMainTable) {
  auto id = Make("10.0.7.0/24");
  ASSERT_TRUE(id.ok());
  const Subnet& s = *r_.subnets.Find(*id);
  EXPECT_EQ(s.network_acl_id, r_.vpcs.Find(vpc_)->default_acl_id);
  EXPECT_FALSE(s.network_acl_association_id.empty());
  EXPECT_TRUE(s.route_table_id.empty());  // implicitly the main table
}

}  // namespace
}  // namespace minivpc
