// Internet gateway operations.
//
//   auto igw = CreateInternetGateway(r, {});          // created detached
//   MINIVPC_RETURN_IF_ERROR(AttachInternetGateway(r, *igw, vpc_id));
//
// A VPC has at most one internet gateway and a gateway serves at most one
// VPC. An attached gateway shows the attachment state "available", as AWS
// reports it. Routes that target a gateway are never rewritten: they turn
// "blackhole" (see RouteState in route_tables.h) once the gateway is detached
// from their VPC or deleted.
#pragma once

#include <string>

#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc {

// AWS's default quota of internet gateways per region (the default VPC's
// gateway counts).
inline constexpr size_t kMaxInternetGatewaysPerRegion = 5;

// Returns the new gateway's id. Errors: InternetGatewayLimitExceeded.
StatusOr<std::string> CreateInternetGateway(RegionState& r, const Tags& tags);

// Errors: InvalidInternetGatewayID.NotFound/.Malformed, DependencyViolation
// while the gateway is attached to a VPC.
Status DeleteInternetGateway(RegionState& r, const std::string& igw_id);

// Errors: InvalidInternetGatewayID.*, InvalidVpcID.*, Resource.AlreadyAssociated
// when the gateway is attached anywhere or the VPC already has a gateway.
Status AttachInternetGateway(RegionState& r, const std::string& igw_id, const std::string& vpc_id);

// Errors: InvalidInternetGatewayID.*, InvalidVpcID.*, Gateway.NotAttached when
// the gateway is not attached to `vpc_id`, DependencyViolation while any
// network interface in the VPC has a public IPv4 (auto-assigned or elastic).
Status DetachInternetGateway(RegionState& r, const std::string& igw_id, const std::string& vpc_id);

// The gateway attached to `vpc_id`, or nullptr. Never fails.
const InternetGateway* AttachedInternetGateway(const RegionState& r, const std::string& vpc_id);

// True if a network interface in `vpc_id` maps a public IPv4 to one of its
// private addresses (an auto-assigned public IP or an elastic IP).
bool VpcHasMappedPublicAddresses(const RegionState& r, const std::string& vpc_id);

}  // namespace minivpc
