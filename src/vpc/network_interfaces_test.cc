#include "vpc/network_interfaces.h"

#include <gtest/gtest.h>

#include <set>

#include "vpc/cloud.h"
#include "vpc/instances.h"
#include "vpc/security_groups.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

IpAddress Ip(const char* text) { return IpAddress::Parse(text).value(); }

class EniTest : public ::testing::Test {
 protected:
  EniTest() : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    CreateVpcArgs v;
    v.cidr_block = "10.0.0.0/16";
    v.amazon_provided_ipv6 = true;
    vpc_ = CreateVpc(r_, v).value();
    subnet_ = MakeSubnet("10.0.1.0/24", "us-east-1a", true);
    small_ = MakeSubnet("10.0.2.0/28", "us-east-1a", false);
    other_az_ = MakeSubnet("10.0.3.0/24", "us-east-1b", false);
    cloud_.journal().TakeDirty();
  }

  std::string MakeSubnet(const std::string& cidr, const std::string& az, bool ipv6) {
    CreateSubnetArgs a;
    a.vpc_id = vpc_;
    a.cidr_block = cidr;
    a.availability_zone = az;
    if (ipv6) a.ipv6_cidr_block = r_.vpcs.Find(vpc_)->ipv6_cidrs[0].cidr.Subnet(64, 1).ToString();
    return CreateSubnet(r_, a).value();
  }

  // Runs `op`; on error rolls back as the service does, else commits.
  template <typename T>
  T Commit(T result) {
    if (result.ok()) {
      cloud_.journal().TakeDirty();
    } else {
      cloud_.journal().Rollback();
    }
    return result;
  }

  StatusOr<std::string> Create(CreateNetworkInterfaceArgs a) {
    if (a.subnet_id.empty()) a.subnet_id = subnet_;
    return Commit(CreateNetworkInterface(r_, a));
  }
  std::string CreateOk(CreateNetworkInterfaceArgs a = {}) { return Create(std::move(a)).value(); }

  std::string Launch(const std::string& type = "t2.micro", const std::string& subnet = "") {
    RunInstancesArgs a;
    a.image_id = "ami-12345678";
    a.instance_type = type;
    a.subnet_id = subnet.empty() ? subnet_ : subnet;
    return Commit(RunInstances(r_, a)).value().instance_ids.front();
  }

  const NetworkInterface& Eni(const std::string& id) { return *r_.enis.Find(id); }

  SystemRandom random_{11};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_, subnet_, small_, other_az_;
};

TEST_F(EniTest, PrimaryIpIsRandomInsideSubnetAndNeverReserved) {
  std::set<IpAddress> seen;
  const Subnet& s = *r_.subnets.Find(small_);
  for (int i = 0; i < 11; ++i) {  // a /28 has 16 - 5 usable addresses
    CreateNetworkInterfaceArgs a;
    a.subnet_id = small_;
    IpAddress ip = Eni(CreateOk(a)).primary_ip().address;
    EXPECT_TRUE(s.cidr.Contains(ip));
    EXPECT_FALSE(IsReservedAddress(s, ip));
    EXPECT_TRUE(seen.insert(ip).second);
  }
  CreateNetworkInterfaceArgs a;
  a.subnet_id = small_;
  EXPECT_EQ(Create(a).status().code(), "InsufficientFreeAddressesInSubnet");
  EXPECT_EQ(r_.enis.size(), 11u);
}

TEST_F(EniTest, RejectsReservedOrOutsidePrimaryAddress) {
  for (const char* bad :
       {"10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255", "10.0.2.5", "192.168.0.9"}) {
    CreateNetworkInterfaceArgs a;
    a.primary_ip = Ip(bad);
    EXPECT_EQ(Create(a).status().code(), "InvalidParameterValue") << bad;
  }
  EXPECT_EQ(r_.enis.size(), 0u);
  CreateNetworkInterfaceArgs ok;
  ok.primary_ip = Ip("10.0.1.4");
  EXPECT_EQ(Eni(CreateOk(ok)).primary_ip().address, Ip("10.0.1.4"));
}

