#include "analysis/reference_evaluator.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"

namespace minivpc::analysis {
namespace {

using dp::DropReason;
using dp::Outcome;

IpAddress Ip(const char* text) { return IpAddress::Parse(text).value(); }
Cidr Net(const char* text) { return Cidr::Parse(text).value(); }

// Row factories (plain assignments: the rows have too many fields for
// designated initializers).
Route ToGateway(const char* dest, const std::string& gateway) {
  Route r;
  r.destination = Net(dest);
  r.gateway_id = gateway;
  return r;
}
Route ToEni(const char* dest, const std::string& eni, const std::string& instance = "") {
  Route r;
  r.destination = Net(dest);
  r.network_interface_id = eni;
  r.instance_id = instance;
  return r;
}
SecurityGroupRule Rule(bool egress, const std::string& proto, int from, int to, const char* cidr) {
  SecurityGroupRule rule;
  rule.is_egress = egress;
  rule.ip_protocol = proto;
  rule.from_port = from;
  rule.to_port = to;
  if (cidr) rule.cidr = Net(cidr);
  return rule;
}
template <typename T>
T Row(const std::string& id, const std::string& vpc_id) {
  T row;
  row.id = id;
  row.vpc_id = vpc_id;
  return row;
}
Subnet MakeSubnet(const std::string& id, const char* cidr, const std::string& acl) {
  auto s = Row<Subnet>(id, "vpc-1");
  s.cidr = Net(cidr);
  s.network_acl_id = acl;
  return s;
}

// Hand-built rows, put straight into the tables: one VPC 10.0.0.0/16 with
// 2600:1f00:0:100::/56, subnets "a" (10.0.1.0/24) and "b" (10.0.2.0/24)
// sharing an allow-all ACL and the main route table (local routes only).
class ReferenceEvaluatorTest : public ::testing::Test {
 protected:
  ReferenceEvaluatorTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    Vpc vpc;
    vpc.id = "vpc-1";
    vpc.cidr = Net("10.0.0.0/16");
    vpc.ipv6_cidrs.push_back({"assoc", Net("2600:1f00:0:100::/56"), "associated"});
    vpc.main_route_table_id = "rtb-main";
    r_.vpcs.Put(vpc);
    auto main = Row<RouteTable>("rtb-main", "vpc-1");
    main.routes = {ToGateway("10.0.0.0/16", "local"), ToGateway("2600:1f00:0:100::/56", "local")};
    r_.route_tables.Put(main);
    auto acl = Row<NetworkAcl>("acl-open", "vpc-1");
    for (bool egress : {false, true}) {
      acl.entries.push_back(Entry(100, egress, "-1", true, "0.0.0.0/0"));
      acl.entries.push_back(Entry(101, egress, "-1", true, "::/0"));
    }
    r_.network_acls.Put(acl);
    r_.network_acls.Put(Row<NetworkAcl>("acl-closed", "vpc-1"));
    r_.subnets.Put(MakeSubnet("subnet-a", "10.0.1.0/24", "acl-open"));
    r_.subnets.Put(MakeSubnet("subnet-b", "10.0.2.0/24", "acl-open"));
    auto open = Row<SecurityGroup>("sg-open", "vpc-1");
    for (bool egress : {false, true}) {
      open.rules.push_back(Rule(egress, "-1", -1, -1, "0.0.0.0/0"));
      open.rules.push_back(Rule(egress, "-1", -1, -1, "::/0"));
    }
    r_.security_groups.Put(open);
    r_.security_groups.Put(Row<SecurityGroup>("sg-none", "vpc-1"));
    r_.internet_gateways.Put(Row<InternetGateway>("igw-1", "vpc-1"));
    r_.internet_gateways.Put(Row<InternetGateway>("igw-loose", ""));
    Eni("eni-a", "subnet-a", "10.0.1.10", "2600:1f00:0:100::a");
    Eni("eni-b", "subnet-b", "10.0.2.10", "2600:1f00:0:100::b");
    cloud_.journal().TakeDirty();
  }

