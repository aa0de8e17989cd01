// Security groups: creating and deleting them, and the checks other areas
// need (ValidateGroupsForEni). The rules inside a group (authorize, revoke,
// modify) live in security_group_rules.h.
//
//   MINIVPC_ASSIGN_OR_RETURN(std::string id,
//                            CreateSecurityGroup(r, {"web", "web servers", vpc_id, {}}));
//   MINIVPC_RETURN_IF_ERROR(ValidateGroupsForEni(r, vpc_id, {id}));
//
// AWS's rules, as enforced here:
//  - a group lives in one VPC (the region's default VPC when none is given);
//    names are unique per VPC ignoring case; "default" is reserved for the
//    group every VPC is created with; names may not start with "sg-";
//    names and descriptions are 1..255 characters from
//    a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*
//  - a new group has no inbound rules and one outbound rule allowing all
//    traffic to 0.0.0.0/0 (plus ::/0 when the VPC has an IPv6 block)
//  - the default group cannot be deleted; a group used by a network
//    interface or referenced by another group's rule cannot be deleted (a
//    group's reference to itself does not count).
//
// Not thread safe (see region_state.h). Failing calls may leave partial
// changes for the caller's journal rollback.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc {

// AWS's default quota of VPC security groups per region.
inline constexpr size_t kMaxSecurityGroupsPerRegion = 2500;
// Security groups one network interface may carry.
inline constexpr size_t kMaxSecurityGroupsPerEni = 5;

struct CreateSecurityGroupArgs {
  std::string name;
  std::string description;
  std::string vpc_id;  // "" = the region's default VPC
  Tags tags;
};

// Creates the group and returns its id. Errors: MissingParameter (empty
// name or description), InvalidParameterValue (length, characters, the
// reserved name "default", an "sg-" prefix), VPCIdNotSpecified (no VpcId and
// no default VPC), InvalidVpcID.NotFound/Malformed, InvalidGroup.Duplicate,
// SecurityGroupLimitExceeded.
StatusOr<std::string> CreateSecurityGroup(RegionState& r, const CreateSecurityGroupArgs& args);

// The group a request names: by `group_id` when given, else by `group_name`
// in the default VPC (EC2 resolves bare names only there). Errors:
// MissingParameter (neither given), InvalidGroupId.Malformed,
// InvalidGroup.NotFound.
StatusOr<std::string> ResolveGroup(const RegionState& r, const std::string& group_id,
                                   const std::string& group_name);

// The group named `name` (ignoring case) in `vpc_id`, or nullptr.
const SecurityGroup* FindGroupByName(const RegionState& r, const std::string& vpc_id,
                                     const std::string& name);

// Errors: InvalidGroup.NotFound/InvalidGroupId.Malformed, CannotDelete (the
// VPC's default group), DependencyViolation (a network interface uses the
// group, or another group's rule references it).
Status DeleteSecurityGroup(RegionState& r, const std::string& group_id);

// Checks the groups for a network interface in `vpc_id`: 1..5 distinct
// groups (InvalidParameterValue for none or a repeated id,
// SecurityGroupsPerInterfaceLimitExceeded beyond 5), each existing
// (InvalidGroupId.Malformed / InvalidGroup.NotFound) and in that VPC
// (InvalidGroup.NotFound "You have specified two resources that belong to
// different networks.", as EC2 answers).
Status ValidateGroupsForEni(const RegionState& r, const std::string& vpc_id,
                            const std::vector<std::string>& group_ids);

// Checks a group name or description against EC2's length and character
// rules; `member` names the parameter in the error ("GroupName").
Status CheckGroupText(const std::string& text, const std::string& member);

}  // namespace minivpc
