// The rules of a security group: authorize, revoke and modify.
//
//   PermissionPeer office;
//   office.cidr_ipv4 = "203.0.113.0/24";
//   IpPermissionSpec ssh{"tcp", 22, 22, {office}};
//   MINIVPC_ASSIGN_OR_RETURN(auto added,
//                            AuthorizeSecurityGroupRules(r, sg, /*egress=*/false, {ssh}, {}));
//
// A request's permissions arrive as text (IpPermissionSpec) and are checked
// and expanded here, as EC2 does, into one rule (sgr-...) per permission and
// source/destination. Normal form, which is also what Describe shows:
//  - protocol: "tcp", "udp", "icmp", "icmpv6", "-1" (all) or another number
//    0..255 in decimal; names are case-insensitive, "all" means "-1", and
//    the numbers 6, 17, 1, 58 become their names
//  - ports: tcp/udp need both ports, 0..65535, from <= to (-1..-1 means all
//    ports and becomes 0..65535); icmp needs a type and code, each -1..255
//    (all types requires all codes); icmpv6 takes them optionally (absent =
//    -1, all); every other protocol ignores ports and stores -1..-1
//  - CIDRs: host bits are masked off ("10.0.0.1/16" -> "10.0.0.0/16")
//  - referenced groups must exist and be in the same VPC.
// A rule's identity is (direction, protocol, ports, peer); the description
// and tags are not part of it. Each direction holds at most 60 IPv4 and 60
// IPv6 rules; a rule referencing a group counts toward both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc {

inline constexpr int kMaxRulesPerGroupDirection = 60;

// One source (ingress) or destination (egress) as the client sent it. Set
// exactly one of the cidr / group / prefix list members.
struct PermissionPeer {
  std::string cidr_ipv4;       // IpRanges[].CidrIp
  std::string cidr_ipv6;       // Ipv6Ranges[].CidrIpv6
  std::string group_id;        // UserIdGroupPairs[].GroupId
  std::string group_name;      // UserIdGroupPairs[].GroupName (default VPC)
  std::string user_id;         // UserIdGroupPairs[].UserId (must be ours)
  std::string prefix_list_id;  // PrefixListIds[].PrefixListId (none exist)
  std::string description;
};

// One IpPermission as the client sent it.
struct IpPermissionSpec {
  std::string ip_protocol;  // "" when absent
  std::optional<int64_t> from_port;
  std::optional<int64_t> to_port;
  std::vector<PermissionPeer> peers;
};

// Checks `perms` for a rule of `group` in direction `egress` and expands them
// into normalised rules without ids. Errors: InvalidParameterValue (protocol,
// ports, CIDR, description, a permission repeated in the request),
// MissingParameter (no peer), InvalidGroup.NotFound /
// InvalidGroupId.Malformed (referenced group), InvalidPrefixListID.NotFound.
StatusOr<std::vector<SecurityGroupRule>> ExpandPermissions(
    const RegionState& r, const SecurityGroup& group, bool egress,
    const std::vector<IpPermissionSpec>& perms);

// InvalidSecurityGroupRuleId.Malformed or .NotFound for `id`.
Status SecurityGroupRuleIdError(const std::string& id);

// Same direction, protocol, ports and peer.
bool SameRule(const SecurityGroupRule& a, const SecurityGroupRule& b);

// EC2's one-line description of a rule, as its duplicate error quotes it:
// peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW
std::string DescribeRule(const SecurityGroupRule& rule);

// Adds the rules and returns them with their new ids; `tags` go on each.
// All or nothing: InvalidPermission.Duplicate if any rule exists already,
// RulesPerSecurityGroupLimitExceeded past the quota, plus the
// ExpandPermissions errors and InvalidGroup.NotFound for `group_id`.
StatusOr<std::vector<SecurityGroupRule>> AuthorizeSecurityGroupRules(
    RegionState& r, const std::string& group_id, bool egress,
    const std::vector<IpPermissionSpec>& perms, const Tags& tags);

struct RevokeResult {
  std::vector<SecurityGroupRule> revoked;
  // Requested rules that did not exist (only in the default VPC; see below).
  std::vector<SecurityGroupRule> unknown;
};

// Removes the rules matching `perms` (descriptions are ignored). When one
// does not exist, EC2 answers differently by VPC, and so do we: in the
// default VPC the call succeeds, removes the rules that exist and reports
// the rest in `unknown` (UnknownIpPermissions); in any other VPC it fails
// with InvalidPermission.NotFound and removes nothing. botocore clients
// expect exactly this: a 400 they can catch, or Return=true plus the list.
StatusOr<RevokeResult> RevokeSecurityGroupRules(RegionState& r, const std::string& group_id,
                                                bool egress,
                                                const std::vector<IpPermissionSpec>& perms);

// Removes rules by id. Each must be a rule of `group_id` in direction
// `egress`, else InvalidSecurityGroupRuleId.NotFound (or .Malformed).
StatusOr<RevokeResult> RevokeSecurityGroupRuleIds(RegionState& r, const std::string& group_id,
                                                  bool egress,
                                                  const std::vector<std::string>& rule_ids);

// One rule rewritten in place: its id, direction and tags stay.
struct RuleUpdate {
  std::string rule_id;
  IpPermissionSpec rule;  // exactly one peer
};

// Applies the updates to rules of `group_id`, all or nothing. Errors:
// InvalidSecurityGroupRuleId.NotFound/Malformed, the ExpandPermissions
// errors, InvalidPermission.Duplicate when a rewritten rule equals another,
// RulesPerSecurityGroupLimitExceeded.
Status ModifySecurityGroupRules(RegionState& r, const std::string& group_id,
                                const std::vector<RuleUpdate>& updates);

}  // namespace minivpc
