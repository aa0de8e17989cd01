#include "vpc/defaults.h"

namespace minivpc {

Route LocalRoute(const Cidr& block) {
  Route rt;
  rt.destination = block;
  rt.gateway_id = "local";
  rt.origin = "CreateRouteTable";
  return rt;
}

RouteTable MakeMainRouteTable(RegionState& r, const Vpc& vpc) {
  RouteTable t;
  t.id = r.NewId("rtb");
  t.vpc_id = vpc.id;
  t.owner_id = r.account_id;
  for (const auto& a : vpc.cidrs) t.routes.push_back(LocalRoute(a.cidr));
  for (const auto& a : vpc.ipv6_cidrs) t.routes.push_back(LocalRoute(a.cidr));
  return t;
}

NetworkAcl MakeDefaultNetworkAcl(RegionState& r, const Vpc& vpc) {
  NetworkAcl acl;
  acl.id = r.NewId("acl");
  acl.vpc_id = vpc.id;
  acl.owner_id = r.account_id;
  acl.is_default = true;
  auto allow_all = [&](int number, bool egress, const char* cidr) {
    NetworkAclEntry e;
    e.rule_number = number;
    e.egress = egress;
    e.protocol = "-1";
    e.allow = true;
    e.cidr = Cidr::Parse(cidr).value();
    acl.entries.push_back(e);
  };
  for (bool egress : {false, true}) {
    allow_all(100, egress, "0.0.0.0/0");
    if (!vpc.ipv6_cidrs.empty()) allow_all(101, egress, "::/0");
  }
  return acl;
}

SecurityGroupRule AllowAllEgress(RegionState& r, const Cidr& to) {
  SecurityGroupRule rule;
  rule.id = r.NewId("sgr");
  rule.is_egress = true;
  rule.ip_protocol = "-1";
  rule.cidr = to;
  return rule;
}

SecurityGroup MakeDefaultSecurityGroup(RegionState& r, const Vpc& vpc) {
  SecurityGroup g;
  g.id = r.NewId("sg");
  g.vpc_id = vpc.id;
  g.owner_id = r.account_id;
  g.name = "default";
  g.description = "default VPC security group";
  g.is_default = true;
  SecurityGroupRule self;
  self.id = r.NewId("sgr");
  self.ip_protocol = "-1";
  self.referenced_group_id = g.id;
  self.referenced_owner_id = r.account_id;
  g.rules.push_back(self);
  g.rules.push_back(AllowAllEgress(r, Cidr::Parse("0.0.0.0/0").value()));
  if (!vpc.ipv6_cidrs.empty()) g.rules.push_back(AllowAllEgress(r, Cidr::Parse("::/0").value()));
  return g;
}

}  // namespace minivpc
