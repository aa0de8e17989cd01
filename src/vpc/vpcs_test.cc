#include "vpc/vpcs.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/network_acls.h"
#include "vpc/network_interfaces.h"
#include "vpc/route_tables.h"
#include "vpc/subnets.h"

namespace minivpc {
namespace {

class VpcsTest : public ::testing::Test {
 protected:
  VpcsTest() : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {}

  std::string MakeVpc(const std::string& cidr, bool ipv6 = false) {
    CreateVpcArgs args;
    args.cidr_block = cidr;
    args.amazon_provided_ipv6 = ipv6;
    auto id = CreateVpc(r_, args);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    cloud_.journal().TakeDirty();
    return id.ok() ? *id : "";
  }

  SystemRandom random_{1};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
};

TEST_F(VpcsTest, AcceptsPrefixesFrom16To28Only) {
  for (const char* bad : {"10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/8"}) {
    CreateVpcArgs args;
    args.cidr_block = bad;
    auto id = CreateVpc(r_, args);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), "InvalidVpc.Range");
    cloud_.journal().Rollback();
  }
  EXPECT_FALSE(MakeVpc("10.0.0.0/16").empty());
  EXPECT_FALSE(MakeVpc("10.1.0.0/28").empty());
}

TEST_F(VpcsTest, CreatesMainTableDefaultAclAndDefaultGroup) {
  std::string id = MakeVpc("10.0.0.0/16", /*ipv6=*/true);
  const Vpc& vpc = *r_.vpcs.Find(id);
  ASSERT_EQ(vpc.ipv6_cidrs.size(), 1u);
  EXPECT_EQ(vpc.ipv6_cidrs[0].cidr.prefix(), 56);
  const RouteTable* main = r_.route_tables.Find(vpc.main_route_table_id);
  ASSERT_NE(main, nullptr);
  ASSERT_EQ(main->routes.size(), 2u);  // IPv4 and IPv6 local routes
  EXPECT_EQ(main->routes[0].gateway_id, "local");
  const NetworkAcl* acl = r_.network_acls.Find(vpc.default_acl_id);
  ASSERT_NE(acl, nullptr);
  EXPECT_TRUE(acl->is_default);
  EXPECT_TRUE(acl->entries[0].allow);
  const SecurityGroup* sg = r_.security_groups.Find(vpc.default_security_group_id);
  ASSERT_NE(sg, nullptr);
  EXPECT_EQ(sg->name, "default");
  EXPECT_EQ(sg->rules[0].referenced_group_id, sg->id);  // ingress from itself
}

TEST_F(VpcsTest, DeleteRemovesDefaultsButRefusesWithSubnets) {
  std::string id = MakeVpc("10.0.0.0/16");
  CreateSubnetArgs s;
  s.vpc_id = id;
  s.cidr_block = "10.0.1.0/24";
  auto sub = CreateSubnet(r_, s);
  ASSERT_TRUE(sub.ok());
  cloud_.journal().TakeDirty();
  Status st = DeleteVpc(r_, id);
  EXPECT_EQ(st.code(), "DependencyViolation");
  cloud_.journal().Rollback();
  ASSERT_TRUE(r_.vpcs.Contains(id));
  ASSERT_TRUE(DeleteSubnet(r_, *sub).ok());
  ASSERT_TRUE(DeleteVpc(r_, id).ok());
  EXPECT_EQ(r_.vpcs.size(), 0u);
  EXPECT_EQ(r_.route_tables.size(), 0u);
  EXPECT_EQ(r_.network_acls.size(), 0u);
  EXPECT_EQ(r_.security_groups.size(), 0u);
}

TEST_F(VpcsTest, RollbackRestoresEverythingAFailedCallTouched) {
  std::string id = MakeVpc("10.0.0.0/16");
  size_t tables = r_.route_tables.size();
  auto assoc = AssociateVpcCidrBlock(r_, id, "10.1.0.0/16", false);
  ASSERT_TRUE(assoc.ok());
  EXPECT_EQ(r_.route_tables.Find(r_.vpcs.Find(id)->main_route_table_id)->routes.size(), 2u);
  cloud_.journal().Rollback();
  EXPECT_EQ(r_.vpcs.Find(id)->cidrs.size(), 1u);
  EXPECT_EQ(r_.route_tables.Find(r_.vpcs.Find(id)->main_route_table_id)->routes.size(), 1u);
  EXPECT_EQ(r_.route_tables.size(), tables);
}