TEST_F(EniTest, PrivateAddressesAreUniqueInTheVpc) {
  CreateNetworkInterfaceArgs a;
  a.primary_ip = Ip("10.0.1.10");
  CreateOk(a);
  EXPECT_EQ(Create(a).status().code(), "InvalidIPAddress.InUse");
  CreateNetworkInterfaceArgs b;
  b.secondary_ips = {Ip("10.0.1.10")};
  EXPECT_EQ(Create(b).status().code(), "InvalidIPAddress.InUse");
  EXPECT_EQ(r_.enis.size(), 1u);
}

TEST_F(EniTest, NewInterfaceDefaults) {
  std::string a = CreateOk();
  std::string b = CreateOk();
  const NetworkInterface& e = Eni(a);
  EXPECT_EQ(e.group_ids, std::vector<std::string>{r_.vpcs.Find(vpc_)->default_security_group_id});
  EXPECT_TRUE(e.source_dest_check);
  EXPECT_EQ(e.interface_type, "interface");
  EXPECT_FALSE(e.in_use());
  EXPECT_EQ(e.vpc_id, vpc_);
  EXPECT_EQ(e.availability_zone, "us-east-1a");
  EXPECT_TRUE(e.primary_ip().primary);
  EXPECT_NE(e.mac, Eni(b).mac);
  EXPECT_EQ(e.mac.value() >> 40, 0x02u);
}

TEST_F(EniTest, SecurityGroupRules) {
  CreateNetworkInterfaceArgs six;
  for (int i = 0; i < 6; ++i) {
    six.group_ids.push_back(
        CreateSecurityGroup(r_, {"g" + std::to_string(i), "d", vpc_, {}}).value());
  }
  cloud_.journal().TakeDirty();
  EXPECT_EQ(Create(six).status().code(), "SecurityGroupsPerInterfaceLimitExceeded");
  CreateNetworkInterfaceArgs five = six;
  five.group_ids.pop_back();
  EXPECT_EQ(Eni(CreateOk(five)).group_ids, five.group_ids);

  std::string other_vpc = Commit(CreateVpc(r_, {"10.9.0.0/16"})).value();
  std::string foreign = Commit(CreateSecurityGroup(r_, {"x", "d", other_vpc, {}})).value();
  CreateNetworkInterfaceArgs wrong;
  wrong.group_ids = {foreign};
  EXPECT_FALSE(Create(wrong).ok());
  wrong.group_ids = {"sg-12345678"};
  EXPECT_EQ(Create(wrong).status().code(), "InvalidGroup.NotFound");
}

TEST_F(EniTest, SecondaryAddressesByCountAndByAddress) {
  std::string id = CreateOk();
  auto added = Commit(AssignPrivateIpAddresses(r_, id, {}, 2, false));
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->size(), 2u);
  ASSERT_TRUE(
      Commit(AssignPrivateIpAddresses(r_, id, {Ip("10.0.1.50")}, std::nullopt, false)).ok());
  EXPECT_EQ(Eni(id).private_ips.size(), 4u);
  EXPECT_FALSE(Eni(id).private_ips[3].primary);
  EXPECT_EQ(Commit(AssignPrivateIpAddresses(r_, id, {}, std::nullopt, false)).status().code(),
            "MissingParameter");
  EXPECT_EQ(Commit(AssignPrivateIpAddresses(r_, id, {Ip("10.0.1.51")}, 1, false)).status().code(),
            "InvalidParameterCombination");
  EXPECT_EQ(Commit(AssignPrivateIpAddresses(r_, id, {Ip("10.0.3.9")}, std::nullopt, false))
                .status()
                .code(),
            "InvalidParameterValue");
}

