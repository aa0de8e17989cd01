#include "vpc/defaults.h"

#include "vpc/network_acls.h"
#include "vpc/security_group_rules.h"

namespace minivpc {
namespace {

NetworkAclEntry AllowAllEntry(int number, bool egress, const char* cidr) {
  return AllTrafficEntry(number, egress, cidr, true);
}

// True if `direction`'s entries are exactly the IPv4 allow-all rule 100 the
// ACL was created with.
bool DirectionUnmodified(const NetworkAcl& acl, bool egress) {
  NetworkAclEntry stock = AllowAllEntry(100, egress, "0.0.0.0/0");
  int count = 0;
  for (const auto& e : acl.entries) {
    if (e.egress != egress) continue;
    if (++count > 1 || e != stock) return false;
  }
  return count == 1;
}

bool IsAllowAllIpv6Egress(const SecurityGroupRule& rule) {
  return rule.is_egress && rule.ip_protocol == "-1" && rule.cidr &&
         *rule.cidr == Cidr::Parse("::/0").value();
}

}  // namespace

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
  for (bool egress : {false, true}) {
    acl.entries.push_back(AllowAllEntry(100, egress, "0.0.0.0/0"));
    if (!vpc.ipv6_cidrs.empty()) acl.entries.push_back(AllowAllEntry(101, egress, "::/0"));
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

void AddIpv6DefaultRules(RegionState& r, const std::string& vpc_id) {
  const Vpc* vpc = r.vpcs.Find(vpc_id);
  if (!vpc) return;
  std::string acl_id = vpc->default_acl_id;
  std::string group_id = vpc->default_security_group_id;
  if (const NetworkAcl* acl = r.network_acls.Find(acl_id)) {
    bool ingress = DirectionUnmodified(*acl, false);
    bool egress = DirectionUnmodified(*acl, true);
    if (ingress || egress) {
      r.network_acls.Update(acl_id, [&](NetworkAcl& a) {
        if (ingress) a.entries.push_back(AllowAllEntry(101, false, "::/0"));
        if (egress) a.entries.push_back(AllowAllEntry(101, true, "::/0"));
      });
    }
  }
  const SecurityGroup* sg = r.security_groups.Find(group_id);
  if (!sg) return;
  int ipv6_egress = 0;
  for (const auto& rule : sg->rules) {
    if (IsAllowAllIpv6Egress(rule)) return;
    ipv6_egress += rule.is_egress && rule.cidr && !rule.cidr->is_v4();
  }
  if (ipv6_egress >= kMaxRulesPerGroupDirection) return;
  SecurityGroupRule rule = AllowAllEgress(r, Cidr::Parse("::/0").value());
  r.security_groups.Update(group_id, [&](SecurityGroup& g) { g.rules.push_back(rule); });
}

}  // namespace minivpc
