// What the pipeline decides about one packet, and why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/ip.h"

namespace minivpc::dp {

// Why a packet was dropped. Each maps to a Reachability Analyzer
// explanation code (ExplanationCode) and is counted per data plane.
enum class DropReason : uint8_t {
  kNone = 0,
  kSourceDestCheck,       // egress src / ingress dst not the ENI's address
  kSecurityGroup,         // no security group rule allows it
  kNetworkAcl,            // a NACL rule (or the final "*" rule) denies it
  kNoRoute,               // no route matches the destination
  kBlackholeRoute,        // the matching route's target is gone/detached
  kNoDestination,         // no ENI owns the destination address
  kNoPublicIp,            // leaving by the IGW without a public IPv4
  kNoNatMapping,          // entering by the IGW to an unmapped public IPv4
  kGatewayNotAttached,    // IGW not attached to the destination's VPC
  kEniNotActive,          // ENI detached or its instance not running
  kConntrackFull,         // conntrack allowance exceeded
  kFragmentWithoutFirst,  // non-first fragment, no first fragment seen
  kMalformed,             // the packet could not be parsed
  kCount
};

const char* DropReasonName(DropReason r);
// The Reachability Analyzer explanation code for `r`.
const char* ExplanationCode(DropReason r);

enum class Outcome : uint8_t { kDeliveredToEni, kDeliveredToInternet, kDropped };

struct Verdict {
  Outcome outcome = Outcome::kDropped;
  DropReason reason = DropReason::kNone;
  int32_t eni = -1;  // delivered to, or the ENI at which it was blocked
  int32_t igw = -1;  // the internet gateway crossed, if any
  // 1:1 NAT applied at the internet gateway.
  bool nat_src = false;
  bool nat_dst = false;
  IpAddress src;  // addresses after translation
  IpAddress dst;
  // Delivered to an ENI that does not own the destination (an appliance
  // that will forward it: possible only with source/dest check off).
  bool forwarded = false;
  bool established = false;  // matched a tracked connection
  bool delivered() const { return outcome != Outcome::kDropped; }
};

// One step of a packet's path, for explanations and `minivpc trace`.
struct Hop {
  std::string component;  // "network-interface", "security-group", "network-acl",
                          // "route-table", "internet-gateway", "internet"
  std::string id;
  std::string direction;  // "egress" / "ingress" / ""
  std::string detail;     // human-readable: the rule or route that decided
  std::string rule_id;    // sgr- id, ACL rule number, or route destination
  bool allowed = true;
};

struct Explanation {
  std::vector<Hop> hops;
  std::string src_before, dst_before, src_after, dst_after;  // around NAT
};

}  // namespace minivpc::dp
