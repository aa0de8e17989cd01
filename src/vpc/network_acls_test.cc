#include "vpc/network_acls.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/lookups.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

NetworkAclEntrySpec Entry(int64_t number, bool egress, const std::string& protocol,
                          const std::string& cidr, const std::string& action = "allow") {
  NetworkAclEntrySpec s;
  s.rule_number = number;
  s.egress = egress;
  s.protocol = protocol;
  s.rule_action = action;
  if (cidr.find(':') == std::string::npos) {
    s.cidr_block = cidr;
  } else {
    s.ipv6_cidr_block = cidr;
  }
  return s;
}

NetworkAclEntrySpec Tcp(int64_t number, int64_t from, int64_t to) {
  NetworkAclEntrySpec s = Entry(number, false, "6", "0.0.0.0/0");
  s.port_from = from;
  s.port_to = to;
  return s;
}

class NetworkAclsTest : public ::testing::Test {
 protected:
  NetworkAclsTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    vpc_ = MakeVpc("10.0.0.0/16", /*ipv6=*/false);
    acl_ = CreateNetworkAcl(r_, vpc_, {}).value();
    cloud_.journal().TakeDirty();
  }

  std::string MakeVpc(const std::string& cidr, bool ipv6) {
    CreateVpcArgs args;
    args.cidr_block = cidr;
    args.amazon_provided_ipv6 = ipv6;
    std::string id = CreateVpc(r_, args).value();
    cloud_.journal().TakeDirty();
    return id;
  }

  std::string MakeSubnet(const std::string& vpc, const std::string& cidr) {
    CreateSubnetArgs a;
    a.vpc_id = vpc;
    a.cidr_block = cidr;
    std::string id = CreateSubnet(r_, a).value();
    cloud_.journal().TakeDirty();
    return id;
  }

  // Runs `s`; on failure rolls back and returns the code ("" when OK).
  std::string Code(const Status& s) {
    if (s.ok()) {
      cloud_.journal().TakeDirty();
      return "";
    }
    cloud_.journal().Rollback();
    return s.code();
  }

  const NetworkAcl& acl() { return *r_.network_acls.Find(acl_); }

  SystemRandom random_{11};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_;
  std::string acl_;
};

TEST_F(NetworkAclsTest, ACustomAclDeniesEverything) {
  EXPECT_FALSE(acl().is_default);
  EXPECT_TRUE(acl().entries.empty());
  std::vector<NetworkAclEntry> shown = EffectiveEntries(r_, acl());
  ASSERT_EQ(shown.size(), 2u);
  for (const auto& e : shown) {
    EXPECT_EQ(e.rule_number, kImplicitAclRuleNumber);
    EXPECT_FALSE(e.allow);
    EXPECT_EQ(e.cidr->ToString(), "0.0.0.0/0");
  }
  EXPECT_TRUE(shown[0].egress);
  EXPECT_FALSE(shown[1].egress);
}

TEST_F(NetworkAclsTest, ImplicitRulesCoverIpv6WhenTheVpcHasIpv6) {
  std::string v6 = MakeVpc("10.1.0.0/16", /*ipv6=*/true);
  const NetworkAcl& custom = *r_.network_acls.Find(CreateNetworkAcl(r_, v6, {}).value());
  std::vector<NetworkAclEntry> shown = EffectiveEntries(r_, custom);
  ASSERT_EQ(shown.size(), 4u);
  EXPECT_EQ(shown[1].cidr->ToString(), "::/0");
  EXPECT_EQ(shown[3].cidr->ToString(), "::/0");
  const NetworkAcl& def = *r_.network_acls.Find(r_.vpcs.Find(v6)->default_acl_id);
  std::vector<NetworkAclEntry> all = EffectiveEntries(r_, def);
  ASSERT_EQ(all.size(), 8u);  // per direction: 100 v4, 101 v6 allow; * v4, * v6 deny
  EXPECT_EQ(all[0].rule_number, 100);
  EXPECT_TRUE(all[0].allow);
  EXPECT_EQ(all[1].rule_number, 101);
  EXPECT_EQ(all[1].cidr->ToString(), "::/0");
  EXPECT_EQ(all[2].rule_number, kImplicitAclRuleNumber);
  EXPECT_FALSE(all[2].allow);
}