TEST_F(VpcsTest, SecondaryCidrMustNotOverlapAndPrimaryCannotBeRemoved) {
  std::string id = MakeVpc("10.0.0.0/16");
  EXPECT_EQ(AssociateVpcCidrBlock(r_, id, "10.0.128.0/17", false).status().code(),
            "InvalidVpc.Range");
  cloud_.journal().Rollback();
  const std::string primary = r_.vpcs.Find(id)->cidrs[0].association_id;
  EXPECT_EQ(DisassociateVpcCidrBlock(r_, primary).status().code(), "OperationNotPermitted");
}

TEST_F(VpcsTest, DefaultVpcMatchesAwsLayout) {
  auto id = CreateDefaultVpc(r_);
  ASSERT_TRUE(id.ok());
  const Vpc& vpc = *r_.vpcs.Find(*id);
  EXPECT_TRUE(vpc.is_default);
  EXPECT_EQ(vpc.cidr.ToString(), "172.31.0.0/16");
  ASSERT_EQ(r_.subnets_by_vpc[*id].size(), r_.availability_zones().size());
  std::set<std::string> zones;
  for (const auto& sid : r_.subnets_by_vpc[*id]) {
    const Subnet& s = *r_.subnets.Find(sid);
    EXPECT_EQ(s.cidr.prefix(), 20);
    EXPECT_TRUE(s.map_public_ip_on_launch);
    EXPECT_TRUE(s.default_for_az);
    zones.insert(s.availability_zone);
  }
  EXPECT_EQ(zones.size(), r_.availability_zones().size());
  ASSERT_EQ(r_.internet_gateways.size(), 1u);
  const InternetGateway& igw = r_.internet_gateways.rows().begin()->second;
  EXPECT_EQ(igw.vpc_id, *id);
  const RouteTable& main = *r_.route_tables.Find(vpc.main_route_table_id);
  ASSERT_EQ(main.routes.size(), 2u);
  EXPECT_EQ(main.routes[1].destination.ToString(), "0.0.0.0/0");
  EXPECT_EQ(main.routes[1].gateway_id, igw.id);
  EXPECT_EQ(CreateDefaultVpc(r_).status().code(), "DefaultVpcAlreadyExists");
}

// The routes of `table` whose destination is `cidr`.
int RoutesTo(const RouteTable& table, const std::string& cidr) {
  int n = 0;
  for (const auto& rt : table.routes) n += rt.destination.ToString() == cidr;
  return n;
}

bool HasAclEntry(const NetworkAcl& acl, int number, bool egress, const std::string& cidr) {
  for (const auto& e : acl.entries) {
    if (e.rule_number == number && e.egress == egress && e.allow && e.protocol == "-1" && e.cidr &&
        e.cidr->ToString() == cidr) {
      return true;
    }
  }
  return false;
}

int Ipv6AllowAllEgressRules(const SecurityGroup& g) {
  int n = 0;
  for (const auto& rule : g.rules) {
    n += rule.is_egress && rule.ip_protocol == "-1" && rule.cidr && rule.cidr->ToString() == "::/0";
  }
  return n;
}

TEST_F(VpcsTest, CreatingWithIpv6AddsTheIpv6DefaultRules) {
  const Vpc& vpc = *r_.vpcs.Find(MakeVpc("10.0.0.0/16", /*ipv6=*/true));
  const NetworkAcl& acl = *r_.network_acls.Find(vpc.default_acl_id);
  EXPECT_TRUE(HasAclEntry(acl, 101, false, "::/0"));
  EXPECT_TRUE(HasAclEntry(acl, 101, true, "::/0"));
  EXPECT_EQ(Ipv6AllowAllEgressRules(*r_.security_groups.Find(vpc.default_security_group_id)), 1);
}

