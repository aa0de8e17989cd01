#include "analysis/reference_evaluator.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace minivpc::analysis {
namespace {

using dp::DropReason;
using dp::Outcome;
using dp::PacketHeaders;

constexpr int kAnyProtocol = -1;
constexpr int kIcmp = 1;
constexpr int kTcp = 6;
constexpr int kUdp = 17;
constexpr int kIcmpv6 = 58;

RefResult Drop(DropReason reason) {
  RefResult r;
  r.reason = reason;
  return r;
}

// "-1"/"all" -> kAnyProtocol; names and numbers -> the number; else -2,
// which matches no packet.
int ProtocolNumber(const std::string& text) {
  if (text == "-1" || text == "all") return kAnyProtocol;
  if (text == "tcp") return kTcp;
  if (text == "udp") return kUdp;
  if (text == "icmp") return kIcmp;
  if (text == "icmpv6") return kIcmpv6;
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return -2;
  return n;
}

bool IsIcmp(int protocol) { return protocol == kIcmp || protocol == kIcmpv6; }
bool HasPorts(int protocol) { return protocol == kTcp || protocol == kUdp; }

// -1 (or absent) is a wildcard.
bool ValueMatches(int want, int got) { return want < 0 || want == got; }

bool Owns(const NetworkInterface& eni, IpAddress a) {
  for (const PrivateIp& p : eni.private_ips) {
    if (p.address == a) return true;
  }
  return std::find(eni.ipv6_addresses.begin(), eni.ipv6_addresses.end(), a) !=
         eni.ipv6_addresses.end();
}

bool IsActive(const RegionState& r, const NetworkInterface& eni) {
  if (!eni.attachment) return false;
  const Instance* inst = r.instances.Find(eni.attachment->instance_id);
  return inst != nullptr && inst->state == "running";
}

bool InGroup(const NetworkInterface& eni, const std::string& group_id) {
  return std::find(eni.group_ids.begin(), eni.group_ids.end(), group_id) != eni.group_ids.end();
}

// True when `a` is a private IPv4 or an IPv6 address of some ENI that is in
// `group_id` (a group reference admits its members over both families).
bool GroupHoldsAddress(const RegionState& r, const std::string& group_id, IpAddress a) {
  for (const auto& [id, eni] : r.enis.rows()) {
    if (!InGroup(eni, group_id)) continue;
    for (const PrivateIp& p : eni.private_ips) {
      if (p.address == a) return true;
    }
    for (const IpAddress& v6 : eni.ipv6_addresses) {
      if (v6 == a) return true;
    }
  }
  return false;
}

bool SgRuleMatches(const RegionState& r, const SecurityGroupRule& rule, const PacketHeaders& h,
                   IpAddress remote) {
  int proto = ProtocolNumber(rule.ip_protocol);
  if (proto != kAnyProtocol) {
    if (proto != h.protocol) return false;
    if (HasPorts(proto) && rule.from_port >= 0 &&
        (h.dst_port < rule.from_port || h.dst_port > rule.to_port)) {
      return false;
    }
    if (IsIcmp(proto) &&
        (!ValueMatches(rule.from_port, h.icmp_type) || !ValueMatches(rule.to_port, h.icmp_code))) {
      return false;
    }
  }
  if (rule.cidr) return rule.cidr->Contains(remote);
  if (!rule.referenced_group_id.empty()) {
    return GroupHoldsAddress(r, rule.referenced_group_id, remote);
  }
  return false;
}

// Security groups allow only: any rule of any of the ENI's groups admits.
bool SgAllows(const RegionState& r, const NetworkInterface& eni, bool egress,
              const PacketHeaders& h, IpAddress remote) {
  for (const std::string& gid : eni.group_ids) {
    const SecurityGroup* g = r.security_groups.Find(gid);
    if (!g) continue;
    for (const SecurityGroupRule& rule : g->rules) {
      if (rule.is_egress == egress && SgRuleMatches(r, rule, h, remote)) return true;
    }
  }
  return false;
}

bool NaclEntryMatches(const NetworkAclEntry& e, const PacketHeaders& h, IpAddress addr) {
  if (!e.cidr || !e.cidr->Contains(addr)) return false;
  int proto = ProtocolNumber(e.protocol);
  if (proto == kAnyProtocol) return true;
  if (proto != h.protocol) return false;
  if (HasPorts(proto) && e.port_from && e.port_to &&
      (h.dst_port < *e.port_from || h.dst_port > *e.port_to)) {
    return false;
  }
  if (IsIcmp(proto) && (!ValueMatches(e.icmp_type.value_or(-1), h.icmp_type) ||
                        !ValueMatches(e.icmp_code.value_or(-1), h.icmp_code))) {
    return false;
  }
  return true;
}

// Stateless and ordered: the lowest-numbered matching entry of the
// direction decides; none matching is the final "*" deny. `addr` is the
// destination outbound, the source inbound.
bool NaclAllows(const RegionState& r, const Subnet& subnet, bool egress, const PacketHeaders& h,
                IpAddress addr) {
  const NetworkAcl* acl = r.network_acls.Find(subnet.network_acl_id);
  if (!acl) return false;
  std::vector<const NetworkAclEntry*> entries;
  for (const NetworkAclEntry& e : acl->entries) {
    if (e.egress == egress) entries.push_back(&e);
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto* a, const auto* b) { return a->rule_number < b->rule_number; });
  for (const NetworkAclEntry* e : entries) {
    if (NaclEntryMatches(*e, h, addr)) return e->allow;
  }
  return false;
}