  static NetworkAclEntry Entry(int number, bool egress, const char* proto, bool allow,
                               const char* cidr) {
    NetworkAclEntry e;
    e.rule_number = number;
    e.egress = egress;
    e.protocol = proto;
    e.allow = allow;
    e.cidr = Net(cidr);
    return e;
  }

  // An ENI in the open group, attached to a running instance "i-" + id.
  void Eni(const std::string& id, const std::string& subnet, const char* ip, const char* ip6) {
    std::string instance = "i-" + id.substr(4);
    auto inst = Row<Instance>(instance, "vpc-1");
    inst.state = "running";
    r_.instances.Put(inst);
    auto eni = Row<NetworkInterface>(id, "vpc-1");
    eni.subnet_id = subnet;
    eni.private_ips.push_back({Ip(ip), true, std::nullopt});
    eni.ipv6_addresses.push_back(Ip(ip6));
    eni.group_ids = {"sg-open"};
    eni.attachment = EniAttachment();
    eni.attachment->id = "eni-attach-" + id;
    eni.attachment->instance_id = instance;
    r_.enis.Put(eni);
  }
  template <typename F>
  void EditEni(const std::string& id, F f) {
    r_.enis.Update(id, f);
  }
  template <typename F>
  void EditGroup(const std::string& id, F f) {
    r_.security_groups.Update(id, f);
  }
  void AddRoute(const std::string& table, Route route) {
    r_.route_tables.Update(table, [&](RouteTable& t) { t.routes.push_back(route); });
  }
  void SetAcl(const std::string& subnet, const std::string& acl) {
    r_.subnets.Update(subnet, [&](Subnet& s) { s.network_acl_id = acl; });
  }
  void AddEntry(const std::string& acl, NetworkAclEntry e) {
    r_.network_acls.Update(acl, [&](NetworkAcl& a) { a.entries.push_back(e); });
  }
  void MapPublic(const std::string& eni, const char* public_ip) {
    EditEni(eni, [&](NetworkInterface& e) {
      e.private_ips[0].association = PublicIpAssociation{Ip(public_ip), "", ""};
    });
  }

  RefResult Send(const std::string& from, const char* src, const char* dst, uint8_t proto = 6,
                 uint16_t port = 443) {
    return Run(RefIngress::FromEni(from), src, dst, proto, port);
  }
  RefResult Enter(const std::string& igw, const char* src, const char* dst, uint8_t proto = 6,
                  uint16_t port = 443) {
    return Run(RefIngress::FromInternet(igw), src, dst, proto, port);
  }
  RefResult Run(const RefIngress& in, const char* src, const char* dst, uint8_t proto,
                uint16_t port) {
    dp::PacketHeaders h;
    h.src = Ip(src);
    h.dst = Ip(dst);
    h.family = h.dst.family();
    h.protocol = proto;
    h.src_port = 40000;
    if (proto == 1 || proto == 58) {
      h.icmp_type = static_cast<uint8_t>(port);
    } else {
      h.dst_port = port;
    }
    return Evaluate(r_, h, in);
  }

  SystemRandom random_{7};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
};

void ExpectDelivered(const RefResult& r, const std::string& eni) {
  EXPECT_EQ(r.outcome, Outcome::kDeliveredToEni) << r.ToString();
  EXPECT_EQ(r.eni_id, eni);
}

void ExpectDrop(const RefResult& r, DropReason reason) {
  EXPECT_EQ(r.outcome, Outcome::kDropped) << r.ToString();
  EXPECT_EQ(r.reason, reason) << r.ToString();
}

TEST_F(ReferenceEvaluatorTest, DeliversLocallyInsideTheVpc) {
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.2.10"), "eni-b");
  ExpectDelivered(Send("eni-a", "2600:1f00:0:100::a", "2600:1f00:0:100::b"), "eni-b");
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.99"), DropReason::kNoDestination);
}

TEST_F(ReferenceEvaluatorTest, SenderMustBeAttachedToARunningInstance) {
  r_.instances.Update("i-a", [](Instance& i) { i.state = "stopped"; });
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kEniNotActive);
  EditEni("eni-a", [](NetworkInterface& e) { e.attachment.reset(); });
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kEniNotActive);
  ExpectDrop(Send("eni-nope", "10.0.1.10", "10.0.2.10"), DropReason::kEniNotActive);
}