TEST_F(NetworkAclsTest, ListsEgressFirstThenByRuleNumber) {
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(200, false, "-1", "10.0.0.0/8"))), "");
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(100, false, "-1", "10.1.0.0/16"))), "");
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(300, true, "-1", "10.0.0.0/8"))), "");
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(50, true, "-1", "10.0.0.0/8"))), "");
  std::vector<std::pair<bool, int>> order;
  for (const auto& e : EffectiveEntries(r_, acl())) order.push_back({e.egress, e.rule_number});
  std::vector<std::pair<bool, int>> want = {{true, 50},   {true, 300},  {true, 32767},
                                            {false, 100}, {false, 200}, {false, 32767}};
  EXPECT_EQ(order, want);
}

TEST_F(NetworkAclsTest, RuleNumbersRunFrom1To32766) {
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(0, false, "-1", "10.0.0.0/8"))),
            "InvalidParameterValue");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(32767, false, "-1", "10.0.0.0/8"))),
            "InvalidParameterValue");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(1, false, "-1", "10.0.0.0/8"))), "");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(32766, false, "-1", "10.0.0.0/8"))), "");
}

TEST_F(NetworkAclsTest, RuleNumbersAreUniquePerDirection) {
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(100, false, "-1", "10.0.0.0/8"))), "");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(100, false, "-1", "::/0"))),
            "NetworkAclEntryAlreadyExists");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(100, true, "-1", "10.0.0.0/8"))), "");
  EXPECT_EQ(acl().entries.size(), 2u);
}

TEST_F(NetworkAclsTest, ProtocolIsMinusOneOrANumber) {
  for (const char* bad : {"tcp", "all", "256", "-2", ""}) {
    EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(100, false, bad, "10.0.0.0/8"))),
              "InvalidParameterValue")
        << bad;
  }
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(100, false, "047", "10.0.0.0/8"))), "");
  EXPECT_EQ(acl().entries[0].protocol, "47");
}

TEST_F(NetworkAclsTest, ChecksActionAndCidr) {
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(1, false, "-1", "10.0.0.0/8", "permit"))),
            "InvalidParameterValue");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(1, false, "-1", "10.0.0.1/8"))),
            "InvalidParameterValue");
  NetworkAclEntrySpec v6_in_v4 = Entry(1, false, "-1", "10.0.0.0/8");
  v6_in_v4.cidr_block = "::/0";
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, v6_in_v4)), "InvalidParameterValue");
  NetworkAclEntrySpec both = Entry(1, false, "-1", "10.0.0.0/8");
  both.ipv6_cidr_block = "::/0";
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, both)), "InvalidParameterCombination");
  NetworkAclEntrySpec neither = Entry(1, false, "-1", "10.0.0.0/8");
  neither.cidr_block.clear();
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, neither)), "MissingParameter");
  EXPECT_TRUE(acl().entries.empty());
}

TEST_F(NetworkAclsTest, TcpAndUdpNeedAPortRange) {
  NetworkAclEntrySpec no_ports = Entry(100, false, "17", "0.0.0.0/0");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, no_ports)), "MissingParameter");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Tcp(100, 80, 70))), "InvalidParameterValue");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Tcp(100, 0, 65536))), "InvalidParameterValue");
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Tcp(100, 1024, 65535))), "");
  EXPECT_EQ(acl().entries[0].port_from, 1024);
  EXPECT_EQ(acl().entries[0].port_to, 65535);
}

