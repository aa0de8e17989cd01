#include "vpc/security_group_rules.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/lookups.h"
#include "vpc/security_groups.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

IpPermissionSpec Perm(const std::string& proto, std::optional<int64_t> from,
                      std::optional<int64_t> to, std::vector<PermissionPeer> peers) {
  return IpPermissionSpec{proto, from, to, std::move(peers)};
}

PermissionPeer V4(const std::string& cidr, const std::string& description = "") {
  PermissionPeer p;
  p.cidr_ipv4 = cidr;
  p.description = description;
  return p;
}
PermissionPeer V6(const std::string& cidr) {
  PermissionPeer p;
  p.cidr_ipv6 = cidr;
  return p;
}
PermissionPeer Group(const std::string& id, const std::string& user_id = "") {
  PermissionPeer p;
  p.group_id = id;
  p.user_id = user_id;
  return p;
}

class SecurityGroupRulesTest : public ::testing::Test {
 protected:
  SecurityGroupRulesTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    CreateVpcArgs args;
    args.cidr_block = "10.0.0.0/16";
    vpc_ = CreateVpc(r_, args).value();
    sg_ = CreateSecurityGroup(r_, {"web", "web", vpc_, {}}).value();
    cloud_.journal().TakeDirty();
  }

  // Authorizes ingress; on failure rolls back and returns the error code.
  std::string Add(const std::vector<IpPermissionSpec>& perms, bool egress = false) {
    auto added = AuthorizeSecurityGroupRules(r_, sg_, egress, perms, {});
    if (!added.ok()) {
      cloud_.journal().Rollback();
      return added.status().code();
    }
    cloud_.journal().TakeDirty();
    return "";
  }

  // The single ingress rule a permission expands to (test precondition).
  SecurityGroupRule One(const IpPermissionSpec& perm) {
    auto rules = ExpandPermissions(r_, group(), false, {perm});
    EXPECT_TRUE(rules.ok()) << rules.status().ToString();
    EXPECT_EQ(rules.ok() ? rules->size() : 0u, 1u);
    return rules.ok() && !rules->empty() ? rules->front() : SecurityGroupRule{};
  }

  std::string ExpandError(const IpPermissionSpec& perm) {
    return ExpandPermissions(r_, group(), false, {perm}).status().code();
  }

  const SecurityGroup& group() { return *r_.security_groups.Find(sg_); }
  size_t Ingress() {
    size_t n = 0;
    for (const auto& rule : group().rules) n += !rule.is_egress;
    return n;
  }

  SystemRandom random_{5};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_;
  std::string sg_;
};

TEST_F(SecurityGroupRulesTest, ExpandsOneRulePerPermissionAndPeer) {
  auto added = AuthorizeSecurityGroupRules(
      r_, sg_, false,
      {Perm("tcp", 22, 22, {V4("10.0.0.0/24"), V4("10.0.1.0/24", "office"), Group(sg_)}),
       Perm("udp", 53, 53, {V4("10.0.2.0/24")})},
      {{"team", "blue"}});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(added->size(), 4u);
  EXPECT_EQ(Ingress(), 4u);
  for (const auto& rule : *added) {
    EXPECT_TRUE(IsWellFormedId(rule.id, "sgr")) << rule.id;
    EXPECT_EQ(r_.rule_owner.at(rule.id), sg_);
    EXPECT_EQ(rule.tags.at("team"), "blue");
  }
  EXPECT_EQ((*added)[1].description, "office");
  EXPECT_EQ((*added)[2].referenced_group_id, sg_);
  EXPECT_EQ((*added)[2].referenced_owner_id, "123456789012");
}

TEST_F(SecurityGroupRulesTest, NormalisesProtocolNamesAndNumbers) {
  EXPECT_EQ(One(Perm("6", 80, 80, {V4("0.0.0.0/0")})).ip_protocol, "tcp");
  EXPECT_EQ(One(Perm("TCP", 80, 80, {V4("0.0.0.0/0")})).ip_protocol, "tcp");
  EXPECT_EQ(One(Perm("17", 53, 53, {V4("0.0.0.0/0")})).ip_protocol, "udp");
  EXPECT_EQ(One(Perm("1", 8, 0, {V4("0.0.0.0/0")})).ip_protocol, "icmp");
  EXPECT_EQ(One(Perm("58", -1, -1, {V6("::/0")})).ip_protocol, "icmpv6");
  EXPECT_EQ(One(Perm("all", std::nullopt, std::nullopt, {V4("0.0.0.0/0")})).ip_protocol, "-1");
  SecurityGroupRule gre = One(Perm("047", 1, 2, {V4("0.0.0.0/0")}));
  EXPECT_EQ(gre.ip_protocol, "47");
  EXPECT_EQ(gre.from_port, -1);  // ports do not apply to GRE
  EXPECT_EQ(gre.to_port, -1);
  for (const char* bad : {"foo", "256", "-2", "6x"}) {
    EXPECT_EQ(ExpandError(Perm(bad, 1, 1, {V4("0.0.0.0/0")})), "InvalidParameterValue") << bad;
  }
  EXPECT_EQ(ExpandError(Perm("", 1, 1, {V4("0.0.0.0/0")})), "InvalidParameterValue");
}

