// The resources AWS creates implicitly: the local route, a VPC's main route
// table, default network ACL and default security group.
#pragma once

#include "vpc/region_state.h"

namespace minivpc {

Route LocalRoute(const Cidr& block);

// One local route per IPv4 and IPv6 block of the VPC.
RouteTable MakeMainRouteTable(RegionState& r, const Vpc& vpc);

// Rule 100 allows all traffic both ways (rule 101 for ::/0 when the VPC has
// IPv6); the implicit "*" rules deny the rest.
NetworkAcl MakeDefaultNetworkAcl(RegionState& r, const Vpc& vpc);

// "default": ingress from itself, egress to 0.0.0.0/0 (and ::/0 with IPv6).
SecurityGroup MakeDefaultSecurityGroup(RegionState& r, const Vpc& vpc);

// The allow-all egress rule every new security group starts with.
SecurityGroupRule AllowAllEgress(RegionState& r, const Cidr& to);

}  // namespace minivpc