TEST_F(NetworkAclsTest, IcmpNeedsATypeAndCode) {
  NetworkAclEntrySpec icmp = Entry(100, false, "1", "0.0.0.0/0");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, icmp)), "MissingParameter");
  icmp.icmp_type = 8;
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, icmp)), "MissingParameter");
  icmp.icmp_code = 300;
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, icmp)), "InvalidParameterValue");
  icmp.icmp_code = -1;
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, icmp)), "");
  EXPECT_EQ(acl().entries[0].icmp_type, 8);
  // ICMPv6 needs them with an IPv6 CIDR only; with IPv4 they are ignored.
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(101, false, "58", "::/0"))),
            "MissingParameter");
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(102, false, "58", "10.0.0.0/8"))), "");
  EXPECT_FALSE(acl().entries.back().icmp_type.has_value());
}

TEST_F(NetworkAclsTest, FieldsTheProtocolIgnoresAreDropped) {
  NetworkAclEntrySpec all = Entry(100, false, "-1", "0.0.0.0/0");
  all.port_from = 1;
  all.port_to = 2;
  all.icmp_type = 3;
  all.icmp_code = 4;
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, all)), "");
  EXPECT_FALSE(acl().entries[0].port_from.has_value());
  EXPECT_FALSE(acl().entries[0].icmp_type.has_value());
}

TEST_F(NetworkAclsTest, ReplacesAndDeletesExistingEntriesOnly) {
  EXPECT_EQ(Code(ReplaceNetworkAclEntry(r_, acl_, Tcp(100, 22, 22))),
            "InvalidNetworkAclEntry.NotFound");
  ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Tcp(100, 22, 22))), "");
  NetworkAclEntrySpec deny = Entry(100, false, "-1", "192.168.0.0/16", "deny");
  ASSERT_EQ(Code(ReplaceNetworkAclEntry(r_, acl_, deny)), "");
  ASSERT_EQ(acl().entries.size(), 1u);
  EXPECT_FALSE(acl().entries[0].allow);
  EXPECT_EQ(acl().entries[0].cidr->ToString(), "192.168.0.0/16");
  EXPECT_FALSE(acl().entries[0].port_from.has_value());
  EXPECT_EQ(Code(DeleteNetworkAclEntry(r_, acl_, 100, /*egress=*/true)),
            "InvalidNetworkAclEntry.NotFound");
  EXPECT_EQ(Code(DeleteNetworkAclEntry(r_, acl_, 100, /*egress=*/false)), "");
  EXPECT_TRUE(acl().entries.empty());
  EXPECT_EQ(Code(DeleteNetworkAclEntry(r_, "acl-0123456789abcdef0", 100, false)),
            "InvalidNetworkAclID.NotFound");
}

TEST_F(NetworkAclsTest, AllowsTwentyEntriesPerDirectionAndFamily) {
  for (int i = 1; i <= 20; ++i) {
    ASSERT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(i, false, "-1", "10.0.0.0/8"))), "");
  }
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(21, false, "-1", "10.0.0.0/8"))),
            "NetworkAclEntryLimitExceeded");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(21, false, "-1", "::/0"))), "");
  EXPECT_EQ(Code(CreateNetworkAclEntry(r_, acl_, Entry(21, true, "-1", "10.0.0.0/8"))), "");
}

TEST_F(NetworkAclsTest, AllowsTwoHundredAclsPerVpc) {
  while (true) {
    auto id = CreateNetworkAcl(r_, vpc_, {});
    if (!id.ok()) {
      EXPECT_EQ(id.status().code(), "NetworkAclLimitExceeded");
      break;
    }
  }
  size_t n = 0;
  for (const auto& [id, a] : r_.network_acls.rows()) n += a.vpc_id == vpc_;
  EXPECT_EQ(n, kMaxAclsPerVpc);
}

