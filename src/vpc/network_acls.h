// Network ACLs: the stateless, numbered allow/deny lists on subnets.
//
//   MINIVPC_ASSIGN_OR_RETURN(std::string acl, CreateNetworkAcl(r, vpc_id, {}));
//   NetworkAclEntrySpec ssh;  // inbound rule 100: allow TCP 22 from anywhere
//   ssh.rule_number = 100;
//   ssh.protocol = "6";
//   ssh.rule_action = "allow";
//   ssh.cidr_block = "0.0.0.0/0";
//   ssh.port_from = ssh.port_to = 22;
//   MINIVPC_RETURN_IF_ERROR(CreateNetworkAclEntry(r, acl, ssh));
//
// AWS's rules, as enforced here:
//  - every VPC has a default ACL allowing all traffic (defaults.h); a new
//    custom ACL denies everything (it has only the implicit "*" rules);
//  - every subnet is associated with exactly one ACL of its VPC (Subnet rows
//    carry network_acl_id + network_acl_association_id); moving a subnet
//    gives it a new association id;
//  - entries are numbered 1..32766, unique per direction; protocol is "-1"
//    or a number 0..255 (the API takes no names; the AWS CLI translates
//    tcp/udp/icmp/all before sending); exactly one of an IPv4 or an IPv6
//    CIDR; tcp (6) and udp (17) need a port range, icmp (1) and icmpv6 (58,
//    with an IPv6 CIDR) a type and code; fields the protocol ignores are
//    dropped;
//  - at most 20 entries per direction and address family, 200 ACLs per VPC;
//  - the default ACL, and an ACL still associated with a subnet, cannot be
//    deleted.
//
// Not thread safe (see region_state.h). Failing calls may leave partial
// changes for the caller's journal rollback.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc {

inline constexpr int kMaxAclRuleNumber = 32766;
inline constexpr int kImplicitAclRuleNumber = 32767;  // the "*" rule
inline constexpr size_t kMaxAclEntriesPerDirection = 20;
inline constexpr size_t kMaxAclsPerVpc = 200;

// An entry matching all traffic to or from `cidr` ("0.0.0.0/0" or "::/0"):
// a default ACL's allow rules (100, 101), and the final "*" deny.
NetworkAclEntry AllTrafficEntry(int rule_number, bool egress, const char* cidr, bool allow);

// An entry as the client sent it.
struct NetworkAclEntrySpec {
  int64_t rule_number = 0;
  bool egress = false;
  std::string protocol;     // "-1" or "0".."255"
  std::string rule_action;  // "allow" | "deny"
  std::string cidr_block;   // exactly one of these two
  std::string ipv6_cidr_block;
  std::optional<int64_t> icmp_type;
  std::optional<int64_t> icmp_code;
  std::optional<int64_t> port_from;
  std::optional<int64_t> port_to;
};

// Creates a custom ACL in `vpc_id` and returns its id. Errors:
// InvalidVpcID.NotFound/Malformed, NetworkAclLimitExceeded.
StatusOr<std::string> CreateNetworkAcl(RegionState& r, const std::string& vpc_id, const Tags& tags);

// Errors: InvalidNetworkAclID.NotFound/Malformed, InvalidParameterValue (the
// default ACL), DependencyViolation (associated with a subnet).
Status DeleteNetworkAcl(RegionState& r, const std::string& acl_id);

// Errors: InvalidNetworkAclID.*, InvalidParameterValue /
// InvalidParameterCombination / MissingParameter (the entry's fields),
// NetworkAclEntryAlreadyExists (rule number taken in that direction),
// NetworkAclEntryLimitExceeded.
Status CreateNetworkAclEntry(RegionState& r, const std::string& acl_id,
                             const NetworkAclEntrySpec& spec);

// Replaces entry (rule_number, egress). As Create, but
// InvalidNetworkAclEntry.NotFound when there is no such entry.
Status ReplaceNetworkAclEntry(RegionState& r, const std::string& acl_id,
                              const NetworkAclEntrySpec& spec);

// Errors: InvalidNetworkAclID.*, InvalidParameterValue (rule number),
// InvalidNetworkAclEntry.NotFound.
Status DeleteNetworkAclEntry(RegionState& r, const std::string& acl_id, int64_t rule_number,
                             bool egress);

// Moves the subnet holding association `association_id` to `acl_id` and
// returns the subnet's new association id (the old one ceases to exist).
// Errors: InvalidAssociationID.NotFound, InvalidNetworkAclID.*,
// InvalidParameterValue (the ACL is in another VPC).
StatusOr<std::string> ReplaceNetworkAclAssociation(RegionState& r,
                                                   const std::string& association_id,
                                                   const std::string& acl_id);

// The entries as EC2 lists them: egress before ingress, each by rule number
// (IPv4 before IPv6 on a tie), then the implicit rule-32767 deny for
// 0.0.0.0/0, and for ::/0 when the VPC has an IPv6 block.
std::vector<NetworkAclEntry> EffectiveEntries(const RegionState& r, const NetworkAcl& acl);

// The subnets associated with `acl`, by subnet id.
std::vector<const Subnet*> AssociatedSubnets(const RegionState& r, const NetworkAcl& acl);

}  // namespace minivpc