TEST_F(EniTest, ReassignmentMovesASecondaryOnlyWhenAllowed) {
  std::string a = CreateOk();
  std::string b = CreateOk();
  ASSERT_TRUE(Commit(AssignPrivateIpAddresses(r_, a, {Ip("10.0.1.60")}, std::nullopt, false)).ok());
  EXPECT_EQ(Commit(AssignPrivateIpAddresses(r_, b, {Ip("10.0.1.60")}, std::nullopt, false))
                .status()
                .code(),
            "InvalidIPAddress.InUse");
  EXPECT_EQ(Eni(a).private_ips.size(), 2u);
  ASSERT_TRUE(Commit(AssignPrivateIpAddresses(r_, b, {Ip("10.0.1.60")}, std::nullopt, true)).ok());
  EXPECT_EQ(Eni(a).private_ips.size(), 1u);
  EXPECT_EQ(Eni(b).private_ips.back().address, Ip("10.0.1.60"));
  EXPECT_EQ(r_.address_owner.at({vpc_, Ip("10.0.1.60")}), b);
  // A primary address never moves.
  IpAddress primary = Eni(a).primary_ip().address;
  EXPECT_EQ(Commit(AssignPrivateIpAddresses(r_, b, {primary}, std::nullopt, true)).status().code(),
            "InvalidIPAddress.InUse");
}

TEST_F(EniTest, PrimaryAddressCannotBeUnassignedAndNeverChanges) {
  std::string id = CreateOk();
  IpAddress primary = Eni(id).primary_ip().address;
  ASSERT_TRUE(Commit(AssignPrivateIpAddresses(r_, id, {}, 1, false)).ok());
  IpAddress secondary = Eni(id).private_ips[1].address;
  EXPECT_EQ(Commit(UnassignPrivateIpAddresses(r_, id, {primary})).code(), "InvalidParameterValue");
  EXPECT_EQ(Commit(UnassignPrivateIpAddresses(r_, id, {Ip("10.0.1.99")})).code(),
            "InvalidParameterValue");
  EXPECT_EQ(Eni(id).private_ips.size(), 2u);
  ASSERT_TRUE(Commit(UnassignPrivateIpAddresses(r_, id, {secondary})).ok());
  EXPECT_EQ(Eni(id).private_ips.size(), 1u);
  EXPECT_EQ(Eni(id).primary_ip().address, primary);
  EXPECT_FALSE(r_.address_owner.count({vpc_, secondary}));
}

TEST_F(EniTest, Ipv6AddressesComeOnlyFromTheSubnetBlock) {
  const Cidr block = r_.subnets.Find(subnet_)->ipv6->cidr;
  CreateNetworkInterfaceArgs a;
  a.ipv6_count = 2;
  std::string id = CreateOk(a);
  ASSERT_EQ(Eni(id).ipv6_addresses.size(), 2u);
  for (IpAddress ip : Eni(id).ipv6_addresses) EXPECT_TRUE(block.Contains(ip));

  CreateNetworkInterfaceArgs no_v6;
  no_v6.subnet_id = small_;
  no_v6.ipv6_count = 1;
  EXPECT_EQ(Create(no_v6).status().code(), "InvalidParameterValue");
  std::string plain = CreateOk(CreateNetworkInterfaceArgs{.subnet_id = small_});
  EXPECT_EQ(Commit(AssignIpv6Addresses(r_, plain, {}, 1)).status().code(), "InvalidParameterValue");

  EXPECT_EQ(Commit(AssignIpv6Addresses(r_, id, {Ip("2001:db8::1")}, std::nullopt)).status().code(),
            "InvalidParameterValue");
  IpAddress wanted = block.base().Plus(0x1234);
  ASSERT_TRUE(Commit(AssignIpv6Addresses(r_, id, {wanted}, std::nullopt)).ok());
  std::string other = CreateOk();
  EXPECT_EQ(Commit(AssignIpv6Addresses(r_, other, {wanted}, std::nullopt)).status().code(),
            "InvalidIPAddress.InUse");
  EXPECT_EQ(Commit(UnassignIpv6Addresses(r_, other, {wanted})).status().code(),
            "InvalidParameterValue");
  ASSERT_TRUE(Commit(UnassignIpv6Addresses(r_, id, {wanted})).ok());
  EXPECT_EQ(Eni(id).ipv6_addresses.size(), 2u);
}