TEST_F(NetworkAclsTest, TheDefaultAclAndAssociatedAclsCannotBeDeleted) {
  std::string def = r_.vpcs.Find(vpc_)->default_acl_id;
  EXPECT_EQ(Code(DeleteNetworkAcl(r_, def)), "InvalidParameterValue");
  std::string subnet = MakeSubnet(vpc_, "10.0.1.0/24");
  auto assoc =
      ReplaceNetworkAclAssociation(r_, r_.subnets.Find(subnet)->network_acl_association_id, acl_);
  ASSERT_TRUE(assoc.ok()) << assoc.status().ToString();
  cloud_.journal().TakeDirty();
  EXPECT_EQ(Code(DeleteNetworkAcl(r_, acl_)), "DependencyViolation");
  ASSERT_EQ(Code(DeleteSubnet(r_, subnet)), "");
  EXPECT_EQ(Code(DeleteNetworkAcl(r_, acl_)), "");
  EXPECT_EQ(r_.network_acls.Find(acl_), nullptr);
}

TEST_F(NetworkAclsTest, ReplacingAnAssociationMovesTheSubnetWithANewId) {
  std::string subnet = MakeSubnet(vpc_, "10.0.1.0/24");
  const NetworkAcl& def = *r_.network_acls.Find(r_.vpcs.Find(vpc_)->default_acl_id);
  ASSERT_EQ(AssociatedSubnets(r_, def).size(), 1u);
  std::string old_id = r_.subnets.Find(subnet)->network_acl_association_id;
  auto new_id = ReplaceNetworkAclAssociation(r_, old_id, acl_);
  ASSERT_TRUE(new_id.ok()) << new_id.status().ToString();
  cloud_.journal().TakeDirty();
  EXPECT_NE(*new_id, old_id);
  EXPECT_TRUE(IsWellFormedId(*new_id, "aclassoc"));
  EXPECT_EQ(r_.subnets.Find(subnet)->network_acl_id, acl_);
  EXPECT_EQ(AssociatedSubnets(r_, acl()).size(), 1u);
  EXPECT_TRUE(AssociatedSubnets(r_, *r_.network_acls.Find(def.id)).empty());
  EXPECT_EQ(ReplaceNetworkAclAssociation(r_, old_id, acl_).status().code(),
            "InvalidAssociationID.NotFound");
  EXPECT_EQ(ReplaceNetworkAclAssociation(r_, "nope", acl_).status().code(),
            "InvalidAssociationID.Malformed");
}

TEST_F(NetworkAclsTest, AnAclOfAnotherVpcCannotTakeTheSubnet) {
  std::string subnet = MakeSubnet(vpc_, "10.0.1.0/24");
  std::string other_vpc = MakeVpc("10.1.0.0/16", false);
  std::string other_acl = CreateNetworkAcl(r_, other_vpc, {}).value();
  cloud_.journal().TakeDirty();
  std::string assoc = r_.subnets.Find(subnet)->network_acl_association_id;
  EXPECT_EQ(ReplaceNetworkAclAssociation(r_, assoc, other_acl).status().code(),
            "InvalidParameterValue");
  cloud_.journal().Rollback();
  EXPECT_EQ(r_.subnets.Find(subnet)->network_acl_association_id, assoc);
  EXPECT_EQ(ReplaceNetworkAclAssociation(r_, assoc, "acl-0123456789abcdef0").status().code(),
            "InvalidNetworkAclID.NotFound");
}

TEST_F(NetworkAclsTest, CreateNeedsAnExistingVpc) {
  EXPECT_EQ(CreateNetworkAcl(r_, "vpc-0123456789abcdef0", {}).status().code(),
            "InvalidVpcID.NotFound");
}

TEST_F(NetworkAclsTest, DeletingTheVpcRemovesItsDefaultAcl) {
  std::string v = MakeVpc("10.2.0.0/16", false);
  std::string def = r_.vpcs.Find(v)->default_acl_id;
  std::string custom = CreateNetworkAcl(r_, v, {}).value();
  cloud_.journal().TakeDirty();
  EXPECT_EQ(Code(DeleteVpc(r_, v)), "DependencyViolation");
  ASSERT_EQ(Code(DeleteNetworkAcl(r_, custom)), "");
  ASSERT_EQ(Code(DeleteVpc(r_, v)), "");
  EXPECT_EQ(r_.network_acls.Find(def), nullptr);
}

}  // namespace
}  // namespace minivpc