const Route* LongestMatch(const RegionState& r, const Subnet& subnet, IpAddress dst) {
  std::string table_id = subnet.route_table_id;
  if (table_id.empty()) {
    const Vpc* vpc = r.vpcs.Find(subnet.vpc_id);
    if (!vpc) return nullptr;
    table_id = vpc->main_route_table_id;
  }
  const RouteTable* table = r.route_tables.Find(table_id);
  if (!table) return nullptr;
  const Route* best = nullptr;
  for (const Route& route : table->routes) {
    if (!route.destination.Contains(dst)) continue;
    if (!best || route.destination.prefix() > best->destination.prefix()) best = &route;
  }
  return best;
}

const NetworkInterface* OwnerInVpc(const RegionState& r, const std::string& vpc_id, IpAddress a) {
  for (const auto& [id, eni] : r.enis.rows()) {
    if (eni.vpc_id == vpc_id && Owns(eni, a)) return &eni;
  }
  return nullptr;
}

// The checks at and on the way to receiving ENI `to`. `from_subnet` is the
// sender's subnet, or nullptr for a packet from the internet (no outbound
// NACL).
RefResult DeliverToEni(const RegionState& r, const PacketHeaders& h, const Subnet* from_subnet,
                       const NetworkInterface& to, IpAddress src, IpAddress dst) {
  const Subnet* to_subnet = r.subnets.Find(to.subnet_id);
  if (!to_subnet) return Drop(DropReason::kNoDestination);
  if (!from_subnet || from_subnet->id != to_subnet->id) {
    if (from_subnet && !NaclAllows(r, *from_subnet, /*egress=*/true, h, dst)) {
      return Drop(DropReason::kNetworkAcl);
    }
    if (!NaclAllows(r, *to_subnet, /*egress=*/false, h, src)) return Drop(DropReason::kNetworkAcl);
  }
  if (!IsActive(r, to)) return Drop(DropReason::kEniNotActive);
  if (to.source_dest_check && !Owns(to, dst)) return Drop(DropReason::kSourceDestCheck);
  if (!SgAllows(r, to, /*egress=*/false, h, src)) return Drop(DropReason::kSecurityGroup);
  RefResult out;
  out.outcome = Outcome::kDeliveredToEni;
  out.eni_id = to.id;
  out.src = src;
  out.dst = dst;
  return out;
}

RefResult ToInternet(const RegionState& r, const PacketHeaders& h, const NetworkInterface& from,
                     const Subnet& subnet) {
  if (!NaclAllows(r, subnet, /*egress=*/true, h, h.dst)) return Drop(DropReason::kNetworkAcl);
  RefResult out;
  out.outcome = Outcome::kDeliveredToInternet;
  out.src = h.src;
  out.dst = h.dst;
  if (h.src.is_v6()) return out;
  for (const auto& [id, eni] : r.enis.rows()) {
    if (eni.vpc_id != from.vpc_id) continue;
    for (const PrivateIp& p : eni.private_ips) {
      if (p.address == h.src && p.association) {
        out.src = p.association->public_ip;
        return out;
      }
    }
  }
  return Drop(DropReason::kNoPublicIp);
}

