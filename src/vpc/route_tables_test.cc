#include "vpc/route_tables.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/internet_gateways.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

class RouteTablesTest : public ::testing::Test {
 protected:
  RouteTablesTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    vpc_ = MakeVpc("10.0.0.0/16", /*ipv6=*/true);
    subnet_ = MakeSubnet(vpc_, "10.0.1.0/24");
    rtb_ = MakeTable(vpc_);
  }

  std::string MakeVpc(const std::string& cidr, bool ipv6 = false) {
    CreateVpcArgs args;
    args.cidr_block = cidr;
    args.amazon_provided_ipv6 = ipv6;
    return Done(CreateVpc(r_, args));
  }
  std::string MakeSubnet(const std::string& vpc, const std::string& cidr) {
    CreateSubnetArgs args;
    args.vpc_id = vpc;
    args.cidr_block = cidr;
    return Done(CreateSubnet(r_, args));
  }
  std::string MakeTable(const std::string& vpc) { return Done(CreateRouteTable(r_, vpc, {})); }
  std::string MakeAttachedIgw(const std::string& vpc) {
    std::string igw = Done(CreateInternetGateway(r_, {}));
    Ok(AttachInternetGateway(r_, igw, vpc));
    return igw;
  }
  // An ENI row in `subnet`, attached to `instance` when given.
  std::string MakeEni(const std::string& subnet, const std::string& ip,
                      const std::string& instance = "", int device_index = 0) {
    const Subnet& s = *r_.subnets.Find(subnet);
    NetworkInterface eni;
    eni.id = r_.NewId("eni");
    eni.subnet_id = subnet;
    eni.vpc_id = s.vpc_id;
    eni.owner_id = r_.account_id;
    eni.mac = cloud_.AllocateMac();
    eni.private_ips.push_back({IpAddress::ParseV4(ip).value(), true, std::nullopt});
    if (!instance.empty()) {
      eni.attachment =
          EniAttachment{r_.NewId("eni-attach"), instance, device_index, 0, true, "attached"};
    }
    r_.enis.Put(eni);
    cloud_.journal().TakeDirty();
    return eni.id;
  }
  std::string MakeInstance(const std::string& subnet, const std::string& ip) {
    Instance inst;
    inst.id = r_.NewId("i");
    inst.subnet_id = subnet;
    inst.vpc_id = r_.subnets.Find(subnet)->vpc_id;
    inst.state = "running";
    inst.primary_eni_id = MakeEni(subnet, ip, inst.id);
    r_.instances.Put(inst);
    cloud_.journal().TakeDirty();
    return inst.id;
  }

  RouteArgs Args(const std::string& dest) {
    RouteArgs a;
    a.route_table_id = rtb_;
    (dest.find(':') == std::string::npos ? a.destination_cidr_block
                                         : a.destination_ipv6_cidr_block) = dest;
    return a;
  }
  const Route* FindRoute(const std::string& rtb, const std::string& dest) {
    for (const auto& route : r_.route_tables.Find(rtb)->routes) {
      if (route.destination.ToString() == dest) return &route;
    }
    return nullptr;
  }
  std::string State(const std::string& dest) {
    const RouteTable& t = *r_.route_tables.Find(rtb_);
    const Route* route = FindRoute(rtb_, dest);
    return route ? RouteState(r_, t, *route) : "missing";
  }

  template <typename T>
  T Done(StatusOr<T> v) {
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    cloud_.journal().TakeDirty();
    return v.ok() ? *v : T{};
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
  std::string vpc_, subnet_, rtb_;
};

TEST_F(RouteTablesTest, NewTableHasOneLocalRoutePerVpcBlock) {
  const RouteTable& t = *r_.route_tables.Find(rtb_);
  ASSERT_EQ(t.routes.size(), 2u);
  for (const auto& route : t.routes) {
    EXPECT_TRUE(IsLocalRoute(route));
    EXPECT_EQ(route.gateway_id, "local");
    EXPECT_EQ(RouteState(r_, t, route), "active");
  }
  EXPECT_TRUE(AssociationsOf(r_, t).empty());
}

