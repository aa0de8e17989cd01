#include "differential/describe_region.h"

#include <sstream>

namespace minivpc::difftest {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string RuleText(const SecurityGroupRule& rule) {
  std::string peer = rule.cidr ? rule.cidr->ToString() : rule.referenced_group_id;
  return std::string(rule.is_egress ? "out " : "in  ") + rule.ip_protocol + " " +
         std::to_string(rule.from_port) + ".." + std::to_string(rule.to_port) + " " + peer;
}

std::string EntryText(const NetworkAclEntry& e) {
  std::ostringstream out;
  out << "#" << e.rule_number << (e.egress ? " out " : " in  ") << e.protocol << " "
      << (e.allow ? "allow " : "deny ") << (e.cidr ? e.cidr->ToString() : "?");
  if (e.port_from) out << " ports " << *e.port_from << ".." << e.port_to.value_or(-1);
  if (e.icmp_type) out << " icmp " << *e.icmp_type << "/" << e.icmp_code.value_or(-1);
  return out.str();
}

std::string RouteText(const Route& route) {
  std::string target = route.gateway_id;
  if (!route.network_interface_id.empty()) target = route.network_interface_id;
  if (!route.instance_id.empty()) target += " (" + route.instance_id + ")";
  return route.destination.ToString() + " -> " + target;
}

std::string EniText(const RegionState& r, const NetworkInterface& eni) {
  std::ostringstream out;
  out << eni.id << " " << eni.subnet_id << " [";
  for (const auto& p : eni.private_ips) {
    out << " " << p.address.ToString();
    if (p.association) out << "=" << p.association->public_ip.ToString();
  }
  for (const auto& a : eni.ipv6_addresses) out << " " << a.ToString();
  out << " ] groups " << Join(eni.group_ids) << (eni.source_dest_check ? "" : " sdc-off");
  if (eni.attachment) {
    const Instance* inst = r.instances.Find(eni.attachment->instance_id);
    out << " on " << eni.attachment->instance_id << " " << (inst ? inst->state : "missing");
  } else {
    out << " detached";
  }
  return out.str();
}

}  // namespace

std::string DescribeRegion(const RegionState& r) {
  std::ostringstream out;
  for (const auto& [id, vpc] : r.vpcs.rows()) {
    out << "    " << id << " " << vpc.cidr.ToString();
    for (const auto& c : vpc.ipv6_cidrs) out << " " << c.cidr.ToString();
    out << " main " << vpc.main_route_table_id << "\n";
  }
  for (const auto& [id, s] : r.subnets.rows()) {
    out << "    " << id << " " << s.vpc_id << " " << s.cidr.ToString() << " "
        << (s.ipv6 ? s.ipv6->cidr.ToString() : "-") << " rtb "
        << (s.route_table_id.empty() ? "main" : s.route_table_id) << " acl " << s.network_acl_id
        << "\n";
  }
  for (const auto& [id, t] : r.route_tables.rows()) {
    out << "    " << id << " " << t.vpc_id << "\n";
    for (const auto& route : t.routes) out << "      " << RouteText(route) << "\n";
  }
  for (const auto& [id, acl] : r.network_acls.rows()) {
    out << "    " << id << " " << acl.vpc_id << "\n";
    for (const auto& e : acl.entries) out << "      " << EntryText(e) << "\n";
  }
  for (const auto& [id, g] : r.security_groups.rows()) {
    out << "    " << id << " " << g.vpc_id << "\n";
    for (const auto& rule : g.rules) out << "      " << RuleText(rule) << "\n";
  }
  for (const auto& [id, igw] : r.internet_gateways.rows()) {
    out << "    " << id << " " << (igw.vpc_id.empty() ? "detached" : igw.vpc_id) << "\n";
  }
  for (const auto& [id, eni] : r.enis.rows()) out << "    " << EniText(r, eni) << "\n";
  return out.str();
}

}  // namespace minivpc::difftest