TEST_F(EniTest, AttachRules) {
  std::string inst = Launch("t2.micro");  // two ENIs at most
  std::string eni = CreateOk();
  EXPECT_EQ(Commit(AttachNetworkInterface(r_, eni, inst, 0)).status().code(),
            "InvalidParameterValue");  // index 0 holds the primary
  std::string far = CreateOk(CreateNetworkInterfaceArgs{.subnet_id = other_az_});
  EXPECT_EQ(Commit(AttachNetworkInterface(r_, far, inst, 1)).status().code(),
            "InvalidParameterCombination");
  auto attach_id = Commit(AttachNetworkInterface(r_, eni, inst, 1));
  ASSERT_TRUE(attach_id.ok());
  EXPECT_TRUE(attach_id->starts_with("eni-attach-"));
  EXPECT_FALSE(Eni(eni).attachment->delete_on_termination);
  std::string third = CreateOk();
  EXPECT_EQ(Commit(AttachNetworkInterface(r_, third, inst, 2)).status().code(),
            "AttachmentLimitExceeded");
  std::string inst2 = Launch("m5.large");
  EXPECT_EQ(Commit(AttachNetworkInterface(r_, eni, inst2, 1)).status().code(),
            "InvalidNetworkInterface.InUse");
  EXPECT_EQ(Eni(eni).attachment->instance_id, inst);
}

TEST_F(EniTest, AttachRequiresRunningOrStoppedInstance) {
  std::string inst = Launch();
  std::string eni = CreateOk();
  ASSERT_TRUE(Commit(StopInstances(r_, {inst})).ok());
  ASSERT_TRUE(Commit(AttachNetworkInterface(r_, eni, inst, 1)).ok());
  std::string other = Launch();
  ASSERT_TRUE(Commit(TerminateInstances(r_, {other})).ok());
  std::string free = CreateOk();
  EXPECT_EQ(Commit(AttachNetworkInterface(r_, free, other, 1)).status().code(),
            "IncorrectInstanceState");
}

TEST_F(EniTest, AttachedInterfaceObeysInstanceTypeAddressLimit) {
  std::string inst = Launch("t2.micro");  // two IPv4 per interface
  CreateNetworkInterfaceArgs big;
  big.secondary_count = 2;
  std::string eni = CreateOk(big);
  EXPECT_EQ(Commit(AttachNetworkInterface(r_, eni, inst, 1)).status().code(),
            "PrivateIpAddressLimitExceeded");
  std::string primary = PrimaryInterface(r_, *r_.instances.Find(inst))->id;
  ASSERT_TRUE(Commit(AssignPrivateIpAddresses(r_, primary, {}, 1, false)).ok());
  EXPECT_EQ(Commit(AssignPrivateIpAddresses(r_, primary, {}, 1, false)).status().code(),
            "PrivateIpAddressLimitExceeded");
  EXPECT_EQ(Eni(primary).private_ips.size(), 2u);
  // Unattached, the same ENI may hold more.
  EXPECT_TRUE(Commit(AssignPrivateIpAddresses(r_, eni, {}, 3, false)).ok());
}

TEST_F(EniTest, DetachRules) {
  std::string inst = Launch();
  const NetworkInterface* primary = PrimaryInterface(r_, *r_.instances.Find(inst));
  std::string primary_attach = primary->attachment->id;
  EXPECT_EQ(Commit(DetachNetworkInterface(r_, primary_attach, false)).code(),
            "OperationNotPermitted");
  EXPECT_EQ(Commit(DetachNetworkInterface(r_, primary_attach, true)).code(),
            "OperationNotPermitted");
  EXPECT_EQ(Commit(DetachNetworkInterface(r_, "eni-attach-12345678", false)).code(),
            "InvalidAttachmentID.NotFound");
  std::string eni = CreateOk();
  std::string attach = Commit(AttachNetworkInterface(r_, eni, inst, 1)).value();
  EXPECT_EQ(Commit(DeleteNetworkInterface(r_, eni)).code(), "InvalidNetworkInterface.InUse");
  ASSERT_TRUE(Commit(DetachNetworkInterface(r_, attach, false)).ok());
  EXPECT_FALSE(Eni(eni).in_use());
  ASSERT_TRUE(Commit(DeleteNetworkInterface(r_, eni)).ok());
  EXPECT_EQ(r_.enis.Find(eni), nullptr);
}