TEST_F(RouteTablesTest, SubnetUsesMainTableUntilExplicitlyAssociated) {
  const Vpc& vpc = *r_.vpcs.Find(vpc_);
  EXPECT_EQ(RouteTableForSubnet(r_, *r_.subnets.Find(subnet_))->id, vpc.main_route_table_id);
  std::string assoc = Done(AssociateRouteTable(r_, rtb_, subnet_));
  EXPECT_EQ(assoc.rfind("rtbassoc-", 0), 0u);
  EXPECT_EQ(RouteTableForSubnet(r_, *r_.subnets.Find(subnet_))->id, rtb_);
  auto assocs = AssociationsOf(r_, *r_.route_tables.Find(rtb_));
  ASSERT_EQ(assocs.size(), 1u);
  EXPECT_EQ(assocs[0].subnet_id, subnet_);
  EXPECT_FALSE(assocs[0].main);

  Ok(DisassociateRouteTable(r_, assoc));
  EXPECT_EQ(RouteTableForSubnet(r_, *r_.subnets.Find(subnet_))->id, vpc.main_route_table_id);
  Fails(DisassociateRouteTable(r_, assoc), "InvalidAssociationID.NotFound");
  Fails(DisassociateRouteTable(r_, "rtbassoc-xyz"), "InvalidAssociationID.Malformed");
}

TEST_F(RouteTablesTest, SubnetHasExactlyOneAssociation) {
  std::string other = MakeTable(vpc_);
  std::string assoc = Done(AssociateRouteTable(r_, rtb_, subnet_));
  Fails(AssociateRouteTable(r_, other, subnet_).status(), "Resource.AlreadyAssociated");
  Fails(AssociateRouteTable(r_, rtb_, subnet_).status(), "Resource.AlreadyAssociated");
  EXPECT_EQ(r_.subnets.Find(subnet_)->route_association_id, assoc);
  // ReplaceRouteTableAssociation moves it and issues a new id.
  std::string moved = Done(ReplaceRouteTableAssociation(r_, assoc, other));
  EXPECT_NE(moved, assoc);
  EXPECT_EQ(r_.subnets.Find(subnet_)->route_table_id, other);
}

TEST_F(RouteTablesTest, TableAndSubnetMustShareTheVpc) {
  std::string vpc2 = MakeVpc("10.9.0.0/16");
  std::string foreign = MakeTable(vpc2);
  Status st = AssociateRouteTable(r_, foreign, subnet_).status();
  EXPECT_NE(st.message().find("belong to different networks"), std::string::npos);
  Fails(st, "InvalidParameterValue");
  std::string assoc = Done(AssociateRouteTable(r_, rtb_, subnet_));
  Fails(ReplaceRouteTableAssociation(r_, assoc, foreign).status(), "InvalidParameterValue");
  Fails(AssociateRouteTable(r_, "rtb-0123456789abcdef0", subnet_).status(),
        "InvalidRouteTableID.NotFound");
  Fails(AssociateRouteTable(r_, "rtb-zz", subnet_).status(), "InvalidRouteTableId.Malformed");
}

TEST_F(RouteTablesTest, MainAssociationCanOnlyBeReplaced) {
  const std::string old_main = r_.vpcs.Find(vpc_)->main_route_table_id;
  const std::string main_assoc = r_.vpcs.Find(vpc_)->main_association_id;
  Fails(DisassociateRouteTable(r_, main_assoc), "InvalidParameterValue");
  Fails(DeleteRouteTable(r_, old_main), "DependencyViolation");

  std::string new_assoc = Done(ReplaceRouteTableAssociation(r_, main_assoc, rtb_));
  const Vpc& vpc = *r_.vpcs.Find(vpc_);
  EXPECT_EQ(vpc.main_route_table_id, rtb_);
  EXPECT_EQ(vpc.main_association_id, new_assoc);
  EXPECT_NE(new_assoc, main_assoc);
  EXPECT_EQ(RouteTableForSubnet(r_, *r_.subnets.Find(subnet_))->id, rtb_);
  auto assocs = AssociationsOf(r_, *r_.route_tables.Find(rtb_));
  ASSERT_EQ(assocs.size(), 1u);
  EXPECT_TRUE(assocs[0].main);
  // The old main table is an ordinary table now.
  Ok(DeleteRouteTable(r_, old_main));
  Fails(DeleteRouteTable(r_, rtb_), "DependencyViolation");
}