TEST_F(ReferenceEvaluatorTest, SourceDestCheckRefusesForeignSources) {
  ExpectDrop(Send("eni-a", "10.0.1.99", "10.0.2.10"), DropReason::kSourceDestCheck);
  EditEni("eni-a", [](NetworkInterface& e) { e.source_dest_check = false; });
  ExpectDelivered(Send("eni-a", "10.0.1.99", "10.0.2.10"), "eni-b");
}

TEST_F(ReferenceEvaluatorTest, EgressGroupsMatchProtocolPortsAndDestination) {
  EditEni("eni-a", [](NetworkInterface& e) { e.group_ids = {"sg-none"}; });
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kSecurityGroup);
  EditGroup("sg-none", [](SecurityGroup& g) {
    g.rules.push_back(Rule(/*egress=*/true, "tcp", 80, 443, "10.0.2.0/24"));
  });
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.2.10", 6, 443), "eni-b");
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10", 6, 444), DropReason::kSecurityGroup);
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10", 17, 443), DropReason::kSecurityGroup);
  ExpectDrop(Send("eni-a", "2600:1f00:0:100::a", "2600:1f00:0:100::b"), DropReason::kSecurityGroup);
}

TEST_F(ReferenceEvaluatorTest, IcmpRulesMatchTypeAndCode) {
  EditEni("eni-b", [](NetworkInterface& e) { e.group_ids = {"sg-none"}; });
  EditGroup("sg-none", [](SecurityGroup& g) {
    g.rules.push_back(Rule(/*egress=*/false, "icmp", 8, -1, "0.0.0.0/0"));
  });
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.2.10", 1, 8), "eni-b");
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10", 1, 0), DropReason::kSecurityGroup);
  ExpectDrop(Send("eni-a", "2600:1f00:0:100::a", "2600:1f00:0:100::b", 58, 8),
             DropReason::kSecurityGroup);
}

TEST_F(ReferenceEvaluatorTest, GroupReferencesMatchMembersPrivateIpv4AndIpv6) {
  r_.security_groups.Put(Row<SecurityGroup>("sg-web", "vpc-1"));
  EditEni("eni-b", [](NetworkInterface& e) { e.group_ids = {"sg-none"}; });
  EditGroup("sg-none", [](SecurityGroup& g) {
    SecurityGroupRule rule = Rule(/*egress=*/false, "-1", -1, -1, nullptr);
    rule.referenced_group_id = "sg-web";
    g.rules.push_back(rule);
  });
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kSecurityGroup);
  EditEni("eni-a", [](NetworkInterface& e) { e.group_ids = {"sg-open", "sg-web"}; });
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.2.10"), "eni-b");
  // Members' IPv6 addresses count too ("the instances associated with the
  // source security group", whatever the family).
  ExpectDelivered(Send("eni-a", "2600:1f00:0:100::a", "2600:1f00:0:100::b"), "eni-b");
  EditEni("eni-a", [](NetworkInterface& e) { e.group_ids = {"sg-open"}; });
  ExpectDrop(Send("eni-a", "2600:1f00:0:100::a", "2600:1f00:0:100::b"), DropReason::kSecurityGroup);
}

