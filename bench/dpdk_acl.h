// Security groups and network ACLs as DPDK rte_acl rule lists, for the
// dataplane_bench baseline (dpdk_baseline.h). DPDK-only: include it only
// under MINIVPC_HAVE_DPDK.
//
//   std::vector<AclRuleSpec> in = SgSpecs(groups, /*egress=*/false, members);
//   rte_acl_ctx* ctx;
//   if (!NewAcl(in, &ctx, &error)) ...;
//   bool allowed = Classify(ctx, proto, src, key) != 0;
//
// Every context has the same four fields: protocol (bitmask; mask 0 = any),
// remote IPv4 (prefix), key (range: TCP/UDP destination port or ICMP
// type*256+code, as dp::Pipeline keys packets) and a padding range that
// completes rte_acl's 4-byte input group. One category.
//   * Security groups allow only, so every rule has userdata kAclAllow and
//     the same priority: any match allows, no match (0) denies.
//   * NACL entries have priority MAX - rule number (the lowest number wins,
//     as first match in number order) and userdata kAclAllow / kAclDeny; no
//     match is the implicit "*" deny.
// IPv4 only: IPv6 rules are left out.
#pragma once

#include <rte_acl.h>
#include <rte_byteorder.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vpc/resources.h"

namespace minivpc::bench {

inline constexpr uint32_t kAclAllow = 1, kAclDeny = 2;  // userdata; 0 = no match

struct AclRuleSpec {
  int proto = -1;  // -1: any protocol
  uint32_t net = 0;
  int prefix = 0;
  uint16_t lo = 0, hi = 0xFFFF;  // key range
  int32_t priority = 1;
  uint32_t userdata = kAclAllow;
};

// A rule's protocol text ("tcp", "6", "-1", ...) -> number; -1 for all, -2
// for text that matches nothing.
int ProtocolOf(const std::string& text);

// Group id -> private IPv4s of the ENIs carrying it (group references
// expand to one /32 each, as Snapshot::Compile does).
using GroupMembers = std::map<std::string, std::vector<uint32_t>>;

std::vector<AclRuleSpec> SgSpecs(const std::vector<const SecurityGroup*>& groups, bool egress,
                                 const GroupMembers& members);
std::vector<AclRuleSpec> NaclSpecs(const NetworkAcl& acl, bool egress);

// Whether `specs` allow all of `proto` (any port) from/to 0.0.0.0/0: AWS
// leaves TCP/UDP untracked when both directions do (SgClassifier::Untracked).
bool AllowsAll(const std::vector<AclRuleSpec>& specs, int proto);

// Builds a context holding `specs`; *out is nullptr for an empty list
// (nothing matches). Returns false with *error when DPDK refuses.
bool NewAcl(const std::vector<AclRuleSpec>& specs, rte_acl_ctx** out, std::string* error);

// One lookup's input, in network byte order: the protocol byte, then 4-byte
// groups (rte_acl's inner loop consumes 4 bytes at a time).
struct AclInput {
  uint8_t proto;
  uint8_t pad[3];
  uint32_t remote;
  uint16_t key;
  uint16_t zero;  // completes the last group; every rule takes any value
};

// The userdata of the best matching rule, or 0. `ctx` may be nullptr.
inline uint32_t Classify(const rte_acl_ctx* ctx, uint8_t proto, uint32_t remote, uint16_t key) {
  if (!ctx) return 0;
  AclInput in{proto, {0, 0, 0}, rte_cpu_to_be_32(remote), rte_cpu_to_be_16(key), 0};
  const uint8_t* data = &in.proto;
  uint32_t result = 0;
  rte_acl_classify(ctx, &data, &result, 1, 1);
  return result;
}

}  // namespace minivpc::bench
