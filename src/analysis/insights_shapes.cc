#include "analysis/insights_shapes.h"

#include <algorithm>

#include "vpc/route_tables.h"

namespace minivpc::analysis {
namespace {

using nlohmann::json;

struct ArnType {
  std::string_view prefix;  // with the dash: "eni-"
  std::string_view type;
};
constexpr ArnType kArnTypes[] = {
    {"i-", "instance"},
    {"eni-", "network-interface"},
    {"sg-", "security-group"},
    {"acl-", "network-acl"},
    {"rtb-", "route-table"},
    {"igw-", "internet-gateway"},
    {"subnet-", "subnet"},
    {"vpc-", "vpc"},
    {"nip-", "network-insights-path"},
    {"nia-", "network-insights-analysis"},
};

// "all", "tcp", "udp", ... for an SG protocol ("-1", "tcp") or an ACL
// protocol (a number as text).
std::string ProtocolName(const std::string& p) {
  if (p == "-1" || p == "all") return "all";
  if (p == "6") return "tcp";
  if (p == "17") return "udp";
  if (p == "1") return "icmp";
  if (p == "58") return "icmpv6";
  return p;
}

bool HasPorts(uint8_t protocol) { return protocol == 6 || protocol == 17; }

std::string HostCidr(IpAddress a) { return a.ToString() + (a.is_v4() ? "/32" : "/128"); }

json PortRange(int from, int to) { return json{{"From", from}, {"To", to}}; }

// AnalysisPacketHeader of a packet from `src` to `dst` with `h`'s protocol
// and ports.
json Header(IpAddress src, IpAddress dst, const dp::PacketHeaders& h) {
  json out{{"SourceAddresses", json::array({HostCidr(src)})},
           {"DestinationAddresses", json::array({HostCidr(dst)})},
           {"Protocol", std::to_string(h.protocol)}};
  if (HasPorts(h.protocol)) {
    out["SourcePortRanges"] = json::array({PortRange(h.src_port, h.src_port)});
    out["DestinationPortRanges"] = json::array({PortRange(h.dst_port, h.dst_port)});
  }
  return out;
}

json HeaderBefore(const PathSegment& seg) {
  return Header(seg.headers.src, seg.headers.dst, seg.headers);
}
json HeaderAfter(const PathSegment& seg) {
  return Header(seg.verdict.src, seg.verdict.dst, seg.headers);
}

// Adds Subnet, Vpc and AttachedTo of network interface `eni_id` to `c`.
void AddEniContext(const RegionState& r, const std::string& eni_id, json& c) {
  const NetworkInterface* eni = r.enis.Find(eni_id);
  if (!eni) return;
  c["Subnet"] = ComponentRef(r, eni->subnet_id);
  c["Vpc"] = ComponentRef(r, eni->vpc_id);
  if (eni->attachment && !eni->attachment->instance_id.empty()) {
    c["AttachedTo"] = ComponentRef(r, eni->attachment->instance_id);
  }
}

void AddVpc(const RegionState& r, const std::string& vpc_id, json& c) {
  if (!vpc_id.empty()) c["Vpc"] = ComponentRef(r, vpc_id);
}

json SecurityGroupRule(const RegionState& r, const std::string& rule_id,
                       const std::string& direction) {
  auto owner = r.rule_owner.find(rule_id);
  const SecurityGroup* g =
      owner == r.rule_owner.end() ? nullptr : r.security_groups.Find(owner->second);
  if (!g) return nullptr;
  for (const auto& rule : g->rules) {
    if (rule.id != rule_id) continue;
    json out{{"Direction", direction}, {"Protocol", ProtocolName(rule.ip_protocol)}};
    if (rule.cidr) out["Cidr"] = rule.cidr->ToString();
    // The peer of a rule that references a group is that group; otherwise
    // the rule's own group (the component names it as well).
    out["SecurityGroupId"] = rule.referenced_group_id.empty() ? g->id : rule.referenced_group_id;
    bool ports = rule.ip_protocol == "tcp" || rule.ip_protocol == "udp" ||
                 rule.ip_protocol == "6" || rule.ip_protocol == "17";
    if (ports && rule.from_port >= 0) out["PortRange"] = PortRange(rule.from_port, rule.to_port);
    return out;
  }
  return nullptr;
}

// The entry numbered `number` of ACL `acl_id` in one direction; the
// implicit "*" deny when no entry has that number (32767).
json AclRule(const RegionState& r, const std::string& acl_id, const std::string& number_text,
             bool egress, bool v6) {
  int number = std::atoi(number_text.c_str());
  json out{{"Egress", egress}, {"RuleNumber", number}};
  if (const NetworkAcl* acl = r.network_acls.Find(acl_id)) {
    for (const auto& e : acl->entries) {
      if (e.rule_number != number || e.egress != egress) continue;
      if (e.cidr) out["Cidr"] = e.cidr->ToString();
      out["Protocol"] = ProtocolName(e.protocol);
      out["RuleAction"] = e.allow ? "allow" : "deny";
      if (e.port_from) out["PortRange"] = PortRange(*e.port_from, e.port_to.value_or(*e.port_from));
      return out;
    }
  }
  out["Cidr"] = v6 ? "::/0" : "0.0.0.0/0";
  out["Protocol"] = "all";
  out["RuleAction"] = "deny";
  return out;
}

// The route of table `rtb_id` whose destination is `destination` (text).
json RouteTableRoute(const RegionState& r, const std::string& rtb_id,
                     const std::string& destination) {
  const RouteTable* table = r.route_tables.Find(rtb_id);
  if (!table) return nullptr;
  for (const auto& route : table->routes) {
    if (route.destination.ToString() != destination) continue;
    json out{{"DestinationCidr", destination},
             {"Origin", route.origin},
             {"State", RouteState(r, *table, route)}};
    if (!route.gateway_id.empty()) out["GatewayId"] = route.gateway_id;
    if (!route.instance_id.empty()) out["InstanceId"] = route.instance_id;
    if (!route.network_interface_id.empty()) {
      out["NetworkInterfaceId"] = route.network_interface_id;
    }
    return out;
  }
  return nullptr;
}

// The interface a security-group or network-ACL hop applies to: the
// interface hop before it (egress) or after it (ingress).
std::string NeighbourEni(const std::vector<dp::Hop>& hops, size_t i) {
  if (hops[i].direction == "egress") {
    for (size_t k = i; k-- > 0;) {
      if (hops[k].component == "network-interface") return hops[k].id;
    }
  } else {
    for (size_t k = i + 1; k < hops.size(); ++k) {
      if (hops[k].component == "network-interface") return hops[k].id;
    }
  }
  return "";
}

// One PathComponent (without SequenceNumber) for hop `i` of `seg`.
json HopComponent(const RegionState& r, const PathSegment& seg, size_t i) {
  const dp::Hop& h = seg.explanation.hops[i];
  json c = json::object();
  if (h.component == "network-interface") {
    c["Component"] = ComponentRef(r, h.id);
    AddEniContext(r, h.id, c);
  } else if (h.component == "security-group") {
    std::string group = h.id;
    if (group.empty()) {  // a tracked reply: no rule was consulted
      const NetworkInterface* eni = r.enis.Find(NeighbourEni(seg.explanation.hops, i));
      if (eni && !eni->group_ids.empty()) group = eni->group_ids.front();
    }
    c["Component"] = ComponentRef(r, group);
    if (const SecurityGroup* g = r.security_groups.Find(group)) AddVpc(r, g->vpc_id, c);
    if (!h.rule_id.empty()) {
      json rule = SecurityGroupRule(r, h.rule_id, h.direction);
      if (!rule.is_null()) c["SecurityGroupRule"] = std::move(rule);
    }
  } else if (h.component == "route-table") {
    c["Component"] = ComponentRef(r, h.id);
    if (const RouteTable* t = r.route_tables.Find(h.id)) AddVpc(r, t->vpc_id, c);
    json route = RouteTableRoute(r, h.id, h.rule_id);
    if (!route.is_null()) c["RouteTableRoute"] = std::move(route);
  } else if (h.component == "network-acl") {
    c["Component"] = ComponentRef(r, h.id);
    if (const NetworkAcl* acl = r.network_acls.Find(h.id)) AddVpc(r, acl->vpc_id, c);
    if (const NetworkInterface* eni = r.enis.Find(NeighbourEni(seg.explanation.hops, i))) {
      c["Subnet"] = ComponentRef(r, eni->subnet_id);
    }
    c["AclRule"] = AclRule(r, h.id, h.rule_id, h.direction == "egress", seg.headers.dst.is_v6());
  } else if (h.component == "internet-gateway") {
    c["Component"] = ComponentRef(r, h.id);
    if (const InternetGateway* g = r.internet_gateways.Find(h.id)) AddVpc(r, g->vpc_id, c);
    c["InboundHeader"] = HeaderBefore(seg);
    c["OutboundHeader"] = HeaderAfter(seg);
  }
  return c;
}

}  // namespace

std::string ResourceArn(const RegionState& r, std::string_view id) {
  for (const auto& t : kArnTypes) {
    if (id.substr(0, t.prefix.size()) == t.prefix) {
      return "arn:aws:ec2:" + r.region + ":" + r.account_id + ":" + std::string(t.type) + "/" +
             std::string(id);
    }
  }
  return "";
}

json ComponentRef(const RegionState& r, std::string_view id) {
  return json{{"Id", std::string(id)}, {"Arn", ResourceArn(r, id)}};
}

json PathComponents(const RegionState& r, const std::vector<PathSegment>& segments,
                    const SegmentEnds& ends) {
  json out = json::array();
  auto add = [&](json c) {
    c["SequenceNumber"] = static_cast<int>(out.size()) + 1;
    out.push_back(std::move(c));
  };
  for (size_t k = 0; k < segments.size(); ++k) {
    const PathSegment& seg = segments[k];
    if (!seg.verdict.delivered()) break;
    const bool first = k == 0;
    const bool last = k + 1 == segments.size();
    if (first && !ends.first_instance.empty()) {
      json c{{"Component", ComponentRef(r, ends.first_instance)}};
      c["OutboundHeader"] = HeaderBefore(seg);
      add(std::move(c));
    }
    const auto& hops = seg.explanation.hops;
    for (size_t i = 0; i < hops.size(); ++i) {
      if (hops[i].component == "internet") continue;  // beyond the gateway
      // An appliance's interface ends one segment and starts the next.
      if (!first && i == 0 && hops[i].component == "network-interface") continue;
      json c = HopComponent(r, seg, i);
      if (out.empty() && !c.contains("OutboundHeader")) c["OutboundHeader"] = HeaderBefore(seg);
      add(std::move(c));
    }
    if (!last) continue;
    if (!ends.last_instance.empty() && seg.verdict.outcome == dp::Outcome::kDeliveredToEni) {
      json c{{"Component", ComponentRef(r, ends.last_instance)}};
      c["InboundHeader"] = HeaderAfter(seg);
      add(std::move(c));
    } else if (!out.empty() && !out.back().contains("InboundHeader")) {
      out.back()["InboundHeader"] = HeaderAfter(seg);
    }
  }
  return out;
}

json Explanations(const RegionState& r, const dp::Snapshot& s, const PathSegment& seg) {
  const auto& hops = seg.explanation.hops;
  auto blocking =
      std::find_if(hops.rbegin(), hops.rend(), [](const dp::Hop& h) { return !h.allowed; });
  const dp::Hop* h = blocking == hops.rend() ? nullptr : &*blocking;
  json e{{"ExplanationCode", dp::ExplanationCode(seg.verdict.reason)}};
  if (h && !h->direction.empty()) e["Direction"] = h->direction;
  const int32_t eni_index = seg.verdict.eni;
  const NetworkInterface* eni = eni_index >= 0 && eni_index < static_cast<int32_t>(s.enis.size())
                                    ? r.enis.Find(s.enis[eni_index].id)
                                    : nullptr;
  if (eni) {
    e["NetworkInterface"] = ComponentRef(r, eni->id);
    AddEniContext(r, eni->id, e);
  }
  const std::string hop_id = h ? h->id : "";
  switch (seg.verdict.reason) {
    case dp::DropReason::kSecurityGroup:
      if (eni) {
        json groups = json::array();
        for (const auto& g : eni->group_ids) groups.push_back(ComponentRef(r, g));
        e["SecurityGroups"] = std::move(groups);
      }
      break;
    case dp::DropReason::kNetworkAcl:
      e["Component"] = e["Acl"] = ComponentRef(r, hop_id);
      e["AclRule"] = AclRule(r, hop_id, h ? h->rule_id : "32767", h && h->direction == "egress",
                             seg.headers.dst.is_v6());
      break;
    case dp::DropReason::kNoRoute:
    case dp::DropReason::kNoDestination:
    case dp::DropReason::kBlackholeRoute:
      if (h && h->component == "route-table" && !hop_id.empty()) {
        e["Component"] = e["RouteTable"] = ComponentRef(r, hop_id);
        json route = RouteTableRoute(r, hop_id, h->rule_id);
        if (!route.is_null()) {
          e["State"] = route["State"];
          e["RouteTableRoute"] = std::move(route);
        }
      } else if (h && !hop_id.empty()) {
        e["Component"] = ComponentRef(r, hop_id);
      }
      if (seg.headers.dst.is_v4()) e["Address"] = seg.verdict.dst.ToString();
      break;
    case dp::DropReason::kNoPublicIp:
    case dp::DropReason::kNoNatMapping:
    case dp::DropReason::kGatewayNotAttached:
      if (!hop_id.empty()) {
        e["Component"] = e["InternetGateway"] = ComponentRef(r, hop_id);
        if (const InternetGateway* g = r.internet_gateways.Find(hop_id); g && !eni) {
          AddVpc(r, g->vpc_id, e);
        }
      }
      if (seg.headers.dst.is_v4()) {
        bool out = seg.verdict.reason == dp::DropReason::kNoPublicIp;
        e["Address"] = (out ? seg.headers.src : seg.headers.dst).ToString();
      }
      break;
    case dp::DropReason::kEniNotActive:
      if (eni) {
        const Instance* inst =
            eni->attachment ? r.instances.Find(eni->attachment->instance_id) : nullptr;
        e["Component"] = ComponentRef(r, inst ? inst->id : eni->id);
        e["State"] = inst ? inst->state : "available";
      }
      break;
    default:
      if (eni) e["Component"] = ComponentRef(r, eni->id);
      break;
  }
  return json::array({std::move(e)});
}

}  // namespace minivpc::analysis
