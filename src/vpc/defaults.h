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

// What AWS adds when an IPv6 block is associated with an existing VPC: rule
// 101 (all traffic, ::/0) in each direction of the default network ACL whose
// rules in that direction are still the stock rule 100 alone (AWS skips a
// direction the user has modified), and the ::/0 allow-all egress rule of
// the default security group unless it already has one. Journaled.
void AddIpv6DefaultRules(RegionState& r, const std::string& vpc_id);

// The allow-all egress rule every new security group starts with.
SecurityGroupRule AllowAllEgress(RegionState& r, const Cidr& to);

}  // namespace minivpc