TEST_F(SecurityGroupRulesTest, TcpAndUdpNeedAValidPortRange) {
  EXPECT_EQ(ExpandError(Perm("tcp", std::nullopt, std::nullopt, {V4("0.0.0.0/0")})),
            "InvalidParameterValue");
  EXPECT_EQ(ExpandError(Perm("tcp", 22, std::nullopt, {V4("0.0.0.0/0")})), "InvalidParameterValue");
  EXPECT_EQ(ExpandError(Perm("udp", 0, 65536, {V4("0.0.0.0/0")})), "InvalidParameterValue");
  EXPECT_EQ(ExpandError(Perm("tcp", 100, 20, {V4("0.0.0.0/0")})), "InvalidParameterValue");
  EXPECT_EQ(ExpandError(Perm("tcp", -5, 20, {V4("0.0.0.0/0")})), "InvalidParameterValue");
  SecurityGroupRule all = One(Perm("tcp", -1, -1, {V4("0.0.0.0/0")}));
  EXPECT_EQ(all.from_port, 0);
  EXPECT_EQ(all.to_port, 65535);
  SecurityGroupRule range = One(Perm("udp", 1000, 2000, {V4("0.0.0.0/0")}));
  EXPECT_EQ(range.from_port, 1000);
  EXPECT_EQ(range.to_port, 2000);
}

TEST_F(SecurityGroupRulesTest, IcmpNeedsTypeAndCode) {
  EXPECT_EQ(ExpandError(Perm("icmp", std::nullopt, std::nullopt, {V4("0.0.0.0/0")})),
            "InvalidParameterValue");
  EXPECT_EQ(ExpandError(Perm("icmp", 256, 0, {V4("0.0.0.0/0")})), "InvalidParameterValue");
  EXPECT_EQ(ExpandError(Perm("icmp", -1, 3, {V4("0.0.0.0/0")})), "InvalidParameterValue");
  SecurityGroupRule echo = One(Perm("icmp", 8, -1, {V4("0.0.0.0/0")}));
  EXPECT_EQ(echo.from_port, 8);
  EXPECT_EQ(echo.to_port, -1);
  SecurityGroupRule v6 = One(Perm("icmpv6", std::nullopt, std::nullopt, {V6("::/0")}));
  EXPECT_EQ(v6.from_port, -1);  // optional for ICMPv6: all types and codes
  EXPECT_EQ(v6.to_port, -1);
}

TEST_F(SecurityGroupRulesTest, MasksHostBitsAndRejectsMalformedCidrs) {
  EXPECT_EQ(One(Perm("tcp", 22, 22, {V4("10.0.0.5/16")})).cidr->ToString(), "10.0.0.0/16");
  EXPECT_EQ(One(Perm("tcp", 22, 22, {V6("2001:db8::1/32")})).cidr->ToString(), "2001:db8::/32");
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0", "banana/8", "::/0", "10.0.0.256/24"}) {
    EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {V4(bad)})), "InvalidParameterValue") << bad;
  }
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {V6("10.0.0.0/8")})), "InvalidParameterValue");
}

TEST_F(SecurityGroupRulesTest, NeedsExactlyOnePeerKind) {
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {})), "MissingParameter");
  PermissionPeer both = Group(sg_);
  both.cidr_ipv4 = "10.0.0.0/8";
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {both})), "InvalidParameterCombination");
  PermissionPeer prefix_list;
  prefix_list.prefix_list_id = "pl-0123456789abcdef0";
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {prefix_list})), "InvalidPrefixListID.NotFound");
}

TEST_F(SecurityGroupRulesTest, ChecksRuleDescriptions) {
  EXPECT_EQ(One(Perm("tcp", 22, 22, {V4("10.0.0.0/8", "ssh from office")})).description,
            "ssh from office");
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {V4("10.0.0.0/8", std::string(256, 'x'))})),
            "InvalidParameterValue");
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {V4("10.0.0.0/8", "no <tags>")})),
            "InvalidParameterValue");
}