TEST_F(RouteTablesTest, TableWithSubnetsCannotBeDeleted) {
  std::string assoc = Done(AssociateRouteTable(r_, rtb_, subnet_));
  Fails(DeleteRouteTable(r_, rtb_), "DependencyViolation");
  Ok(DisassociateRouteTable(r_, assoc));
  Ok(DeleteRouteTable(r_, rtb_));
  Fails(DeleteRouteTable(r_, rtb_), "InvalidRouteTableID.NotFound");
}

TEST_F(RouteTablesTest, GatewayRouteTurnsBlackholeWhenDetachedOrDeleted) {
  std::string igw = MakeAttachedIgw(vpc_);
  RouteArgs a = Args("0.0.0.0/0");
  a.gateway_id = igw;
  Ok(CreateRoute(r_, a));
  EXPECT_EQ(FindRoute(rtb_, "0.0.0.0/0")->origin, "CreateRoute");
  EXPECT_EQ(State("0.0.0.0/0"), "active");
  Ok(DetachInternetGateway(r_, igw, vpc_));
  EXPECT_EQ(State("0.0.0.0/0"), "blackhole");
  Ok(AttachInternetGateway(r_, igw, vpc_));
  EXPECT_EQ(State("0.0.0.0/0"), "active");
  Ok(DetachInternetGateway(r_, igw, vpc_));
  Ok(DeleteInternetGateway(r_, igw));
  EXPECT_EQ(State("0.0.0.0/0"), "blackhole");
}

TEST_F(RouteTablesTest, GatewayMustBeAttachedToTheTablesVpc) {
  std::string igw = Done(CreateInternetGateway(r_, {}));
  RouteArgs a = Args("0.0.0.0/0");
  a.gateway_id = igw;
  Status st = CreateRoute(r_, a);
  EXPECT_NE(st.message().find("belong to different networks"), std::string::npos);
  Fails(st, "InvalidParameterValue");
  a.gateway_id = "igw-0123456789abcdef0";
  Fails(CreateRoute(r_, a), "InvalidGatewayID.NotFound");
  a.gateway_id = "vgw-0123456789abcdef0";
  Fails(CreateRoute(r_, a), "InvalidGatewayID.NotFound");
  EXPECT_EQ(r_.route_tables.Find(rtb_)->routes.size(), 2u);
}

TEST_F(RouteTablesTest, DestinationRules) {
  std::string igw = MakeAttachedIgw(vpc_);
  RouteArgs a = Args("100.68.0.18/18");
  a.gateway_id = igw;
  Ok(CreateRoute(r_, a));  // canonicalised, as EC2 does
  EXPECT_NE(FindRoute(rtb_, "100.68.0.0/18"), nullptr);
  Fails(CreateRoute(r_, a), "RouteAlreadyExists");
  Fails(CreateRoute(r_, Args("10.0.0.0/16")), "MissingParameter");  // no target
  a.destination_cidr_block = "10.0.0.0/16";                         // the local route's
  Fails(CreateRoute(r_, a), "RouteAlreadyExists");
  for (const char* bad : {"banana", "10.0.0.0", "10.0.0.0/33", "::/0", "10.0.0.0/-1"}) {
    a.destination_cidr_block = bad;
    Fails(CreateRoute(r_, a), "InvalidParameterValue");
  }
  a.destination_cidr_block = "";
  Fails(CreateRoute(r_, a), "MissingParameter");
  a.destination_cidr_block = "0.0.0.0/0";
  a.destination_ipv6_cidr_block = "::/0";
  Fails(CreateRoute(r_, a), "InvalidParameterCombination");
  a.destination_cidr_block = "";
  Ok(CreateRoute(r_, a));
  EXPECT_EQ(State("::/0"), "active");
}

