#include "vpc/security_groups.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/security_group_rules.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

PermissionPeer FromGroup(const std::string& id) {
  PermissionPeer p;
  p.group_id = id;
  return p;
}

class SecurityGroupsTest : public ::testing::Test {
 protected:
  SecurityGroupsTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    vpc_ = MakeVpc("10.0.0.0/16");
  }

  std::string MakeVpc(const std::string& cidr, bool ipv6 = false) {
    CreateVpcArgs args;
    args.cidr_block = cidr;
    args.amazon_provided_ipv6 = ipv6;
    std::string id = CreateVpc(r_, args).value();
    cloud_.journal().TakeDirty();
    return id;
  }

  StatusOr<std::string> Create(const std::string& name, const std::string& vpc,
                               const std::string& description = "a group") {
    auto id = CreateSecurityGroup(r_, {name, description, vpc, {}});
    if (id.ok()) {
      cloud_.journal().TakeDirty();
    } else {
      cloud_.journal().Rollback();
    }
    return id;
  }

  std::string MakeGroup(const std::string& name, const std::string& vpc = "") {
    auto id = Create(name, vpc.empty() ? vpc_ : vpc);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  // An ENI row using `groups`; the table hook counts the groups' users.
  void PutEni(const std::string& vpc, const std::vector<std::string>& groups) {
    NetworkInterface eni;
    eni.id = r_.NewId("eni");
    eni.vpc_id = vpc;
    eni.subnet_id = "subnet-00000000";
    eni.group_ids = groups;
    r_.enis.Put(eni);
    cloud_.journal().TakeDirty();
  }

  std::string Code(const Status& s) {
    if (!s.ok()) cloud_.journal().Rollback();
    return s.code();
  }

  SystemRandom random_{3};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_;
};

TEST_F(SecurityGroupsTest, NewGroupHasNoIngressAndAllowsAllEgress) {
  const SecurityGroup& g = *r_.security_groups.Find(MakeGroup("web"));
  EXPECT_EQ(g.vpc_id, vpc_);
  EXPECT_EQ(g.owner_id, "123456789012");
  EXPECT_FALSE(g.is_default);
  ASSERT_EQ(g.rules.size(), 1u);
  EXPECT_TRUE(g.rules[0].is_egress);
  EXPECT_EQ(g.rules[0].ip_protocol, "-1");
  EXPECT_EQ(g.rules[0].cidr->ToString(), "0.0.0.0/0");
  EXPECT_EQ(r_.rule_owner.at(g.rules[0].id), g.id);
}

TEST_F(SecurityGroupsTest, NewGroupAlsoAllowsIpv6EgressWhenVpcHasIpv6) {
  std::string v6 = MakeVpc("10.1.0.0/16", /*ipv6=*/true);
  const SecurityGroup& g = *r_.security_groups.Find(MakeGroup("web", v6));
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[1].cidr->ToString(), "::/0");
  EXPECT_TRUE(g.rules[1].is_egress);
}

TEST_F(SecurityGroupsTest, DefaultsToTheDefaultVpc) {
  EXPECT_EQ(Create("web", "").status().code(), "VPCIdNotSpecified");
  std::string default_vpc = CreateDefaultVpc(r_).value();
  cloud_.journal().TakeDirty();
  auto id = Create("web", "");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(r_.security_groups.Find(*id)->vpc_id, default_vpc);
}

TEST_F(SecurityGroupsTest, RejectsUnknownVpc) {
  EXPECT_EQ(Create("web", "vpc-0123456789abcdef0").status().code(), "InvalidVpcID.NotFound");
  EXPECT_EQ(Create("web", "vpc-nope").status().code(), "InvalidVpcID.Malformed");
}

TEST_F(SecurityGroupsTest, NamesAreUniquePerVpcIgnoringCase) {
  MakeGroup("web");
  size_t before = r_.security_groups.size();
  EXPECT_EQ(Create("web", vpc_).status().code(), "InvalidGroup.Duplicate");
  EXPECT_EQ(Create("WEB", vpc_).status().code(), "InvalidGroup.Duplicate");
  EXPECT_EQ(r_.security_groups.size(), before);
  EXPECT_TRUE(Create("web", MakeVpc("10.1.0.0/16")).ok());  // another VPC is fine
}

TEST_F(SecurityGroupsTest, ReservesTheNameDefault) {
  EXPECT_EQ(Create("default", vpc_).status().code(), "InvalidParameterValue");
  EXPECT_EQ(Create("Default", vpc_).status().code(), "InvalidParameterValue");
}

TEST_F(SecurityGroupsTest, RejectsNamesStartingWithSgDash) {
  EXPECT_EQ(Create("sg-web", vpc_).status().code(), "InvalidParameterValue");
  EXPECT_TRUE(Create("my-sg-web", vpc_).ok());
}

TEST_F(SecurityGroupsTest, ChecksNameAndDescriptionLengthAndCharacters) {
  EXPECT_TRUE(Create(std::string(255, 'a'), vpc_).ok());
  EXPECT_EQ(Create(std::string(256, 'b'), vpc_).status().code(), "InvalidParameterValue");
  EXPECT_EQ(Create("caf\xc3\xa9", vpc_).status().code(), "InvalidParameterValue");
  EXPECT_EQ(Create("a<b", vpc_).status().code(), "InvalidParameterValue");
  EXPECT_TRUE(Create("ok ._-:/()#,@[]+=&;{}!$*", vpc_).ok());
  EXPECT_EQ(Create("x1", vpc_, std::string(256, 'd')).status().code(), "InvalidParameterValue");
  EXPECT_EQ(Create("x2", vpc_, "tab\there").status().code(), "InvalidParameterValue");
  EXPECT_EQ(Create("", vpc_).status().code(), "MissingParameter");
  EXPECT_EQ(Create("x3", vpc_, "").status().code(), "MissingParameter");
}