TEST_F(SecurityGroupRulesTest, ReferencedGroupsMustExistInTheSameVpc) {
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {Group("sg-0123456789abcdef0")})),
            "InvalidGroup.NotFound");
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {Group("sg-zzz")})), "InvalidGroupId.Malformed");
  CreateVpcArgs args;
  args.cidr_block = "10.1.0.0/16";
  std::string other_vpc = CreateVpc(r_, args).value();
  std::string other = CreateSecurityGroup(r_, {"other", "other", other_vpc, {}}).value();
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {Group(other)})), "InvalidGroup.NotFound");
  EXPECT_EQ(ExpandError(Perm("tcp", 22, 22, {Group(sg_, "999999999999")})),
            "InvalidGroup.NotFound");
}

TEST_F(SecurityGroupRulesTest, RejectsADuplicateRuleAndAddsNothing) {
  ASSERT_EQ(Add({Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}), "");
  size_t before = Ingress();
  // A new rule alongside an existing one (with another description): all or nothing.
  EXPECT_EQ(Add({Perm("tcp", 80, 80, {V4("10.0.0.0/8")}),
                 Perm("6", 22, 22, {V4("10.1.2.3/8", "other words")})}),
            "InvalidPermission.Duplicate");
  EXPECT_EQ(Ingress(), before);
  // The same permission twice in one request.
  EXPECT_EQ(Add({Perm("tcp", 443, 443, {V4("10.0.0.0/8"), V4("10.0.0.0/8")})}),
            "InvalidParameterValue");
  EXPECT_EQ(Ingress(), before);
  // The same peer and ports in the other direction is a different rule.
  EXPECT_EQ(Add({Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}, /*egress=*/true), "");
}