TEST_F(EniTest, ModifyOneAttributeAtATime) {
  std::string id = CreateOk();
  ModifyNetworkInterfaceArgs both;
  both.description = "x";
  both.source_dest_check = false;
  EXPECT_EQ(Commit(ModifyNetworkInterfaceAttribute(r_, id, both)).code(),
            "InvalidParameterCombination");
  EXPECT_EQ(Commit(ModifyNetworkInterfaceAttribute(r_, id, {})).code(), "MissingParameter");
  ModifyNetworkInterfaceArgs sdc;
  sdc.source_dest_check = false;
  ASSERT_TRUE(Commit(ModifyNetworkInterfaceAttribute(r_, id, sdc)).ok());
  EXPECT_FALSE(Eni(id).source_dest_check);
  ModifyNetworkInterfaceArgs dot;
  dot.attachment_id = "eni-attach-12345678";
  dot.delete_on_termination = true;
  EXPECT_EQ(Commit(ModifyNetworkInterfaceAttribute(r_, id, dot)).code(),
            "InvalidAttachmentID.NotFound");
  ModifyNetworkInterfaceArgs groups;
  groups.group_ids = std::vector<std::string>{};
  EXPECT_EQ(Commit(ModifyNetworkInterfaceAttribute(r_, id, groups)).code(), "MissingParameter");
}

TEST_F(EniTest, DeleteOnTerminationIsModifiedThroughTheAttachment) {
  std::string inst = Launch();
  std::string eni = CreateOk();
  std::string attach = Commit(AttachNetworkInterface(r_, eni, inst, 1)).value();
  ModifyNetworkInterfaceArgs dot;
  dot.attachment_id = attach;
  dot.delete_on_termination = true;
  ASSERT_TRUE(Commit(ModifyNetworkInterfaceAttribute(r_, eni, dot)).ok());
  EXPECT_TRUE(Eni(eni).attachment->delete_on_termination);
  ASSERT_TRUE(Commit(TerminateInstances(r_, {inst})).ok());
  EXPECT_EQ(r_.enis.Find(eni), nullptr);
}

TEST_F(EniTest, FailedCallChangesNothing) {
  std::string id = CreateOk();
  auto before = r_.enis.Serialize(id);
  // The second address fails after the first was taken: all rolled back.
  EXPECT_FALSE(Commit(AssignPrivateIpAddresses(r_, id, {Ip("10.0.1.70"), Ip("10.0.1.1")},
                                               std::nullopt, false))
                   .ok());
  EXPECT_EQ(r_.enis.Serialize(id), before);
  EXPECT_FALSE(r_.address_owner.count({vpc_, Ip("10.0.1.70")}));
}

TEST(EniDnsNames, FollowEc2Conventions) {
  EXPECT_EQ(PrivateDnsName("us-east-1", Ip("10.0.1.5")), "ip-10-0-1-5.ec2.internal");
  EXPECT_EQ(PrivateDnsName("eu-west-1", Ip("10.0.1.5")), "ip-10-0-1-5.eu-west-1.compute.internal");
  EXPECT_EQ(PublicDnsName("us-east-1", Ip("198.18.0.5")), "ec2-198-18-0-5.compute-1.amazonaws.com");
  EXPECT_EQ(PublicDnsName("us-west-2", Ip("198.18.0.5")),
            "ec2-198-18-0-5.us-west-2.compute.amazonaws.com");
}

}  // namespace
}  // namespace minivpc