TEST_F(SecurityGroupsTest, EnforcesTheRegionGroupQuota) {
  while (r_.security_groups.size() < kMaxSecurityGroupsPerRegion) {
    std::string name = "g";
    name += std::to_string(r_.security_groups.size());
    MakeGroup(name);
  }
  EXPECT_EQ(Create("one-too-many", vpc_).status().code(), "SecurityGroupLimitExceeded");
}

TEST_F(SecurityGroupsTest, ResolvesBareNamesInTheDefaultVpcOnly) {
  MakeGroup("web");  // in a non-default VPC
  EXPECT_EQ(ResolveGroup(r_, "", "web").status().code(), "InvalidGroup.NotFound");
  std::string default_vpc = CreateDefaultVpc(r_).value();
  std::string id = MakeGroup("web", default_vpc);
  EXPECT_EQ(ResolveGroup(r_, "", "WEB").value(), id);
  EXPECT_EQ(ResolveGroup(r_, id, "ignored").value(), id);
  EXPECT_EQ(ResolveGroup(r_, "", "").status().code(), "MissingParameter");
  EXPECT_EQ(ResolveGroup(r_, "sg-bad", "").status().code(), "InvalidGroupId.Malformed");
}

TEST_F(SecurityGroupsTest, DeletesAnUnusedGroup) {
  std::string id = MakeGroup("web");
  std::string rule = r_.security_groups.Find(id)->rules[0].id;
  ASSERT_TRUE(DeleteSecurityGroup(r_, id).ok());
  EXPECT_EQ(r_.security_groups.Find(id), nullptr);
  EXPECT_EQ(r_.rule_owner.count(rule), 0u);
  EXPECT_EQ(Code(DeleteSecurityGroup(r_, id)), "InvalidGroup.NotFound");
}

TEST_F(SecurityGroupsTest, TheDefaultGroupCannotBeDeleted) {
  std::string id = r_.vpcs.Find(vpc_)->default_security_group_id;
  EXPECT_EQ(Code(DeleteSecurityGroup(r_, id)), "CannotDelete");
  EXPECT_NE(r_.security_groups.Find(id), nullptr);
}

TEST_F(SecurityGroupsTest, AGroupUsedByAnInterfaceCannotBeDeleted) {
  std::string id = MakeGroup("web");
  PutEni(vpc_, {id});
  EXPECT_EQ(Code(DeleteSecurityGroup(r_, id)), "DependencyViolation");
  EXPECT_NE(r_.security_groups.Find(id), nullptr);
}

TEST_F(SecurityGroupsTest, AGroupReferencedByAnotherGroupCannotBeDeleted) {
  std::string db = MakeGroup("db");
  std::string app = MakeGroup("app");
  IpPermissionSpec from_app{"tcp", 5432, 5432, {FromGroup(app)}};
  ASSERT_TRUE(AuthorizeSecurityGroupRules(r_, db, false, {from_app}, {}).ok());
  cloud_.journal().TakeDirty();
  EXPECT_EQ(Code(DeleteSecurityGroup(r_, app)), "DependencyViolation");
  ASSERT_TRUE(RevokeSecurityGroupRules(r_, db, false, {from_app}).ok());
  EXPECT_TRUE(DeleteSecurityGroup(r_, app).ok());
}

TEST_F(SecurityGroupsTest, ASelfReferenceDoesNotBlockDeletion) {
  std::string id = MakeGroup("cluster");
  IpPermissionSpec self{"-1", std::nullopt, std::nullopt, {FromGroup(id)}};
  ASSERT_TRUE(AuthorizeSecurityGroupRules(r_, id, false, {self}, {}).ok());
  cloud_.journal().TakeDirty();
  EXPECT_TRUE(DeleteSecurityGroup(r_, id).ok());
  EXPECT_EQ(r_.group_referenced_by.count(id), 0u);
}

TEST_F(SecurityGroupsTest, ValidatesGroupsForAnInterface) {
  std::vector<std::string> five;
  for (const char* name : {"g0", "g1", "g2", "g3", "g4"}) five.push_back(MakeGroup(name));
  EXPECT_TRUE(ValidateGroupsForEni(r_, vpc_, {five[0]}).ok());
  EXPECT_TRUE(ValidateGroupsForEni(r_, vpc_, five).ok());
  std::vector<std::string> six = five;
  six.push_back(MakeGroup("g5"));
  EXPECT_EQ(ValidateGroupsForEni(r_, vpc_, six).code(), "SecurityGroupsPerInterfaceLimitExceeded");
  EXPECT_EQ(ValidateGroupsForEni(r_, vpc_, {}).code(), "InvalidParameterValue");
  EXPECT_EQ(ValidateGroupsForEni(r_, vpc_, {five[0], five[0]}).code(), "InvalidParameterValue");
  EXPECT_EQ(ValidateGroupsForEni(r_, vpc_, {"sg-0123456789abcdef0"}).code(),
            "InvalidGroup.NotFound");
  EXPECT_EQ(ValidateGroupsForEni(r_, vpc_, {"sg-x"}).code(), "InvalidGroupId.Malformed");
  std::string other = MakeGroup("elsewhere", MakeVpc("10.1.0.0/16"));
  Status s = ValidateGroupsForEni(r_, vpc_, {five[0], other});
  EXPECT_EQ(s.code(), "InvalidGroup.NotFound");
  EXPECT_NE(s.message().find("different networks"), std::string::npos);
}

}  // namespace
}  // namespace minivpc
