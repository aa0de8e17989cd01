// CreateRoute, ReplaceRoute, DeleteRoute (declared in route_tables.h).
//
// A request is checked in AWS's order: the table, the destination, the
// target, then the rules that relate them (duplicates, the local routes,
// destinations inside the VPC).
#include <charconv>

#include "common/error_codes.h"
#include "vpc/route_tables.h"

namespace minivpc {
namespace {

// The destination text parsed leniently, as EC2 does: host bits are cleared.
StatusOr<Cidr> ParseDestination(const std::string& text, bool v6) {
  const char* member = v6 ? "destinationIpv6CidrBlock" : "destinationCidrBlock";
  Status bad(err::kInvalidParameterValue, "Value (" + text + ") for parameter " + member +
                                              " is invalid. This is not a valid CIDR block.");
  size_t slash = text.find('/');
  if (slash == std::string::npos || slash + 1 == text.size() || text.size() - slash > 4) return bad;
  auto addr = IpAddress::Parse(std::string_view(text).substr(0, slash));
  if (!addr.ok() || addr->is_v6() != v6) return bad;
  int prefix = -1;
  const char* end = text.data() + text.size();
  auto [next, ec] = std::from_chars(text.data() + slash + 1, end, prefix);
  if (ec != std::errc() || next != end || prefix < 0 || prefix > addr->bits()) return bad;
  int host = addr->bits() - prefix;
  uint128 host_mask = host >= 128 ? ~uint128{0} : (uint128{1} << host) - 1;
  uint128 base = addr->value() & ~host_mask;
  return Cidr::Of(v6 ? IpAddress::V6(base) : IpAddress::V4(static_cast<uint32_t>(base)), prefix);
}

StatusOr<Cidr> Destination(const RouteArgs& a) {
  int given = !a.destination_cidr_block.empty() + !a.destination_ipv6_cidr_block.empty() +
              !a.destination_prefix_list_id.empty();
  if (given == 0) {
    return Status(err::kMissingParameter,
                  "The request must contain the parameter destinationCidrBlock or "
                  "destinationIpv6CidrBlock");
  }
  if (given > 1) {
    return Status(err::kInvalidParameterCombination,
                  "Exactly one of destinationCidrBlock, destinationIpv6CidrBlock and "
                  "destinationPrefixListId must be specified.");
  }
  if (!a.destination_prefix_list_id.empty()) {
    return Status(err::kInvalidPrefixListIdNotFound,
                  "The prefix list ID '" + a.destination_prefix_list_id + "' does not exist");
  }
  if (!a.destination_cidr_block.empty()) return ParseDestination(a.destination_cidr_block, false);
  return ParseDestination(a.destination_ipv6_cidr_block, true);
}

Status DifferentNetworks(const RouteTable& t, const std::string& what, const std::string& id) {
  return Status(err::kInvalidParameterValue, "route table " + t.id + " and " + what + " " + id +
                                                 " belong to different networks");
}

// The NotFound error for a target kind minivpc does not model.
Status UnmodelledTarget(const std::string& member, const std::string& id) {
  struct Kind {
    const char* member;
    std::string_view code;
    const char* noun;
  };
  static const Kind kKinds[] = {
      {"NatGatewayId", err::kNatGatewayNotFound, "natGateway ID"},
      {"TransitGatewayId", err::kInvalidTransitGatewayIdNotFound, "transitGateway ID"},
      {"VpcPeeringConnectionId", err::kInvalidVpcPeeringConnectionIdNotFound,
       "vpcPeeringConnection ID"},
      {"EgressOnlyInternetGatewayId", err::kInvalidGatewayIdNotFound, "gateway ID"},
      {"LocalGatewayId", err::kInvalidLocalGatewayIdNotFound, "localGateway ID"},
      {"CarrierGatewayId", err::kInvalidCarrierGatewayIdNotFound, "carrierGateway ID"},
      {"VpcEndpointId", err::kInvalidVpcEndpointIdNotFound, "vpcEndpoint ID"},
  };
  for (const auto& k : kKinds) {
    if (member == k.member)
      return Status(k.code, std::string("The ") + k.noun + " '" + id + "' does not exist");
  }
  return Status(err::kInvalidParameterValue,
                "Value (" + id + ") for parameter " + member + " is invalid.");
}

// The three modelled targets, each as a route carrying only target fields.
StatusOr<Route> GatewayTarget(const RegionState& r, const RouteTable& t, const std::string& id) {
  const InternetGateway* igw = id.rfind("igw-", 0) == 0 ? r.internet_gateways.Find(id) : nullptr;
  if (!igw)
    return Status(err::kInvalidGatewayIdNotFound, "The gateway ID '" + id + "' does not exist");
  if (igw->vpc_id != t.vpc_id) return DifferentNetworks(t, "network gateway", id);
  Route route;
  route.gateway_id = id;
  return route;
}

StatusOr<Route> InterfaceTarget(const RegionState& r, const RouteTable& t, const std::string& id) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* eni, Lookup(r.enis, kEniKind, id));
  if (eni->vpc_id != t.vpc_id) return DifferentNetworks(t, "network interface", id);
  Route route;
  route.network_interface_id = id;
  return route;
}

