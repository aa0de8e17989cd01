// Route table actions: Create/Delete/DescribeRouteTables, Associate/
// DisassociateRouteTable, ReplaceRouteTableAssociation, Create/Replace/
// DeleteRoute.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "vpc/route_tables.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kRouteTableFilters = {
    {"association.gateway-id", "Associations.GatewayId"},
    {"association.route-table-association-id", "Associations.RouteTableAssociationId"},
    {"association.route-table-id", "Associations.RouteTableId"},
    {"association.subnet-id", "Associations.SubnetId"},
    {"association.main", "Associations.Main"},
    {"owner-id", "OwnerId"},
    {"route-table-id", "RouteTableId"},
    {"route.destination-cidr-block", "Routes.DestinationCidrBlock"},
    {"route.destination-ipv6-cidr-block", "Routes.DestinationIpv6CidrBlock"},
    {"route.destination-prefix-list-id", "Routes.DestinationPrefixListId"},
    {"route.egress-only-internet-gateway-id", "Routes.EgressOnlyInternetGatewayId"},
    {"route.gateway-id", "Routes.GatewayId"},
    {"route.instance-id", "Routes.InstanceId"},
    {"route.nat-gateway-id", "Routes.NatGatewayId"},
    {"route.transit-gateway-id", "Routes.TransitGatewayId"},
    {"route.origin", "Routes.Origin"},
    {"route.state", "Routes.State"},
    {"route.vpc-peering-connection-id", "Routes.VpcPeeringConnectionId"},
    {"vpc-id", "VpcId"},
};

json AssociatedState() { return json{{"State", "associated"}}; }

json RenderRoute(const RegionState& r, const RouteTable& t, const Route& route) {
  json out{{"Origin", route.origin}, {"State", RouteState(r, t, route)}};
  out[route.destination.is_v4() ? "DestinationCidrBlock" : "DestinationIpv6CidrBlock"] =
      route.destination.ToString();
  if (!route.gateway_id.empty()) out["GatewayId"] = route.gateway_id;
  if (!route.network_interface_id.empty()) out["NetworkInterfaceId"] = route.network_interface_id;
  std::string instance = RouteInstanceId(r, route);
  if (!instance.empty()) {
    out["InstanceId"] = instance;
    out["InstanceOwnerId"] = r.account_id;
  }
  return out;
}

json RenderRouteTable(const RegionState& r, const RouteTable& t) {
  json associations = json::array();
  for (const auto& a : AssociationsOf(r, t)) {
    json j{{"Main", a.main},
           {"RouteTableAssociationId", a.id},
           {"RouteTableId", t.id},
           {"AssociationState", AssociatedState()}};
    if (!a.subnet_id.empty()) j["SubnetId"] = a.subnet_id;
    associations.push_back(std::move(j));
  }
  json routes = json::array();
  for (const auto& route : t.routes) routes.push_back(RenderRoute(r, t, route));
  return json{{"Associations", std::move(associations)},
              {"PropagatingVgws", json::array()},
              {"RouteTableId", t.id},
              {"Routes", std::move(routes)},
              {"Tags", TagsToJson(t.tags)},
              {"VpcId", t.vpc_id},
              {"OwnerId", t.owner_id}};
}

StatusOr<json> CreateRouteTableHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "VpcId", "VpcId"));
  MINIVPC_ASSIGN_OR_RETURN(Tags tags, TagsFromSpecifications(c.input, "route-table"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id,
                           CreateRouteTable(c.region, GetString(c.input, "VpcId"), tags));
  json out{{"RouteTable", RenderRouteTable(c.region, *c.region.route_tables.Find(id))}};
  if (auto token = GetOptString(c.input, "ClientToken")) out["ClientToken"] = *token;
  return out;
}

StatusOr<json> DeleteRouteTableHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "RouteTableId", "RouteTableId"));
  MINIVPC_RETURN_IF_ERROR(DeleteRouteTable(c.region, GetString(c.input, "RouteTableId")));
  return json::object();
}

StatusOr<json> DescribeRouteTablesHandler(Call& c) {
  static const DescribeSpec spec{
      &kRouteTableKind, "RouteTableIds", "RouteTables", &kRouteTableFilters, 5, 100};
  return Describe(c.region.route_tables, c.input, spec,
                  [&](const RouteTable& t) { return RenderRouteTable(c.region, t); });
}

