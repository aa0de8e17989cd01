// Security group shapes: the output shapes of groups and rules, and the
// decoding of IpPermissions (and the legacy single-rule members) that the
// authorize and revoke actions share.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "vpc/region_state.h"
#include "vpc/security_group_rules.h"

namespace minivpc::ec2api {

// "arn:aws:ec2:<region>:<account>:<kind>/<id>".
std::string Ec2Arn(const RegionState& r, const std::string& kind, const std::string& id);

// SecurityGroup. Rules are folded into IpPermissions/IpPermissionsEgress as
// EC2 folds them: one IpPermission per (protocol, ports) listing every peer,
// in order of first appearance; FromPort/ToPort only for tcp, udp, icmp and
// icmpv6.
nlohmann::json RenderSecurityGroup(const RegionState& r, const SecurityGroup& g);
// SecurityGroupRule (Authorize* output, DescribeSecurityGroupRules).
nlohmann::json RenderSecurityGroupRule(const RegionState& r, const SecurityGroup& g,
                                       const SecurityGroupRule& rule);
// RevokedSecurityGroupRule.
nlohmann::json RenderRevokedRule(const std::string& group_id, const SecurityGroupRule& rule);
// One rule as an IpPermission with its single peer (UnknownIpPermissions).
nlohmann::json RenderIpPermission(const SecurityGroupRule& rule);

// True if the request names rules by IpPermissions or the legacy members
// (CidrIp, IpProtocol, FromPort, ToPort, SourceSecurityGroupName/OwnerId).
bool HasPermissionMembers(const nlohmann::json& in);

// The permissions of an Authorize/Revoke request. The legacy members make
// one permission; a bare SourceSecurityGroupName makes three (all ICMP, TCP
// and UDP), as EC2 documents. Errors: InvalidParameterCombination (legacy
// members with IpPermissions, or CidrIp with SourceSecurityGroupName),
// MissingParameter (no permission at all).
StatusOr<std::vector<IpPermissionSpec>> ParsePermissions(const nlohmann::json& in);

}  // namespace minivpc::ec2api
