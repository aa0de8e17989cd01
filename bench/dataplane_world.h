// The configuration and traffic dataplane_bench measures, built straight into
// a RegionState's tables with Table::Put (no API quotas, no validation).
//
//   SystemRandom random(1);
//   FakeClock clock;
//   Cloud cloud({}, &random, &clock);
//   RegionState& r = cloud.EmptyRegion("123456789012", "us-east-1");
//   WorldSummary w = BuildWorld(r, cloud.journal());
//   std::vector<BenchPacket> flows = MakeFlows(w, 65536, /*seed=*/7, nullptr);
//
// The world. One VPC 10.0.0.0/16, 100 subnets 10.0.s.0/24, 100 ENIs each
// (10.0.s.4 .. 10.0.s.103), every ENI the primary interface of a running
// instance. ENI i (in id order, which is also the snapshot's index order)
// has role i % 10 and carries that role's group R<role>, whose 1,000 members
// are what other groups reference (R<r> admits TCP 8000+r from R<r-1>, so
// every set holds at least 1,000 /32s once references are expanded). On top
// of R<role>:
//   * ~80% carry 0-2 small groups (5-25 rules each);
//   * 20% carry 4 big groups of 248 rules (5 groups, ~1,000 rules as AWS
//     counts them, ~4,000 entries with references expanded);
//   * 20 ENIs are appliances (source/dest check off, an allow-VPC group)
//     that routes point at.
// Rules mix IPv4 CIDRs of every length /8../32 inside and outside the VPC,
// single ports, port ranges, all ports, ICMP types/codes, "-1", and group
// references. No set allows all TCP/UDP in both directions, so every
// allowed TCP/UDP flow is tracked. Four network ACLs (subnet s uses s % 4)
// have 40 entries per direction: 28 mixed allow/deny entries (a few of which
// deny real traffic) then 12 allows the traffic needs. The main route table
// has local, 0.0.0.0/0 -> IGW and 999 random /8../28 prefixes outside the
// VPC, half to the IGW and half to appliances. 10% of ENIs have a public
// IPv4.
//
// Everything is deterministic for a given seed. Not thread safe.
#pragma once

#include <cstdint>
#include <vector>

#include "dataplane/packet.h"
#include "net/ip.h"
#include "vpc/region_state.h"
#include "vpc/table.h"

namespace minivpc::bench {

inline constexpr int kSubnets = 100;
inline constexpr int kEnisPerSubnet = 100;
inline constexpr int kEnis = kSubnets * kEnisPerSubnet;
inline constexpr int kRoles = 10;
inline constexpr int kAclEntriesPerDirection = 40;
inline constexpr int kRandomRoutes = 999;

// What BuildWorld made, for flow generation and the report.
struct WorldSummary {
  int groups = 0;
  int classifier_sets = 0;  // distinct group sets on ENIs
  // Per ENI, in index order: security-group rules as AWS counts them (a
  // group reference is one rule), and after references are expanded to
  // one /32 per member address (what a classifier compiles).
  std::vector<int> aws_rules_per_eni;
  std::vector<int> expanded_rules_per_eni;
  std::vector<bool> appliance;        // per ENI: source/dest check off
  std::vector<Cidr> external_routes;  // the random routes' destinations
  int routes_to_igw = 0;
  int routes_to_eni = 0;
};

// Fills an empty region as described above; drops the journal's undo log as
// it goes. Precondition: `r` has no rows.
WorldSummary BuildWorld(RegionState& r, Journal& journal, uint64_t seed = 42);

// The private IPv4 of ENI index `i`.
IpAddress EniAddress(int i);

// One packet sent by ENI `from_eni` (snapshot index).
struct BenchPacket {
  dp::PacketHeaders h;
  int32_t from_eni = -1;
};

enum class FlowKind : uint8_t {
  kService,     // TCP to the next role's service port (8000 + role)
  kSameSubnet,  // the same, within one subnet (no network ACLs)
  kIcmpEcho,    // echo request to any ENI
  kDns,         // UDP 53 to any ENI (only even roles allow it)
  kRandomTcp,   // TCP to a random port: mostly dropped by groups or ACLs
  kExternal,    // TCP 443 to a routed prefix: IGW or an appliance
  kCount
};
const char* FlowKindName(FlowKind k);

// The first packets of `n` distinct flows, distinct as connection tracking
// sees them (in either direction) and not in `exclude` (may be null).
// `kinds`, if given, receives each packet's kind.
std::vector<BenchPacket> MakeFlows(const WorldSummary& w, size_t n, uint64_t seed,
                                   const std::vector<BenchPacket>* exclude,
                                   std::vector<FlowKind>* kinds = nullptr);

// The reply to `p`, sent by `to_eni` (the ENI `p` was delivered to).
BenchPacket Reply(const BenchPacket& p, int32_t to_eni);

}  // namespace minivpc::bench