StatusOr<json> AssociateRouteTableHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "RouteTableId", "RouteTableId"));
  if (GetOptString(c.input, "GatewayId")) {
    return Status(err::kUnsupported,
                  "Gateway route table associations (GatewayId) are not supported.");
  }
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "SubnetId", "SubnetId"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id,
                           AssociateRouteTable(c.region, GetString(c.input, "RouteTableId"),
                                               GetString(c.input, "SubnetId")));
  return json{{"AssociationId", id}, {"AssociationState", AssociatedState()}};
}

StatusOr<json> DisassociateRouteTableHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "AssociationId", "AssociationId"));
  MINIVPC_RETURN_IF_ERROR(DisassociateRouteTable(c.region, GetString(c.input, "AssociationId")));
  return json::object();
}

StatusOr<json> ReplaceRouteTableAssociationHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "AssociationId", "AssociationId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "RouteTableId", "RouteTableId"));
  MINIVPC_ASSIGN_OR_RETURN(
      std::string id, ReplaceRouteTableAssociation(c.region, GetString(c.input, "AssociationId"),
                                                   GetString(c.input, "RouteTableId")));
  return json{{"NewAssociationId", id}, {"AssociationState", AssociatedState()}};
}

StatusOr<RouteArgs> ReadRouteArgs(const json& in) {
  MINIVPC_RETURN_IF_ERROR(Require(in, "RouteTableId", "RouteTableId"));
  RouteArgs a;
  a.route_table_id = GetString(in, "RouteTableId");
  a.destination_cidr_block = GetString(in, "DestinationCidrBlock");
  a.destination_ipv6_cidr_block = GetString(in, "DestinationIpv6CidrBlock");
  a.destination_prefix_list_id = GetString(in, "DestinationPrefixListId");
  a.gateway_id = GetString(in, "GatewayId");
  a.network_interface_id = GetString(in, "NetworkInterfaceId");
  a.instance_id = GetString(in, "InstanceId");
  a.local_target = GetBool(in, "LocalTarget");
  for (const char* member :
       {"NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "EgressOnlyInternetGatewayId",
        "LocalGatewayId", "CarrierGatewayId", "VpcEndpointId", "CoreNetworkArn", "OdbNetworkArn"}) {
    std::string id = GetString(in, member);
    if (!id.empty()) a.other_targets.emplace_back(member, id);
  }
  return a;
}

StatusOr<json> CreateRouteHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(RouteArgs args, ReadRouteArgs(c.input));
  MINIVPC_RETURN_IF_ERROR(CreateRoute(c.region, args));
  return ReturnTrue();
}

StatusOr<json> ReplaceRouteHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(RouteArgs args, ReadRouteArgs(c.input));
  MINIVPC_RETURN_IF_ERROR(ReplaceRoute(c.region, args));
  return json::object();
}

StatusOr<json> DeleteRouteHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(RouteArgs args, ReadRouteArgs(c.input));
  MINIVPC_RETURN_IF_ERROR(DeleteRoute(c.region, args));
  return json::object();
}

}  // namespace

void RegisterRouteTableActions(ActionTable& t) {
  t["CreateRouteTable"] = {Access::kWrite, CreateRouteTableHandler};
  t["DeleteRouteTable"] = {Access::kWrite, DeleteRouteTableHandler};
  t["DescribeRouteTables"] = {Access::kRead, DescribeRouteTablesHandler};
  t["AssociateRouteTable"] = {Access::kWrite, AssociateRouteTableHandler};
  t["DisassociateRouteTable"] = {Access::kWrite, DisassociateRouteTableHandler};
  t["ReplaceRouteTableAssociation"] = {Access::kWrite, ReplaceRouteTableAssociationHandler};
  t["CreateRoute"] = {Access::kWrite, CreateRouteHandler};
  t["ReplaceRoute"] = {Access::kWrite, ReplaceRouteHandler};
  t["DeleteRoute"] = {Access::kWrite, DeleteRouteHandler};
}

}  // namespace minivpc::ec2api