TEST_F(SecurityGroupRulesTest, DuplicateErrorQuotesTheRuleAsEc2Does) {
  ASSERT_EQ(Add({Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}), "");
  auto again =
      AuthorizeSecurityGroupRules(r_, sg_, false, {Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(),
            "the specified rule \"peer: 10.0.0.0/8, TCP, from port: 22, to port: 22, ALLOW\" "
            "already exists");
}

TEST_F(SecurityGroupRulesTest, AllowsSixtyRulesPerDirectionAndFamily) {
  std::vector<PermissionPeer> v4;
  std::vector<PermissionPeer> v6;
  for (int i = 0; i < 60; ++i) {
    v4.push_back(V4("10.0." + std::to_string(i) + ".0/24"));
    v6.push_back(V6("2001:db8:" + std::to_string(i) + "::/48"));
  }
  ASSERT_EQ(Add({Perm("tcp", 22, 22, v4)}), "");
  ASSERT_EQ(Add({Perm("tcp", 22, 22, v6)}), "");  // IPv6 counts separately
  EXPECT_EQ(Add({Perm("tcp", 23, 23, {V4("10.1.0.0/16")})}), "RulesPerSecurityGroupLimitExceeded");
  EXPECT_EQ(Add({Perm("tcp", 23, 23, {V6("2001:db9::/32")})}),
            "RulesPerSecurityGroupLimitExceeded");
  EXPECT_EQ(Ingress(), 120u);
  // Egress has its own quota (one rule, 0.0.0.0/0, is there already).
  EXPECT_EQ(Add({Perm("tcp", 22, 22, std::vector<PermissionPeer>(v4.begin(), v4.begin() + 59))},
                /*egress=*/true),
            "");
}

TEST_F(SecurityGroupRulesTest, AGroupReferenceCountsTowardBothFamilies) {
  std::vector<PermissionPeer> v6;
  for (int i = 0; i < 60; ++i) v6.push_back(V6("2001:db8:" + std::to_string(i) + "::/48"));
  ASSERT_EQ(Add({Perm("tcp", 22, 22, v6)}), "");
  EXPECT_EQ(Add({Perm("tcp", 22, 22, {Group(sg_)})}), "RulesPerSecurityGroupLimitExceeded");
}

TEST_F(SecurityGroupRulesTest, RevokesTheMatchingRuleIgnoringDescription) {
  ASSERT_EQ(Add({Perm("tcp", 22, 22, {V4("10.0.0.0/8", "ssh")}),
                 Perm("tcp", 80, 80, {V4("10.0.0.0/8")})}),
            "");
  auto result = RevokeSecurityGroupRules(r_, sg_, false, {Perm("6", 22, 22, {V4("10.0.0.0/8")})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->revoked.size(), 1u);
  EXPECT_EQ(result->revoked[0].description, "ssh");
  EXPECT_TRUE(result->unknown.empty());
  EXPECT_EQ(Ingress(), 1u);
  EXPECT_EQ(r_.rule_owner.count(result->revoked[0].id), 0u);
}

TEST_F(SecurityGroupRulesTest, RevokingAMissingRuleOutsideTheDefaultVpcFailsAndRevokesNothing) {
  ASSERT_EQ(Add({Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}), "");
  auto result = RevokeSecurityGroupRules(
      r_, sg_, false,
      {Perm("tcp", 22, 22, {V4("10.0.0.0/8")}), Perm("tcp", 23, 23, {V4("10.0.0.0/8")})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), "InvalidPermission.NotFound");
  cloud_.journal().Rollback();
  EXPECT_EQ(Ingress(), 1u);
}

TEST_F(SecurityGroupRulesTest, RevokingAMissingRuleInTheDefaultVpcReportsItAsUnknown) {
  std::string default_vpc = CreateDefaultVpc(r_).value();
  sg_ = CreateSecurityGroup(r_, {"web", "web", default_vpc, {}}).value();
  ASSERT_EQ(Add({Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}), "");
  auto result = RevokeSecurityGroupRules(
      r_, sg_, false,
      {Perm("tcp", 22, 22, {V4("10.0.0.0/8")}), Perm("tcp", 23, 23, {V4("10.0.0.0/8")})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->revoked.size(), 1u);
  ASSERT_EQ(result->unknown.size(), 1u);
  EXPECT_EQ(result->unknown[0].from_port, 23);
  EXPECT_EQ(Ingress(), 0u);
}

TEST_F(SecurityGroupRulesTest, RevokesByRuleIdInTheRightDirectionOnly) {
  std::string egress_rule = group().rules[0].id;
  auto added =
      AuthorizeSecurityGroupRules(r_, sg_, false, {Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}, {});
  ASSERT_TRUE(added.ok());
  cloud_.journal().TakeDirty();
  auto wrong = RevokeSecurityGroupRuleIds(r_, sg_, false, {egress_rule});
  EXPECT_EQ(wrong.status().code(), "InvalidSecurityGroupRuleId.NotFound");
  EXPECT_EQ(RevokeSecurityGroupRuleIds(r_, sg_, false, {"sgr-0123456789abcdef0"}).status().code(),
            "InvalidSecurityGroupRuleId.NotFound");
  EXPECT_EQ(RevokeSecurityGroupRuleIds(r_, sg_, false, {"rule-1"}).status().code(),
            "InvalidSecurityGroupRuleId.Malformed");
  auto ok = RevokeSecurityGroupRuleIds(r_, sg_, false, {added->front().id});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->revoked.size(), 1u);
  EXPECT_EQ(Ingress(), 0u);
}

TEST_F(SecurityGroupRulesTest, ModifyRewritesARuleInPlace) {
  auto added = AuthorizeSecurityGroupRules(r_, sg_, false,
                                           {Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}, {{"k", "v"}});
  ASSERT_TRUE(added.ok());
  cloud_.journal().TakeDirty();
  std::string id = added->front().id;
  Status s =
      ModifySecurityGroupRules(r_, sg_, {{id, Perm("udp", 53, 53, {V4("192.168.0.0/16", "dns")})}});
  ASSERT_TRUE(s.ok()) << s.ToString();
  const SecurityGroupRule& rule = group().rules.back();
  EXPECT_EQ(rule.id, id);
  EXPECT_EQ(rule.ip_protocol, "udp");
  EXPECT_EQ(rule.from_port, 53);
  EXPECT_EQ(rule.cidr->ToString(), "192.168.0.0/16");
  EXPECT_EQ(rule.description, "dns");
  EXPECT_EQ(rule.tags.at("k"), "v");
  EXPECT_FALSE(rule.is_egress);
}

TEST_F(SecurityGroupRulesTest, ModifyRejectsDuplicatesAndUnknownRules) {
  auto added = AuthorizeSecurityGroupRules(
      r_, sg_, false,
      {Perm("tcp", 22, 22, {V4("10.0.0.0/8")}), Perm("tcp", 80, 80, {V4("10.0.0.0/8")})}, {});
  ASSERT_TRUE(added.ok());
  cloud_.journal().TakeDirty();
  std::string second = (*added)[1].id;
  EXPECT_EQ(
      ModifySecurityGroupRules(r_, sg_, {{second, Perm("tcp", 22, 22, {V4("10.0.0.0/8")})}}).code(),
      "InvalidPermission.Duplicate");
  cloud_.journal().Rollback();
  EXPECT_EQ((*r_.security_groups.Find(sg_)).rules.back().from_port, 80);
  EXPECT_EQ(ModifySecurityGroupRules(
                r_, sg_, {{"sgr-0123456789abcdef0", Perm("tcp", 1, 1, {V4("1.0.0.0/8")})}})
                .code(),
            "InvalidSecurityGroupRuleId.NotFound");
  EXPECT_EQ(ModifySecurityGroupRules(r_, sg_, {{second, Perm("tcp", 9, 9, {})}}).code(),
            "InvalidParameterValue");
}

}  // namespace
}  // namespace minivpc