TEST_F(ReferenceEvaluatorTest, RoutesByLongestPrefixOfTheSubnetsTable) {
  ExpectDrop(Send("eni-a", "10.0.1.10", "8.8.8.8"), DropReason::kNoRoute);
  auto table = Row<RouteTable>("rtb-a", "vpc-1");
  table.routes = r_.route_tables.Find("rtb-main")->routes;
  r_.route_tables.Put(table);
  r_.subnets.Update("subnet-a", [](Subnet& s) { s.route_table_id = "rtb-a"; });
  AddRoute("rtb-a", ToGateway("0.0.0.0/0", "igw-1"));
  AddRoute("rtb-a", ToEni("8.8.0.0/16", "eni-b"));
  MapPublic("eni-a", "198.18.0.5");
  RefResult out = Send("eni-a", "10.0.1.10", "9.9.9.9");
  EXPECT_EQ(out.outcome, Outcome::kDeliveredToInternet) << out.ToString();
  // eni-b has its source/destination check on: it refuses 8.8.8.8.
  ExpectDrop(Send("eni-a", "10.0.1.10", "8.8.8.8"), DropReason::kSourceDestCheck);
  EditEni("eni-b", [](NetworkInterface& e) { e.source_dest_check = false; });
  ExpectDelivered(Send("eni-a", "10.0.1.10", "8.8.8.8"), "eni-b");
  // subnet-b still uses the main table.
  ExpectDrop(Send("eni-b", "10.0.2.10", "9.9.9.9"), DropReason::kNoRoute);
}

TEST_F(ReferenceEvaluatorTest, RoutesToMissingTargetsAreBlackholes) {
  AddRoute("rtb-main", ToGateway("0.0.0.0/0", "igw-loose"));
  AddRoute("rtb-main", ToEni("8.8.0.0/16", "eni-gone"));
  AddRoute("rtb-main", ToEni("9.9.0.0/16", "eni-b", "i-x"));
  ExpectDrop(Send("eni-a", "10.0.1.10", "1.1.1.1"), DropReason::kBlackholeRoute);
  ExpectDrop(Send("eni-a", "10.0.1.10", "8.8.8.8"), DropReason::kBlackholeRoute);
  ExpectDrop(Send("eni-a", "10.0.1.10", "9.9.9.9"), DropReason::kBlackholeRoute);
}

TEST_F(ReferenceEvaluatorTest, NaclsApplyOnlyBetweenSubnets) {
  SetAcl("subnet-b", "acl-closed");
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kNetworkAcl);
  // Inbound entries match the source; the lowest number wins.
  AddEntry("acl-closed", Entry(200, false, "6", true, "10.0.1.0/24"));
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.2.10"), "eni-b");
  AddEntry("acl-closed", Entry(100, false, "6", false, "10.0.1.10/32"));
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kNetworkAcl);
  // Same subnet: no ACL at all.
  Eni("eni-c", "subnet-b", "10.0.2.20", "2600:1f00:0:100::c");
  ExpectDelivered(Send("eni-c", "10.0.2.20", "10.0.2.10"), "eni-b");
  // Outbound entries match the destination, ports the destination port.
  SetAcl("subnet-a", "acl-closed");
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.20"), DropReason::kNetworkAcl);
  NetworkAclEntry out = Entry(50, true, "6", true, "10.0.2.20/32");
  out.port_from = 22;
  out.port_to = 22;
  AddEntry("acl-closed", out);
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.20", 6, 443), DropReason::kNetworkAcl);
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.20", 6, 22), DropReason::kNetworkAcl);  // inbound
  AddEntry("acl-closed", Entry(10, false, "-1", true, "10.0.1.10/32"));
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.2.20", 6, 22), "eni-c");
}

TEST_F(ReferenceEvaluatorTest, NaclIcmpEntriesMatchTypeAndCode) {
  SetAcl("subnet-b", "acl-closed");
  NetworkAclEntry echo = Entry(100, false, "1", true, "0.0.0.0/0");
  echo.icmp_type = 8;
  echo.icmp_code = -1;
  AddEntry("acl-closed", echo);
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.2.10", 1, 8), "eni-b");
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10", 1, 13), DropReason::kNetworkAcl);
}

TEST_F(ReferenceEvaluatorTest, ReceiverMustBeActiveAndAllowIt) {
  r_.instances.Update("i-b", [](Instance& i) { i.state = "stopped"; });
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kEniNotActive);
  r_.instances.Update("i-b", [](Instance& i) { i.state = "running"; });
  EditEni("eni-b", [](NetworkInterface& e) { e.group_ids = {"sg-none"}; });
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.2.10"), DropReason::kSecurityGroup);
}

