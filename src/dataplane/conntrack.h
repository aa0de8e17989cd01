// Conntrack: the bounded connection-tracking table behind security groups'
// statefulness, one entry per tracked flow per ENI.
//
// A flow is recorded at the ENI whose security group admitted it (the
// sender's ENI for egress, the receiver's for ingress), keyed by the 5-tuple
// in the direction it was first seen. A packet matching an entry in either
// direction skips that ENI's security-group check, as AWS's tracking does;
// network ACLs are stateless and still apply.
//
// Idle timeouts are AWS's defaults: TCP established 432,000 s (5 days), UDP
// 30 s, UDP "streams" (more than one request-response) 180 s, everything
// else 600 s (see Options). Expired entries are reused in place.
//
// The table. Open addressing with linear probing over a power-of-two array
// sized for `max_entries` at <= 50% load; both directions of a flow hash to
// the same bucket (the hash is symmetric in the endpoints), so one probe
// sequence finds originals and replies. Memory is allocated once, at
// construction, and never grows: when no free or expired slot is found
// within kMaxProbe slots, or max_entries is reached, the new flow is
// dropped and counted in allowance_exceeded(), as EC2's
// conntrack_allowance_exceeded metric counts.
//
// Not thread safe: one table per data-plane worker.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "net/ip.h"

namespace minivpc::dp {

struct FlowKey {
  uint128 src = 0;
  uint128 dst = 0;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t proto = 0;
  uint8_t family = 4;
  uint64_t eni = 0;  // EniState::key: stable across snapshots
  // The way the packet crosses the ENI (1 = leaving it). A tracked flow
  // admits more packets crossing the same way, and replies crossing the
  // other way; a packet that merely repeats the 5-tuple in the opposite
  // crossing (an ENI sending to itself, an appliance forwarding what it
  // received) is not part of the flow.
  uint8_t egress = 0;
  FlowKey Reversed() const {
    return {dst, src, dport, sport, proto, family, eni, static_cast<uint8_t>(egress ^ 1)};
  }
  bool operator==(const FlowKey&) const = default;
};

// Connection tracking pairs an ICMP query with its reply (echo 8/0,
// timestamp 13/14, ...; ICMPv6 echo 128/129): both map to the query type,
// which flows use as both "ports" so the key is the same either way.
uint16_t IcmpFlowType(uint8_t proto, uint8_t type);

class Conntrack {
 public:
  struct Options {
    size_t max_entries = 1 << 18;  // 262,144 flows, ~48 MiB
    uint32_t tcp_established_s = 432000;
    uint32_t udp_s = 30;
    uint32_t udp_stream_s = 180;
    uint32_t other_s = 600;
  };

  // The pipeline's decision for one direction of an established flow,
  // valid while the compiled configuration (snapshot generation) is the
  // same and the peer ENI's entry is still the one recorded (slot + epoch).
  // Lets packets of established flows skip every lookup but this one.
  struct CachedDecision {
    uint64_t generation = 0;  // 0 = empty
    uint32_t peer_slot = kNoSlot;
    uint32_t peer_epoch = 0;
    int32_t eni = -1;
    int32_t igw = -1;
    uint128 nat_addr = 0;  // translated source (egress) or destination
    uint8_t outcome = 0;
    uint8_t flags = 0;  // bit 0: nat_src, 1: nat_dst, 2: forwarded, 3: peer reply
  };
  static constexpr uint32_t kNoSlot = 0xFFFFFFFFu;

  struct Entry {
    FlowKey key;
    uint32_t last_seen = 0;
    uint32_t timeout = 0;
    uint32_t epoch = 0;        // bumped whenever the slot takes a new flow
    uint8_t used = 0;          // 1 while the slot holds a flow
    uint8_t replies = 0;       // saturating count of reply packets
    uint8_t originals = 0;     // saturating count of original packets
    CachedDecision cached[2];  // [0] original direction, [1] reply
  };

  explicit Conntrack(Options options);
  Conntrack() : Conntrack(Options{}) {}

  // The live entry for `k` in either direction, or nullptr. Sets *reply
  // when `k` is the reverse of the recorded direction.
  Entry* Find(const FlowKey& k, uint32_t now_s, bool* reply);
  // Records a new flow (precondition: Find returned nullptr). Returns
  // nullptr, counting allowance_exceeded, when the table is full.
  Entry* Insert(const FlowKey& k, uint32_t now_s);
  // Refreshes an entry for a packet seen now in the given direction.
  void Touch(Entry* e, bool reply, uint32_t now_s);

  uint32_t SlotOf(const Entry* e) const { return static_cast<uint32_t>(e - slots_.data()); }
  // The entry in `slot` if it still holds the flow it held at `epoch` and has
  // not expired; nullptr otherwise.
  Entry* Recall(uint32_t slot, uint32_t epoch, uint32_t now_s) {
    if (slot >= slots_.size()) return nullptr;
    Entry& e = slots_[slot];
    return e.used && e.epoch == epoch && !Expired(e, now_s) ? &e : nullptr;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return max_entries_; }
  uint64_t allowance_exceeded() const { return allowance_exceeded_; }
  size_t MemoryBytes() const { return slots_.size() * sizeof(Entry); }
  void Clear();

 private:
  static constexpr size_t kMaxProbe = 32;
  size_t Bucket(const FlowKey& k) const;
  uint32_t TimeoutFor(const Entry& e) const;
  bool Expired(const Entry& e, uint32_t now_s) const { return now_s - e.last_seen > e.timeout; }

  Options options_;
  size_t max_entries_;
  size_t mask_;
  size_t size_ = 0;
  uint64_t allowance_exceeded_ = 0;
  std::vector<Entry> slots_;
};

}  // namespace minivpc::dp
