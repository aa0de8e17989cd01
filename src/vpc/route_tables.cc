// Route tables and their associations. The route operations (CreateRoute,
// ReplaceRoute, DeleteRoute) live in routes.cc.
#include "vpc/route_tables.h"

#include "common/error_codes.h"
#include "vpc/defaults.h"

namespace minivpc {
namespace {

// Where an association id is stored: the VPC row (main) or a subnet row.
struct AssociationRef {
  bool main = false;
  std::string vpc_id;
  std::string subnet_id;
  std::string route_table_id;
};

StatusOr<AssociationRef> FindAssociation(const RegionState& r, const std::string& id) {
  if (IsWellFormedId(id, kRouteTableAssociationKind.prefix)) {
    for (const auto& [vpc_id, vpc] : r.vpcs.rows()) {
      if (vpc.main_association_id == id) {
        return AssociationRef{true, vpc_id, "", vpc.main_route_table_id};
      }
    }
    for (const auto& [subnet_id, s] : r.subnets.rows()) {
      if (s.route_association_id == id) {
        return AssociationRef{false, s.vpc_id, subnet_id, s.route_table_id};
      }
    }
  }
  return IdError(kRouteTableAssociationKind, id);
}

Status DifferentNetworks(const std::string& rtb_id, const std::string& what,
                         const std::string& id) {
  return Status(err::kInvalidParameterValue, "route table " + rtb_id + " and " + what + " " + id +
                                                 " belong to different networks");
}

bool HasSubnetAssociations(const RegionState& r, const RouteTable& table) {
  auto it = r.subnets_by_vpc.find(table.vpc_id);
  if (it == r.subnets_by_vpc.end()) return false;
  for (const auto& sid : it->second) {
    const Subnet* s = r.subnets.Find(sid);
    if (s && s->route_table_id == table.id) return true;
  }
  return false;
}

}  // namespace

StatusOr<std::string> CreateRouteTable(RegionState& r, const std::string& vpc_id,
                                       const Tags& tags) {
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, Lookup(r.vpcs, kVpcKind, vpc_id));
  size_t count = 0;
  for (const auto& [id, t] : r.route_tables.rows()) count += t.vpc_id == vpc_id;
  if (count >= kMaxRouteTablesPerVpc) {
    return Status(err::kRouteTableLimitExceeded,
                  "The maximum number of route tables has been reached for " + vpc_id + ".");
  }
  RouteTable table = MakeMainRouteTable(r, *vpc);  // local routes only; main-ness is on the VPC
  table.tags = tags;
  std::string id = table.id;
  r.route_tables.Put(std::move(table));
  return id;
}

Status DeleteRouteTable(RegionState& r, const std::string& route_table_id) {
  MINIVPC_ASSIGN_OR_RETURN(const RouteTable* table,
                           Lookup(r.route_tables, kRouteTableKind, route_table_id));
  const Vpc* vpc = r.vpcs.Find(table->vpc_id);
  bool is_main = vpc && vpc->main_route_table_id == route_table_id;
  if (is_main || HasSubnetAssociations(r, *table)) {
    return Status(err::kDependencyViolation, "The routeTable '" + route_table_id +
                                                 "' has dependencies and cannot be deleted.");
  }
  r.route_tables.Erase(route_table_id);
  return Status::Ok();
}

StatusOr<std::string> AssociateRouteTable(RegionState& r, const std::string& route_table_id,
                                          const std::string& subnet_id) {
  MINIVPC_ASSIGN_OR_RETURN(const RouteTable* table,
                           Lookup(r.route_tables, kRouteTableKind, route_table_id));
  MINIVPC_ASSIGN_OR_RETURN(const Subnet* subnet, Lookup(r.subnets, kSubnetKind, subnet_id));
  if (subnet->vpc_id != table->vpc_id) {
    return DifferentNetworks(route_table_id, "subnet", subnet_id);
  }
  if (!subnet->route_association_id.empty()) {
    return Status(err::kResourceAlreadyAssociated, "the specified association for route table " +
                                                       route_table_id +
                                                       " conflicts with an existing association");
  }
  std::string association_id = r.NewId(kRouteTableAssociationKind.prefix);
  r.subnets.Update(subnet_id, [&](Subnet& s) {
    s.route_table_id = route_table_id;
    s.route_association_id = association_id;
  });
  return association_id;
}