// Every packet is a new flow: one an ENI sends to itself must pass its own
// inbound rules too.
TEST_F(ReferenceEvaluatorTest, SendingToItselfChecksItsOwnInboundGroups) {
  EditGroup("sg-none", [](SecurityGroup& g) {
    g.rules.push_back(Rule(/*egress=*/true, "-1", -1, -1, "0.0.0.0/0"));
  });
  EditEni("eni-a", [](NetworkInterface& e) { e.group_ids = {"sg-none"}; });
  ExpectDrop(Send("eni-a", "10.0.1.10", "10.0.1.10"), DropReason::kSecurityGroup);
  EditEni("eni-a", [](NetworkInterface& e) { e.group_ids = {"sg-open"}; });
  ExpectDelivered(Send("eni-a", "10.0.1.10", "10.0.1.10"), "eni-a");
}

TEST_F(ReferenceEvaluatorTest, LeavingTranslatesIpv4SourcesOnly) {
  AddRoute("rtb-main", ToGateway("0.0.0.0/0", "igw-1"));
  AddRoute("rtb-main", ToGateway("::/0", "igw-1"));
  ExpectDrop(Send("eni-a", "10.0.1.10", "9.9.9.9"), DropReason::kNoPublicIp);
  MapPublic("eni-a", "198.18.0.5");
  RefResult v4 = Send("eni-a", "10.0.1.10", "9.9.9.9");
  EXPECT_EQ(v4.outcome, Outcome::kDeliveredToInternet);
  EXPECT_EQ(v4.src, Ip("198.18.0.5"));
  RefResult v6 = Send("eni-a", "2600:1f00:0:100::a", "2001:db8::1");
  EXPECT_EQ(v6.outcome, Outcome::kDeliveredToInternet);
  EXPECT_EQ(v6.src, Ip("2600:1f00:0:100::a"));
  SetAcl("subnet-a", "acl-closed");
  ExpectDrop(Send("eni-a", "10.0.1.10", "9.9.9.9"), DropReason::kNetworkAcl);
}

TEST_F(ReferenceEvaluatorTest, EnteringTranslatesThePublicDestination) {
  ExpectDrop(Enter("igw-1", "203.0.113.1", "198.18.0.5"), DropReason::kNoNatMapping);
  MapPublic("eni-b", "198.18.0.5");
  RefResult in = Enter("igw-1", "203.0.113.1", "198.18.0.5");
  ExpectDelivered(in, "eni-b");
  EXPECT_EQ(in.dst, Ip("10.0.2.10"));
  ExpectDrop(Enter("igw-loose", "203.0.113.1", "198.18.0.5"), DropReason::kGatewayNotAttached);
  // Only the receiving subnet's inbound ACL applies.
  SetAcl("subnet-b", "acl-closed");
  ExpectDrop(Enter("igw-1", "203.0.113.1", "198.18.0.5"), DropReason::kNetworkAcl);
  AddEntry("acl-closed", Entry(1, false, "-1", true, "203.0.113.0/24"));
  ExpectDelivered(Enter("igw-1", "203.0.113.1", "198.18.0.5"), "eni-b");
}

TEST_F(ReferenceEvaluatorTest, EnteringIpv6FindsTheVpcAndOwner) {
  ExpectDelivered(Enter("igw-1", "2001:db8::1", "2600:1f00:0:100::b"), "eni-b");
  ExpectDrop(Enter("igw-1", "2001:db8::1", "2600:1f00:0:100::99"), DropReason::kNoDestination);
  ExpectDrop(Enter("igw-1", "2001:db8::1", "2600:1f00:0:200::b"), DropReason::kNoDestination);
  ExpectDrop(Enter("igw-loose", "2001:db8::1", "2600:1f00:0:100::b"),
             DropReason::kGatewayNotAttached);
}

}  // namespace
}  // namespace minivpc::analysis