TEST_F(RouteTablesTest, ExactlyOneModelledTarget) {
  std::string igw = MakeAttachedIgw(vpc_);
  std::string eni = MakeEni(subnet_, "10.0.1.10");
  RouteArgs a = Args("0.0.0.0/0");
  a.gateway_id = igw;
  a.network_interface_id = eni;
  Fails(CreateRoute(r_, a), "InvalidParameterCombination");
  RouteArgs nat = Args("0.0.0.0/0");
  nat.other_targets = {{"NatGatewayId", "nat-0123456789abcdef0"}};
  Fails(CreateRoute(r_, nat), "NatGatewayNotFound");
  nat.other_targets = {{"VpcPeeringConnectionId", "pcx-0123456789abcdef0"}};
  Fails(CreateRoute(r_, nat), "InvalidVpcPeeringConnectionID.NotFound");
  nat.other_targets = {{"CoreNetworkArn", "arn:aws:networkmanager::1:core-network/x"}};
  Fails(CreateRoute(r_, nat), "InvalidParameterValue");
  RouteArgs pl = Args("0.0.0.0/0");
  pl.destination_cidr_block.clear();
  pl.destination_prefix_list_id = "pl-0123456789abcdef0";
  pl.gateway_id = igw;
  Fails(CreateRoute(r_, pl), "InvalidPrefixListID.NotFound");
}

TEST_F(RouteTablesTest, LocalRouteCannotBeDeletedOrPointedAtAGateway) {
  std::string igw = MakeAttachedIgw(vpc_);
  Status del = DeleteRoute(r_, Args("10.0.0.0/16"));
  EXPECT_NE(del.message().find("cannot remove local route"), std::string::npos);
  Fails(del, "InvalidParameterValue");
  RouteArgs a = Args("10.0.0.0/16");
  a.gateway_id = igw;
  Status rep = ReplaceRoute(r_, a);
  EXPECT_NE(rep.message().find("cannot replace local route"), std::string::npos);
  Fails(rep, "InvalidParameterValue");
  EXPECT_EQ(FindRoute(rtb_, "10.0.0.0/16")->gateway_id, "local");
}

TEST_F(RouteTablesTest, LocalRouteTargetCanBeReplacedByAnInterfaceAndRestored) {
  std::string eni = MakeEni(subnet_, "10.0.1.10");
  RouteArgs a = Args("10.0.0.0/16");
  a.network_interface_id = eni;
  Ok(ReplaceRoute(r_, a));
  const Route* local = FindRoute(rtb_, "10.0.0.0/16");
  EXPECT_TRUE(IsLocalRoute(*local));
  EXPECT_EQ(local->network_interface_id, eni);
  EXPECT_TRUE(local->gateway_id.empty());
  RouteArgs restore = Args("10.0.0.0/16");
  restore.local_target = true;
  Ok(ReplaceRoute(r_, restore));
  EXPECT_EQ(FindRoute(rtb_, "10.0.0.0/16")->gateway_id, "local");
  EXPECT_TRUE(FindRoute(rtb_, "10.0.0.0/16")->network_interface_id.empty());
}

TEST_F(RouteTablesTest, RoutesInsideTheVpcMustBeSubnetCidrsToAnInterface) {
  std::string igw = MakeAttachedIgw(vpc_);
  std::string eni = MakeEni(subnet_, "10.0.1.10");
  RouteArgs a = Args("10.0.1.0/24");
  a.gateway_id = igw;
  Fails(CreateRoute(r_, a), "InvalidParameterValue");
  RouteArgs b = Args("10.0.2.0/24");  // not a subnet
  b.network_interface_id = eni;
  Fails(CreateRoute(r_, b), "InvalidParameterValue");
  RouteArgs c = Args("10.0.1.0/24");
  c.network_interface_id = eni;
  Ok(CreateRoute(r_, c));
  EXPECT_EQ(State("10.0.1.0/24"), "active");
  c.network_interface_id.clear();
  c.gateway_id = igw;
  Fails(ReplaceRoute(r_, c), "InvalidParameterValue");
}

TEST_F(RouteTablesTest, InterfaceRouteTurnsBlackholeWhenInterfaceIsDeleted) {
  std::string eni = MakeEni(subnet_, "10.0.1.10");
  RouteArgs a = Args("192.168.0.0/16");
  a.network_interface_id = eni;
  Ok(CreateRoute(r_, a));
  EXPECT_EQ(State("192.168.0.0/16"), "active");
  r_.enis.Erase(eni);
  cloud_.journal().TakeDirty();
  EXPECT_EQ(State("192.168.0.0/16"), "blackhole");
  Fails(CreateRoute(r_, Args("0.0.0.0/0")), "MissingParameter");
  RouteArgs gone = Args("0.0.0.0/0");
  gone.network_interface_id = eni;
  Fails(CreateRoute(r_, gone), "InvalidNetworkInterfaceID.NotFound");
}