Status DisassociateRouteTable(RegionState& r, const std::string& association_id) {
  MINIVPC_ASSIGN_OR_RETURN(AssociationRef ref, FindAssociation(r, association_id));
  if (ref.main) {
    return Status(err::kInvalidParameterValue,
                  "cannot disassociate the main route table association " + association_id);
  }
  r.subnets.Update(ref.subnet_id, [](Subnet& s) {
    s.route_table_id.clear();
    s.route_association_id.clear();
  });
  return Status::Ok();
}

StatusOr<std::string> ReplaceRouteTableAssociation(RegionState& r,
                                                   const std::string& association_id,
                                                   const std::string& route_table_id) {
  MINIVPC_ASSIGN_OR_RETURN(AssociationRef ref, FindAssociation(r, association_id));
  MINIVPC_ASSIGN_OR_RETURN(const RouteTable* table,
                           Lookup(r.route_tables, kRouteTableKind, route_table_id));
  if (table->vpc_id != ref.vpc_id) {
    return ref.main ? DifferentNetworks(route_table_id, "network", ref.vpc_id)
                    : DifferentNetworks(route_table_id, "subnet", ref.subnet_id);
  }
  std::string new_id = r.NewId(kRouteTableAssociationKind.prefix);
  if (ref.main) {
    r.vpcs.Update(ref.vpc_id, [&](Vpc& v) {
      v.main_route_table_id = route_table_id;
      v.main_association_id = new_id;
    });
  } else {
    r.subnets.Update(ref.subnet_id, [&](Subnet& s) {
      s.route_table_id = route_table_id;
      s.route_association_id = new_id;
    });
  }
  return new_id;
}

const RouteTable* RouteTableForSubnet(const RegionState& r, const Subnet& subnet) {
  if (!subnet.route_table_id.empty()) return r.route_tables.Find(subnet.route_table_id);
  const Vpc* vpc = r.vpcs.Find(subnet.vpc_id);
  return vpc ? r.route_tables.Find(vpc->main_route_table_id) : nullptr;
}

bool IsLocalRoute(const Route& route) { return route.origin == "CreateRouteTable"; }

std::string RouteState(const RegionState& r, const RouteTable& table, const Route& route) {
  constexpr const char* kActive = "active";
  constexpr const char* kBlackhole = "blackhole";
  if (route.gateway_id == "local") return kActive;
  if (!route.gateway_id.empty()) {
    const InternetGateway* igw = r.internet_gateways.Find(route.gateway_id);
    return igw && igw->vpc_id == table.vpc_id ? kActive : kBlackhole;
  }
  const NetworkInterface* eni = r.enis.Find(route.network_interface_id);
  if (!eni || eni->vpc_id != table.vpc_id) return kBlackhole;
  if (!route.instance_id.empty()) {
    // An instance target is gone with the instance or its interface.
    const Instance* instance = r.instances.Find(route.instance_id);
    if (!instance || instance->state == "terminated") return kBlackhole;
    if (!eni->attachment || eni->attachment->instance_id != route.instance_id) return kBlackhole;
  }
  return kActive;
}

std::vector<RouteTableAssociation> AssociationsOf(const RegionState& r, const RouteTable& table) {
  std::vector<RouteTableAssociation> out;
  const Vpc* vpc = r.vpcs.Find(table.vpc_id);
  if (vpc && vpc->main_route_table_id == table.id) {
    out.push_back({vpc->main_association_id, "", true});
  }
  auto it = r.subnets_by_vpc.find(table.vpc_id);
  if (it == r.subnets_by_vpc.end()) return out;
  for (const auto& sid : it->second) {
    const Subnet* s = r.subnets.Find(sid);
    if (s && s->route_table_id == table.id) out.push_back({s->route_association_id, sid, false});
  }
  return out;
}

std::string RouteInstanceId(const RegionState& r, const Route& route) {
  if (!route.instance_id.empty()) return route.instance_id;
  if (route.network_interface_id.empty()) return "";
  const NetworkInterface* eni = r.enis.Find(route.network_interface_id);
  return eni && eni->attachment ? eni->attachment->instance_id : "";
}

}  // namespace minivpc