// An instance target is its only network interface, as EC2 resolves it.
StatusOr<Route> InstanceTarget(const RegionState& r, const RouteTable& t, const std::string& id) {
  MINIVPC_ASSIGN_OR_RETURN(const Instance* inst, Lookup(r.instances, kInstanceKind, id));
  if (inst->vpc_id != t.vpc_id) return DifferentNetworks(t, "instance", id);
  auto enis = r.enis_by_instance.find(id);
  if (inst->state == "terminated" || enis == r.enis_by_instance.end()) {
    return Status(err::kIncorrectInstanceState,
                  "The instance '" + id + "' is not in a valid state for this operation.");
  }
  if (enis->second.size() > 1) {
    return Status(err::kInvalidInstanceId,
                  "There are multiple interfaces attached to instance '" + id +
                      "'. Please specify an interface ID for the operation instead.");
  }
  Route route;
  route.instance_id = id;
  route.network_interface_id = *enis->second.begin();
  return route;
}

// A route carrying only the target fields of `a`, or the target's error.
StatusOr<Route> ResolveTarget(const RegionState& r, const RouteTable& t, const RouteArgs& a) {
  bool local = a.local_target || a.gateway_id == "local";
  bool gateway = !a.gateway_id.empty() && a.gateway_id != "local";
  int given = local + gateway + !a.network_interface_id.empty() + !a.instance_id.empty() +
              static_cast<int>(a.other_targets.size());
  if (given == 0) {
    return Status(err::kMissingParameter,
                  "The request must contain exactly one of gatewayId, networkInterfaceId, "
                  "instanceId, natGatewayId, transitGatewayId, vpcPeeringConnectionId, "
                  "egressOnlyInternetGatewayId, localGatewayId, carrierGatewayId or "
                  "vpcEndpointId");
  }
  if (given > 1) {
    return Status(err::kInvalidParameterCombination, "Exactly one route target may be specified.");
  }
  if (!a.other_targets.empty()) {
    return UnmodelledTarget(a.other_targets[0].first, a.other_targets[0].second);
  }
  if (gateway) return GatewayTarget(r, t, a.gateway_id);
  if (!a.network_interface_id.empty()) return InterfaceTarget(r, t, a.network_interface_id);
  if (!a.instance_id.empty()) return InstanceTarget(r, t, a.instance_id);
  Route route;
  route.gateway_id = "local";
  return route;
}

bool TargetsInterface(const Route& route) { return !route.network_interface_id.empty(); }

// A destination inside one of the VPC's blocks (more specific than a local
// route) may only be a subnet's whole CIDR, routed to a network interface.
Status CheckInsideVpc(const RegionState& r, const RouteTable& t, const Cidr& dest,
                      const Route& target) {
  const Vpc* vpc = r.vpcs.Find(t.vpc_id);
  if (!vpc) return Status::Ok();
  bool inside = false;
  for (const auto* list : {&vpc->cidrs, &vpc->ipv6_cidrs}) {
    for (const auto& a : *list) inside |= a.cidr.Contains(dest) && a.cidr != dest;
  }
  if (!inside) return Status::Ok();
  std::string text = dest.ToString();
  if (!TargetsInterface(target)) {
    return Status(err::kInvalidParameterValue,
                  "The destination CIDR block " + text +
                      " is equal to or more specific than one of this VPC's CIDR blocks. This "
                      "route can target only an interface or an instance.");
  }
  auto subnets = r.subnets_by_vpc.find(t.vpc_id);
  if (subnets != r.subnets_by_vpc.end()) {
    for (const auto& sid : subnets->second) {
      const Subnet* s = r.subnets.Find(sid);
      if (s && (s->cidr == dest || (s->ipv6 && s->ipv6->cidr == dest))) return Status::Ok();
    }
  }
  return Status(err::kInvalidParameterValue,
                "The destination CIDR block " + text +
                    " is more specific than the local route; it must match the entire CIDR "
                    "block of a subnet in " +
                    t.vpc_id + ".");
}