RefResult FromEni(const RegionState& r, const PacketHeaders& h, const std::string& eni_id) {
  const NetworkInterface* a = r.enis.Find(eni_id);
  if (!a || !IsActive(r, *a)) return Drop(DropReason::kEniNotActive);
  if (a->source_dest_check && !Owns(*a, h.src)) return Drop(DropReason::kSourceDestCheck);
  if (!SgAllows(r, *a, /*egress=*/true, h, h.dst)) return Drop(DropReason::kSecurityGroup);
  const Subnet* subnet = r.subnets.Find(a->subnet_id);
  if (!subnet) return Drop(DropReason::kNoRoute);
  const Route* route = LongestMatch(r, *subnet, h.dst);
  if (!route) return Drop(DropReason::kNoRoute);
  if (route->gateway_id == "local") {
    const NetworkInterface* b = OwnerInVpc(r, a->vpc_id, h.dst);
    if (!b) return Drop(DropReason::kNoDestination);
    return DeliverToEni(r, h, subnet, *b, h.src, h.dst);
  }
  if (route->gateway_id.rfind("igw-", 0) == 0) {
    const InternetGateway* igw = r.internet_gateways.Find(route->gateway_id);
    if (!igw || igw->vpc_id != a->vpc_id) return Drop(DropReason::kBlackholeRoute);
    return ToInternet(r, h, *a, *subnet);
  }
  if (!route->network_interface_id.empty()) {
    const NetworkInterface* b = r.enis.Find(route->network_interface_id);
    bool ok = b && b->vpc_id == a->vpc_id &&
              (route->instance_id.empty() ||
               (b->attachment && b->attachment->instance_id == route->instance_id));
    if (!ok) return Drop(DropReason::kBlackholeRoute);
    return DeliverToEni(r, h, subnet, *b, h.src, h.dst);
  }
  return Drop(DropReason::kBlackholeRoute);
}

RefResult FromInternetV4(const RegionState& r, const PacketHeaders& h, const InternetGateway* igw) {
  for (const auto& [id, eni] : r.enis.rows()) {
    for (const PrivateIp& p : eni.private_ips) {
      if (!p.association || p.association->public_ip != h.dst) continue;
      if (!igw || igw->vpc_id != eni.vpc_id) return Drop(DropReason::kGatewayNotAttached);
      return DeliverToEni(r, h, nullptr, eni, h.src, p.address);
    }
  }
  return Drop(DropReason::kNoNatMapping);
}

RefResult FromInternetV6(const RegionState& r, const PacketHeaders& h, const InternetGateway* igw) {
  for (const auto& [id, vpc] : r.vpcs.rows()) {
    bool holds = std::any_of(vpc.ipv6_cidrs.begin(), vpc.ipv6_cidrs.end(),
                             [&](const CidrAssociation& c) { return c.cidr.Contains(h.dst); });
    if (!holds) continue;
    if (!igw || igw->vpc_id != vpc.id) return Drop(DropReason::kGatewayNotAttached);
    const NetworkInterface* b = OwnerInVpc(r, vpc.id, h.dst);
    if (!b) return Drop(DropReason::kNoDestination);
    return DeliverToEni(r, h, nullptr, *b, h.src, h.dst);
  }
  return Drop(DropReason::kNoDestination);
}

}  // namespace

std::string RefResult::ToString() const {
  std::string addrs = " src=" + src.ToString() + " dst=" + dst.ToString();
  switch (outcome) {
    case Outcome::kDeliveredToEni:
      return "deliver " + eni_id + addrs;
    case Outcome::kDeliveredToInternet:
      return "internet" + addrs;
    case Outcome::kDropped:
      break;
  }
  return std::string("drop ") + dp::DropReasonName(reason);
}

RefResult Evaluate(const RegionState& region, const PacketHeaders& headers,
                   const RefIngress& ingress) {
  if (ingress.kind == RefIngress::kEni) return FromEni(region, headers, ingress.id);
  const InternetGateway* igw = region.internet_gateways.Find(ingress.id);
  return headers.dst.is_v4() ? FromInternetV4(region, headers, igw)
                             : FromInternetV6(region, headers, igw);
}

}  // namespace minivpc::analysis
