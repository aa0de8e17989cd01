#include "vpc/internet_gateways.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

class InternetGatewaysTest : public ::testing::Test {
 protected:
  InternetGatewaysTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {}

  std::string MakeVpc(const std::string& cidr) {
    CreateVpcArgs args;
    args.cidr_block = cidr;
    auto id = CreateVpc(r_, args);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    cloud_.journal().TakeDirty();
    return id.ok() ? *id : "";
  }

  std::string MakeIgw() {
    auto id = CreateInternetGateway(r_, {});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    cloud_.journal().TakeDirty();
    return id.ok() ? *id : "";
  }

  void Ok(const Status& st) {
    ASSERT_TRUE(st.ok()) << st.ToString();
    cloud_.journal().TakeDirty();
  }

  // Asserts `st` failed with `code`, then rolls back as the service does.
  void Fails(const Status& st, const std::string& code) {
    EXPECT_EQ(st.code(), code) << st.ToString();
    cloud_.journal().Rollback();
  }

  SystemRandom random_{1};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
};

TEST_F(InternetGatewaysTest, IsCreatedDetached) {
  std::string igw = MakeIgw();
  EXPECT_EQ(igw.rfind("igw-", 0), 0u);
  EXPECT_TRUE(r_.internet_gateways.Find(igw)->vpc_id.empty());
}

TEST_F(InternetGatewaysTest, AttachesToOneVpcOnly) {
  std::string vpc = MakeVpc("10.0.0.0/16");
  std::string other_vpc = MakeVpc("10.1.0.0/16");
  std::string igw = MakeIgw();
  std::string second = MakeIgw();
  Ok(AttachInternetGateway(r_, igw, vpc));
  EXPECT_EQ(AttachedInternetGateway(r_, vpc)->id, igw);
  // Attached elsewhere, and a VPC that already has a gateway.
  Fails(AttachInternetGateway(r_, igw, other_vpc), "Resource.AlreadyAssociated");
  Fails(AttachInternetGateway(r_, igw, vpc), "Resource.AlreadyAssociated");
  Fails(AttachInternetGateway(r_, second, vpc), "Resource.AlreadyAssociated");
  EXPECT_TRUE(r_.internet_gateways.Find(second)->vpc_id.empty());
  EXPECT_EQ(r_.internet_gateways.Find(igw)->vpc_id, vpc);
}

TEST_F(InternetGatewaysTest, AttachChecksBothIds) {
  std::string vpc = MakeVpc("10.0.0.0/16");
  std::string igw = MakeIgw();
  Fails(AttachInternetGateway(r_, "igw-0123456789abcdef0", vpc),
        "InvalidInternetGatewayID.NotFound");
  Fails(AttachInternetGateway(r_, "igw-nope", vpc), "InvalidInternetGatewayID.Malformed");
  Fails(AttachInternetGateway(r_, igw, "vpc-0123456789abcdef0"), "InvalidVpcID.NotFound");
}

TEST_F(InternetGatewaysTest, DetachRequiresAttachmentToThatVpc) {
  std::string vpc = MakeVpc("10.0.0.0/16");
  std::string other_vpc = MakeVpc("10.1.0.0/16");
  std::string igw = MakeIgw();
  Fails(DetachInternetGateway(r_, igw, vpc), "Gateway.NotAttached");
  Ok(AttachInternetGateway(r_, igw, vpc));
  Fails(DetachInternetGateway(r_, igw, other_vpc), "Gateway.NotAttached");
  Ok(DetachInternetGateway(r_, igw, vpc));
  EXPECT_EQ(AttachedInternetGateway(r_, vpc), nullptr);
}

TEST_F(InternetGatewaysTest, DetachRefusedWhilePublicAddressesAreMapped) {
  std::string vpc = MakeVpc("10.0.0.0/16");
  CreateSubnetArgs sargs;
  sargs.vpc_id = vpc;
  sargs.cidr_block = "10.0.1.0/24";
  auto subnet = CreateSubnet(r_, sargs);
  ASSERT_TRUE(subnet.ok());
  std::string igw = MakeIgw();
  Ok(AttachInternetGateway(r_, igw, vpc));

  NetworkInterface eni;
  eni.id = r_.NewId("eni");
  eni.subnet_id = *subnet;
  eni.vpc_id = vpc;
  eni.owner_id = r_.account_id;
  eni.mac = cloud_.AllocateMac();
  PrivateIp ip{IpAddress::ParseV4("10.0.1.10").value(), true, std::nullopt};
  ip.association = PublicIpAssociation{IpAddress::ParseV4("198.18.0.9").value(), "", ""};
  eni.private_ips.push_back(ip);
  r_.enis.Put(eni);
  cloud_.journal().TakeDirty();
  EXPECT_TRUE(VpcHasMappedPublicAddresses(r_, vpc));

  Status st = DetachInternetGateway(r_, igw, vpc);
  EXPECT_NE(st.message().find("has some mapped public address(es)"), std::string::npos);
  Fails(st, "DependencyViolation");
  EXPECT_EQ(r_.internet_gateways.Find(igw)->vpc_id, vpc);

  r_.enis.Update(eni.id, [](NetworkInterface& e) { e.private_ips[0].association.reset(); });
  EXPECT_FALSE(VpcHasMappedPublicAddresses(r_, vpc));
  Ok(DetachInternetGateway(r_, igw, vpc));
}

TEST_F(InternetGatewaysTest, DeleteRefusedWhileAttached) {
  std::string vpc = MakeVpc("10.0.0.0/16");
  std::string igw = MakeIgw();
  Ok(AttachInternetGateway(r_, igw, vpc));
  Fails(DeleteInternetGateway(r_, igw), "DependencyViolation");
  EXPECT_TRUE(r_.internet_gateways.Contains(igw));
  Ok(DetachInternetGateway(r_, igw, vpc));
  Ok(DeleteInternetGateway(r_, igw));
  EXPECT_FALSE(r_.internet_gateways.Contains(igw));
  Fails(DeleteInternetGateway(r_, igw), "InvalidInternetGatewayID.NotFound");
}

TEST_F(InternetGatewaysTest, EnforcesRegionQuota) {
  for (size_t i = 0; i < kMaxInternetGatewaysPerRegion; ++i) MakeIgw();
  auto extra = CreateInternetGateway(r_, {});
  ASSERT_FALSE(extra.ok());
  Fails(extra.status(), "InternetGatewayLimitExceeded");
  EXPECT_EQ(r_.internet_gateways.size(), kMaxInternetGatewaysPerRegion);
}

}  // namespace
}  // namespace minivpc
