// Route tables: the tables themselves, their subnet associations and their
// routes, with AWS's rules.
//
//   auto rtb = CreateRouteTable(r, vpc_id, {});      // starts with the local routes
//   RouteArgs args;
//   args.route_table_id = *rtb;
//   args.destination_cidr_block = "0.0.0.0/0";
//   args.gateway_id = igw_id;                        // attached to the same VPC
//   MINIVPC_RETURN_IF_ERROR(CreateRoute(r, args));
//   auto assoc = AssociateRouteTable(r, *rtb, subnet_id);   // "rtbassoc-..."
//
// Associations are stored on the rows they belong to: the VPC row holds the
// main table and its association id; a subnet row holds its explicit
// association ("" = implicitly the main table). A subnet has exactly one
// table at a time.
//
// Local routes are the routes created with the table (origin
// "CreateRouteTable"), one per VPC CIDR block. They cannot be deleted; their
// target may be replaced by a network interface and restored to "local", as
// AWS allows. Route state ("active"/"blackhole") is computed on demand from
// the target's current state, never stored.
//
// All functions are control-plane operations on one RegionState; they are
// not thread safe (the Cloud's lock serialises callers). On error they may
// have mutated tables; the caller rolls the journal back.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "vpc/lookups.h"
#include "vpc/region_state.h"

namespace minivpc {

// AWS's default quotas.
inline constexpr size_t kMaxRouteTablesPerVpc = 200;
inline constexpr size_t kMaxRoutesPerTable = 50;  // routes other than the local ones

inline constexpr IdKind kRouteTableAssociationKind{"rtbassoc", "association ID",
                                                   err::kInvalidAssociationIdMalformed,
                                                   err::kInvalidAssociationIdNotFound};

// Returns the new table's id. Errors: InvalidVpcID.*, RouteTableLimitExceeded.
StatusOr<std::string> CreateRouteTable(RegionState& r, const std::string& vpc_id, const Tags& tags);

// Errors: InvalidRouteTableID.NotFound / InvalidRouteTableId.Malformed,
// DependencyViolation for the main table or a table with subnet associations.
Status DeleteRouteTable(RegionState& r, const std::string& route_table_id);

// Explicitly associates `subnet_id` with the table; returns the association
// id. Errors: InvalidParameterValue when they are in different VPCs,
// Resource.AlreadyAssociated when the subnet already has an explicit association.
StatusOr<std::string> AssociateRouteTable(RegionState& r, const std::string& route_table_id,
                                          const std::string& subnet_id);

// Removes a subnet association (the subnet falls back to the main table).
// Errors: InvalidAssociationID.NotFound/.Malformed, InvalidParameterValue for
// the main association.
Status DisassociateRouteTable(RegionState& r, const std::string& association_id);

// Points an association (a subnet's, or the VPC's main one) at another table
// of the same VPC and returns the new association id. With the main
// association the table becomes the VPC's main table.
StatusOr<std::string> ReplaceRouteTableAssociation(RegionState& r,
                                                   const std::string& association_id,
                                                   const std::string& route_table_id);

struct RouteArgs {
  std::string route_table_id;
  // Exactly one destination. IPv4 text is canonicalised (host bits cleared),
  // as EC2 does: "100.68.0.18/18" becomes "100.68.0.0/18".
  std::string destination_cidr_block;
  std::string destination_ipv6_cidr_block;
  std::string destination_prefix_list_id;  // not modelled: always NotFound
  // Exactly one target.
  std::string gateway_id;            // igw-... attached to the table's VPC
  std::string network_interface_id;  // eni-... in the table's VPC
  std::string instance_id;           // i-... with exactly one network interface
  bool local_target = false;         // ReplaceRoute: restore a local route
  // Target kinds minivpc does not model, as (input member, id), e.g.
  // {"NatGatewayId", "nat-..."}: each fails with that kind's NotFound error.
  std::vector<std::pair<std::string, std::string>> other_targets;
};

// Errors: InvalidRouteTableID.*, InvalidParameterValue (bad CIDR, target in
// another VPC, a destination inside the VPC that is not a subnet's CIDR or
// does not target an interface), RouteAlreadyExists, RouteLimitExceeded,
// MissingParameter / InvalidParameterCombination (not exactly one
// destination or target), the target kind's NotFound error, InvalidInstanceID
// for an instance with several network interfaces.
Status CreateRoute(RegionState& r, const RouteArgs& args);

// Changes the target of an existing route. Errors: as CreateRoute, plus
// InvalidParameterValue when no route has the destination or when a local
// route would get a target other than a network interface or "local".
Status ReplaceRoute(RegionState& r, const RouteArgs& args);

// Errors: InvalidRoute.NotFound, InvalidParameterValue for a local route.
Status DeleteRoute(RegionState& r, const RouteArgs& args);

// Read-only helpers for renderers, the data plane and other operations.

// The table that routes traffic leaving `subnet`: its explicit association,
// else its VPC's main table. nullptr only if the state is inconsistent.
const RouteTable* RouteTableForSubnet(const RegionState& r, const Subnet& subnet);

// "active" or "blackhole": blackhole when the target no longer exists or no
// longer serves the table's VPC (a deleted or detached internet gateway, a
// deleted network interface, a terminated or deleted instance, or an
// instance whose interface is no longer attached to it). Never fails.
std::string RouteState(const RegionState& r, const RouteTable& table, const Route& route);

// True for the routes created with the table (one per VPC CIDR block).
bool IsLocalRoute(const Route& route);

// One association of a table as DescribeRouteTables lists it.
struct RouteTableAssociation {
  std::string id;         // rtbassoc-...
  std::string subnet_id;  // "" for the main association
  bool main = false;
};
// The main association first (if the table is main), then subnets by id.
std::vector<RouteTableAssociation> AssociationsOf(const RegionState& r, const RouteTable& table);

// The instance a route delivers to: the instance target, or the instance
// the target network interface is attached to; "" if none.
std::string RouteInstanceId(const RegionState& r, const Route& route);

}  // namespace minivpc
