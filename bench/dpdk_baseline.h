// DpdkBaseline: the data plane's decision for one packet sent by an ENI,
// rebuilt from DPDK's classic lookup structures, as the reference point for
// bench/dataplane_bench. Built only when pkg-config finds libdpdk
// (MINIVPC_HAVE_DPDK).
//
//   std::string error;
//   if (!StartDpdkEal(&error)) ...;  // once per process
//   auto base = DpdkBaseline::Build(region, /*conntrack_entries=*/1 << 20, &error);
//   BaselineVerdict v = base->Process(headers, from_eni, now_s);
//
// The mapping, check by check, in the order of dp::Pipeline (pipeline.h):
//   * ENI table: a flat array (active, source/dest check, up to 4 addresses,
//     subnet, group set), in RegionState row order = the snapshot's index.
//   * Security groups: per distinct group set and direction one rte_acl
//     context with one category. Fields: protocol (bitmask; "-1" is mask 0),
//     remote IPv4 (prefix), key (range: TCP/UDP destination port or ICMP
//     type*256+code, as the pipeline keys them). Every rule allows (SGs are
//     allow-only), so any match allows: userdata 1, equal priority, result 0
//     means no rule. Group references expand to one /32 per member's private
//     IPv4, as Snapshot::Compile does.
//   * Network ACLs: per ACL and direction one rte_acl context, same fields;
//     first match by rule number = highest priority (MAX - rule number);
//     userdata 1 allow / 2 deny; no match is the implicit "*" deny.
//   * Routes: one rte_lpm (DIR-24-8) per route table, next hop = target kind
//     and index; 0.0.0.0/0 is entered as two /1s (rte_lpm depth is 1..32).
//   * Destination ENI and 1:1 NAT: rte_hash keyed by (VPC, private IPv4).
//   * Connection tracking: rte_hash keyed by the flow with its endpoints in
//     canonical order plus the ENI, so both directions find one entry; the
//     entry (side array indexed by the hash's key position) keeps the first
//     direction, timestamps and counts, with the pipeline's AWS timeouts.
// Process: per packet, one structure at a time, as Pipeline::Process works.
// ProcessBurst: as Pipeline::ProcessBurst, bursts of 32: the senders' flows
// are looked up with one rte_hash_lookup_with_hash_bulk call (DPDK's own
// prefetching, pipelined lookup); the rest per packet, in order, since the
// receiver's lookup depends on the route (a flow added earlier in the
// burst is looked up again). IPv4 only; no fragments, no traffic from the
// internet gateway.
//
// Not thread safe. Needs a started EAL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/packet.h"
#include "dataplane/verdict.h"
#include "vpc/region_state.h"

namespace minivpc::bench {

// Starts DPDK's environment abstraction layer without hugepages or devices
// (-l 0 --no-huge --no-pci --no-shconf -m 512 --no-telemetry; --in-memory
// is implied, and rejected next to --no-huge),
// then gives the calling thread back its CPU affinity (EAL pins it to lcore
// 0; on a shared machine the scheduler should be free to move it). Returns
// false with *error on failure. Call once, before any DpdkBaseline.
bool StartDpdkEal(std::string* error);
// Releases the EAL (after every DpdkBaseline is destroyed).
void StopDpdkEal();

struct BaselineVerdict {
  dp::Outcome outcome = dp::Outcome::kDropped;
  dp::DropReason reason = dp::DropReason::kNone;
  int32_t eni = -1;  // delivered to, or where it was blocked (as dp::Verdict)
  bool delivered() const { return outcome != dp::Outcome::kDropped; }
};

struct BaselineItem {
  const dp::PacketHeaders* h = nullptr;
  int32_t from_eni = -1;
};

class DpdkBaseline {
 public:
  // Compiles `r`'s ENIs, groups, ACLs and route tables, and a connection
  // table of `conntrack_entries` flows. Returns nullptr with *error when DPDK
  // refuses (out of memory, a rule it cannot take).
  static std::unique_ptr<DpdkBaseline> Build(const RegionState& r, uint32_t conntrack_entries,
                                             std::string* error);
  ~DpdkBaseline();
  DpdkBaseline(const DpdkBaseline&) = delete;
  DpdkBaseline& operator=(const DpdkBaseline&) = delete;

  // The decision for `h` sent by ENI `from_eni` (RegionState row order, which
  // is the snapshot's ENI index). Precondition: h is IPv4 and not a fragment.
  BaselineVerdict Process(const dp::PacketHeaders& h, int32_t from_eni, uint32_t now_s);
  // out[i] = Process(*items[i].h, items[i].from_eni, now_s), in order.
  void ProcessBurst(const BaselineItem* items, size_t n, uint32_t now_s, BaselineVerdict* out);

  void ClearConntrack();
  // DPDK heap bytes (rte_malloc) of the compiled state (ACL contexts, LPMs,
  // address and NAT hashes), and of the connection table plus its entries.
  size_t StateBytes() const;
  size_t ConntrackBytes() const;
  size_t AclContexts() const;

 private:
  struct Impl;
  explicit DpdkBaseline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace minivpc::bench