TEST_F(RouteTablesTest, InterfaceMustBeInTheTablesVpc) {
  std::string vpc2 = MakeVpc("10.9.0.0/16");
  std::string eni = MakeEni(MakeSubnet(vpc2, "10.9.1.0/24"), "10.9.1.10");
  RouteArgs a = Args("0.0.0.0/0");
  a.network_interface_id = eni;
  Fails(CreateRoute(r_, a), "InvalidParameterValue");
}

TEST_F(RouteTablesTest, InstanceTargetResolvesToItsInterface) {
  std::string inst = MakeInstance(subnet_, "10.0.1.20");
  RouteArgs a = Args("0.0.0.0/0");
  a.instance_id = inst;
  Ok(CreateRoute(r_, a));
  const Route* route = FindRoute(rtb_, "0.0.0.0/0");
  EXPECT_EQ(route->instance_id, inst);
  EXPECT_EQ(route->network_interface_id, r_.instances.Find(inst)->primary_eni_id);
  EXPECT_EQ(RouteInstanceId(r_, *route), inst);
  EXPECT_EQ(State("0.0.0.0/0"), "active");
  r_.instances.Update(inst, [](Instance& i) { i.state = "terminated"; });
  cloud_.journal().TakeDirty();
  EXPECT_EQ(State("0.0.0.0/0"), "blackhole");
}

TEST_F(RouteTablesTest, InstanceWithSeveralInterfacesNeedsAnInterfaceId) {
  std::string inst = MakeInstance(subnet_, "10.0.1.20");
  MakeEni(subnet_, "10.0.1.21", inst, 1);
  RouteArgs a = Args("0.0.0.0/0");
  a.instance_id = inst;
  Status st = CreateRoute(r_, a);
  EXPECT_NE(st.message().find("multiple interfaces"), std::string::npos);
  Fails(st, "InvalidInstanceID");
  a.instance_id = "i-0123456789abcdef0";
  Fails(CreateRoute(r_, a), "InvalidInstanceID.NotFound");
}

TEST_F(RouteTablesTest, ReplaceAndDeleteNeedAnExistingRoute) {
  std::string igw = MakeAttachedIgw(vpc_);
  std::string eni = MakeEni(subnet_, "10.0.1.10");
  RouteArgs a = Args("0.0.0.0/0");
  a.gateway_id = igw;
  Fails(ReplaceRoute(r_, a), "InvalidParameterValue");
  Fails(DeleteRoute(r_, a), "InvalidRoute.NotFound");
  Ok(CreateRoute(r_, a));
  a.gateway_id.clear();
  a.network_interface_id = eni;
  Ok(ReplaceRoute(r_, a));
  EXPECT_EQ(FindRoute(rtb_, "0.0.0.0/0")->network_interface_id, eni);
  EXPECT_EQ(FindRoute(rtb_, "0.0.0.0/0")->origin, "CreateRoute");
  Ok(DeleteRoute(r_, Args("0.0.0.0/0")));
  EXPECT_EQ(FindRoute(rtb_, "0.0.0.0/0"), nullptr);
}

TEST_F(RouteTablesTest, EnforcesRoutesPerTableQuota) {
  std::string igw = MakeAttachedIgw(vpc_);
  for (size_t i = 0; i < kMaxRoutesPerTable; ++i) {
    RouteArgs a = Args("172.16." + std::to_string(i) + ".0/24");
    a.gateway_id = igw;
    Ok(CreateRoute(r_, a));
  }
  RouteArgs a = Args("172.17.0.0/24");
  a.gateway_id = igw;
  Fails(CreateRoute(r_, a), "RouteLimitExceeded");
}

TEST_F(RouteTablesTest, CreateRouteTableChecksTheVpc) {
  Fails(CreateRouteTable(r_, "vpc-0123456789abcdef0", {}).status(), "InvalidVpcID.NotFound");
  Fails(CreateRouteTable(r_, "vpc-x", {}).status(), "InvalidVpcID.Malformed");
}

}  // namespace
}  // namespace minivpc