TEST_F(VpcsTest, AssociatingIpv6AddsTheDefaultAclAndGroupRulesOnce) {
  std::string id = MakeVpc("10.0.0.0/16");
  const Vpc* vpc = r_.vpcs.Find(id);
  EXPECT_FALSE(HasAclEntry(*r_.network_acls.Find(vpc->default_acl_id), 101, false, "::/0"));
  auto assoc = AssociateVpcCidrBlock(r_, id, "", /*amazon_ipv6=*/true);
  ASSERT_TRUE(assoc.ok()) << assoc.status().ToString();
  const NetworkAcl& acl = *r_.network_acls.Find(vpc->default_acl_id);
  EXPECT_TRUE(HasAclEntry(acl, 101, false, "::/0"));
  EXPECT_TRUE(HasAclEntry(acl, 101, true, "::/0"));
  EXPECT_EQ(acl.entries.size(), 4u);
  EXPECT_EQ(Ipv6AllowAllEgressRules(*r_.security_groups.Find(vpc->default_security_group_id)), 1);
  // Removing and adding the block again does not duplicate them.
  ASSERT_TRUE(DisassociateVpcCidrBlock(r_, assoc->association.association_id).ok());
  ASSERT_TRUE(AssociateVpcCidrBlock(r_, id, "", true).ok());
  EXPECT_EQ(r_.network_acls.Find(vpc->default_acl_id)->entries.size(), 4u);
  EXPECT_EQ(Ipv6AllowAllEgressRules(*r_.security_groups.Find(vpc->default_security_group_id)), 1);
}

TEST_F(VpcsTest, AssociatingIpv6SkipsADirectionOfTheDefaultAclTheUserChanged) {
  std::string id = MakeVpc("10.0.0.0/16");
  std::string acl_id = r_.vpcs.Find(id)->default_acl_id;
  NetworkAclEntrySpec deny;
  deny.rule_number = 50;
  deny.protocol = "6";
  deny.rule_action = "deny";
  deny.egress = false;
  deny.cidr_block = "192.0.2.0/24";
  deny.port_from = 22;
  deny.port_to = 22;
  ASSERT_TRUE(CreateNetworkAclEntry(r_, acl_id, deny).ok());
  ASSERT_TRUE(AssociateVpcCidrBlock(r_, id, "", true).ok());
  const NetworkAcl& acl = *r_.network_acls.Find(acl_id);
  EXPECT_FALSE(HasAclEntry(acl, 101, false, "::/0"));  // ingress was modified
  EXPECT_TRUE(HasAclEntry(acl, 101, true, "::/0"));
}

TEST_F(VpcsTest, DisassociatingRemovesTheLocalRouteEvenWithAnInterfaceTarget) {
  std::string id = MakeVpc("10.0.0.0/16");
  auto block = AssociateVpcCidrBlock(r_, id, "10.1.0.0/16", false);
  ASSERT_TRUE(block.ok());
  auto custom = CreateRouteTable(r_, id, {});
  ASSERT_TRUE(custom.ok());
  CreateSubnetArgs s;
  s.vpc_id = id;
  s.cidr_block = "10.0.1.0/24";
  auto subnet = CreateSubnet(r_, s);
  ASSERT_TRUE(subnet.ok());
  CreateNetworkInterfaceArgs e;
  e.subnet_id = *subnet;
  auto eni = CreateNetworkInterface(r_, e);
  ASSERT_TRUE(eni.ok()) << eni.status().ToString();
  // AWS lets a local route's target be replaced by a network interface.
  RouteArgs replace;
  replace.route_table_id = *custom;
  replace.destination_cidr_block = "10.1.0.0/16";
  replace.network_interface_id = *eni;
  ASSERT_TRUE(ReplaceRoute(r_, replace).ok());

  ASSERT_TRUE(DisassociateVpcCidrBlock(r_, block->association.association_id).ok());
  const std::string main = r_.vpcs.Find(id)->main_route_table_id;
  EXPECT_EQ(RoutesTo(*r_.route_tables.Find(main), "10.1.0.0/16"), 0);
  EXPECT_EQ(RoutesTo(*r_.route_tables.Find(*custom), "10.1.0.0/16"), 0);

  ASSERT_TRUE(AssociateVpcCidrBlock(r_, id, "10.1.0.0/16", false).ok());
  for (const std::string& t : {main, *custom}) {
    const RouteTable& table = *r_.route_tables.Find(t);
    ASSERT_EQ(RoutesTo(table, "10.1.0.0/16"), 1) << t;
    for (const auto& rt : table.routes) {
      if (rt.destination.ToString() == "10.1.0.0/16") {
        EXPECT_TRUE(IsLocalRoute(rt));
      }
    }
  }
}

}  // namespace
}  // namespace minivpc