int FindRoute(const RouteTable& t, const Cidr& dest) {
  for (size_t i = 0; i < t.routes.size(); ++i) {
    if (t.routes[i].destination == dest) return static_cast<int>(i);
  }
  return -1;
}

void SetTarget(Route& route, const Route& target) {
  route.gateway_id = target.gateway_id;
  route.network_interface_id = target.network_interface_id;
  route.instance_id = target.instance_id;
}

}  // namespace

Status CreateRoute(RegionState& r, const RouteArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const RouteTable* t,
                           Lookup(r.route_tables, kRouteTableKind, args.route_table_id));
  MINIVPC_ASSIGN_OR_RETURN(Cidr dest, Destination(args));
  MINIVPC_ASSIGN_OR_RETURN(Route route, ResolveTarget(r, *t, args));
  if (FindRoute(*t, dest) >= 0) {
    return Status(err::kRouteAlreadyExists,
                  "The route identified by " + dest.ToString() + " already exists.");
  }
  if (route.gateway_id == "local") {
    return Status(err::kInvalidParameterValue,
                  "The target 'local' can only be used for a local route of the VPC.");
  }
  MINIVPC_RETURN_IF_ERROR(CheckInsideVpc(r, *t, dest, route));
  size_t custom = 0;
  for (const auto& rt : t->routes) custom += !IsLocalRoute(rt);
  if (custom >= kMaxRoutesPerTable) {
    return Status(err::kRouteLimitExceeded, "The maximum number of routes has been reached.");
  }
  route.destination = dest;
  route.origin = "CreateRoute";
  r.route_tables.Update(t->id, [&](RouteTable& table) { table.routes.push_back(route); });
  return Status::Ok();
}

Status ReplaceRoute(RegionState& r, const RouteArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const RouteTable* t,
                           Lookup(r.route_tables, kRouteTableKind, args.route_table_id));
  MINIVPC_ASSIGN_OR_RETURN(Cidr dest, Destination(args));
  int index = FindRoute(*t, dest);
  if (index < 0) {
    return Status(err::kInvalidParameterValue,
                  "There is no route defined for '" + dest.ToString() +
                      "' in the route table. Use CreateRoute instead.");
  }
  MINIVPC_ASSIGN_OR_RETURN(Route target, ResolveTarget(r, *t, args));
  const Route& existing = t->routes[static_cast<size_t>(index)];
  if (IsLocalRoute(existing)) {
    if (target.gateway_id != "local" && !TargetsInterface(target)) {
      return Status(err::kInvalidParameterValue,
                    "cannot replace local route " + dest.ToString() + " in route table " + t->id +
                        " with " + target.gateway_id +
                        "; a local route can only target a network interface or local");
    }
  } else if (target.gateway_id == "local") {
    return Status(err::kInvalidParameterValue,
                  "The target 'local' can only be used for a local route of the VPC.");
  } else {
    MINIVPC_RETURN_IF_ERROR(CheckInsideVpc(r, *t, dest, target));
  }
  r.route_tables.Update(t->id, [&](RouteTable& table) {
    SetTarget(table.routes[static_cast<size_t>(index)], target);
  });
  return Status::Ok();
}

Status DeleteRoute(RegionState& r, const RouteArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const RouteTable* t,
                           Lookup(r.route_tables, kRouteTableKind, args.route_table_id));
  MINIVPC_ASSIGN_OR_RETURN(Cidr dest, Destination(args));
  int index = FindRoute(*t, dest);
  if (index < 0) {
    const char* kind = dest.is_v6() ? "destination-ipv6-cidr-block" : "destination-cidr-block";
    return Status(err::kInvalidRouteNotFound, std::string("no route with ") + kind + " " +
                                                  dest.ToString() + " in route table " + t->id);
  }
  if (IsLocalRoute(t->routes[static_cast<size_t>(index)])) {
    return Status(err::kInvalidParameterValue,
                  "cannot remove local route " + dest.ToString() + " in route table " + t->id);
  }
  r.route_tables.Update(
      t->id, [&](RouteTable& table) { table.routes.erase(table.routes.begin() + index); });
  return Status::Ok();
}

}  // namespace minivpc
