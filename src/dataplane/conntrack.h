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
// sized for `max_entries` at <= 50% load. A flow's key is kept with its two
// endpoints in a canonical order (see Compact), so both directions of a flow
// have the same key and hash to the same bucket: one probe sequence and one
// comparison find originals and replies. Memory is allocated once, at
// construction, and never grows: when no free or expired slot is found
// within kMaxProbe slots, or max_entries is reached, the new flow is
// dropped and counted in allowance_exceeded(), as EC2's
// conntrack_allowance_exceeded metric counts.
//
// Performance assumptions. A lookup is one cache miss, not a computation:
// an entry is one 64-byte line holding the key (IPv4 addresses; for IPv6
// a 32-bit fold of each), the timers and the remembered decision, and the
// array sits on transparent huge pages where the kernel offers them
// (madvise), because with 4 KiB pages a table of a million flows costs a
// TLB miss per lookup on top of the cache miss. IPv6 flows keep their full
// addresses in a parallel array of 32-byte records, read only when the
// folded key matches; its pages are backed only once IPv6 flows use them.
// Callers with several packets at hand hash and Prefetch() them all first,
// so the misses overlap (see Pipeline::ProcessBurst). Refreshes that would
// change nothing (same second, saturated counts) write nothing, so
// established flows leave their lines clean.
//
// Not thread safe: one table per data-plane worker.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "net/ip.h"

namespace minivpc::dp {

struct FlowKey {
  uint128 src = 0;
  uint128 dst = 0;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t proto = 0;
  uint8_t family = 4;
  // The way the packet crosses the ENI (1 = leaving it). A tracked flow
  // admits more packets crossing the same way, and replies crossing the
  // other way; a packet that merely repeats the 5-tuple in the opposite
  // crossing (an ENI sending to itself, an appliance forwarding what it
  // received) is not part of the flow.
  uint8_t egress = 0;
  uint64_t eni = 0;  // EniState::key: stable across snapshots
  FlowKey Reversed() const {
    return {dst, src, dport, sport, proto, family, static_cast<uint8_t>(egress ^ 1), eni};
  }
  bool operator==(const FlowKey&) const = default;
};
static_assert(sizeof(FlowKey) == 48);

// Connection tracking pairs an ICMP query with its reply (echo 8/0,
// timestamp 13/14, ...; ICMPv6 echo 128/129): both map to the query type,
// which flows use as both "ports" so the key is the same either way.
namespace internal {
// IcmpFlowType's answers, for ICMP (row 0) and ICMPv6 (row 1).
struct IcmpFlowTypes {
  uint8_t of[2][256];
  constexpr IcmpFlowTypes() : of{} {
    for (int t = 0; t < 256; ++t) of[0][t] = of[1][t] = static_cast<uint8_t>(t);
    of[0][0] = 8;      // echo reply: echo request
    of[0][14] = 13;    // timestamp reply
    of[0][16] = 15;    // information reply
    of[0][18] = 17;    // address mask reply
    of[1][129] = 128;  // ICMPv6 echo reply
  }
};
inline constexpr IcmpFlowTypes kIcmpFlowTypes{};
}  // namespace internal
// A table lookup, not a switch: ICMP packets come mixed with others.
inline uint16_t IcmpFlowType(uint8_t proto, uint8_t type) {
  return internal::kIcmpFlowTypes.of[proto != 1][type];
}

namespace internal {
// Conntrack::TimeoutFor's index by protocol: TCP 0, UDP 1 (a UDP stream 2),
// anything else 3.
struct TimeoutClass {
  uint8_t of[256];
  constexpr TimeoutClass() : of{} {
    for (int p = 0; p < 256; ++p) of[p] = 3;
    of[6] = 0;
    of[17] = 1;
  }
};
inline constexpr TimeoutClass kTimeoutClass{};
}  // namespace internal

class Conntrack {
 public:
  struct Options {
    size_t max_entries = 1 << 18;  // 262,144 flows: 32 MiB, and 16 MiB for IPv6
    uint32_t tcp_established_s = 432000;
    uint32_t udp_s = 30;
    uint32_t udp_stream_s = 180;
    uint32_t other_s = 600;
  };

  // The pipeline's decision (a delivery, or a drop after the security
  // group admitted the packet) for one direction of an established flow,
  // valid while the compiled configuration (snapshot generation) is the
  // same and the peer ENI's entry is still the one recorded (slot + epoch).
  // Lets packets of established flows skip every lookup but this one.
  struct CachedDecision {
    // The low 32 bits of the snapshot generation it was made for (valid
    // with kValid only). A wrong match needs 2^32 recompilations while the
    // flow stays idle.
    uint32_t generation = 0;
    // now_s + 1 of the second in which the receiver's entry was last
    // recalled and refreshed with nothing left to count (0: never). Within
    // that second the entry cannot have expired or been reused, and a
    // refresh would write what it holds, so packets skip it (time is
    // monotonic).
    uint32_t peer_seen = 0;
    // The receiver's entry for the flow (kNoSlot: none), or, for a packet
    // its security groups denied (kReceiverDenied), the bucket where it
    // would track the flow: the denial holds while it tracks no such flow.
    uint32_t peer_slot = kNoSlot;
    uint32_t peer_epoch = 0;
    int32_t eni = -1;
    uint32_t nat_v4 = 0;  // translated IPv4 source (egress) or destination; IPv6 has no NAT
    int16_t igw = -1;
    uint8_t outcome = 0;
    uint8_t reason = 0;  // DropReason of a remembered drop
    uint8_t flags = 0;   // kNatSrc ...
    // ICMP rules see type and code, flows only the query type: the decision
    // holds for this type and code (kIcmpKeyed).
    uint8_t icmp_type = 0;
    uint8_t icmp_code = 0;
    enum : uint8_t {
      kNatSrc = 1,
      kNatDst = 2,
      kForwarded = 4,
      kPeerReply = 8,
      kIcmpKeyed = 16,
      kReceiverDenied = 32,
      kValid = 64,
    };
  };
  static_assert(sizeof(CachedDecision) == 32);
  static constexpr uint32_t kNoSlot = 0xFFFFFFFFu;

  // One slot. Only the conntrack and the pipeline read these fields.
  struct alignas(64) Entry {
    // The key, compact and canonical (see Compact): the endpoints' IPv4
    // addresses, or folds of IPv6 ones, and ports, the lower endpoint first.
    uint32_t a = 0, b = 0;
    uint16_t aport = 0, bport = 0;
    uint8_t proto = 0;
    uint8_t flags = 0;  // kUsed | kV6 | kCrossing | kSwapped
    // Counts of original and reply packets, saturating at 2: only "more
    // than one" matters (a UDP stream), and a saturated count needs no write.
    uint8_t originals = 0;
    uint8_t replies = 0;
    uint64_t eni = 0;
    uint32_t last_seen = 0;
    uint32_t epoch = 0;  // bumped whenever the slot takes a new flow
    // The decision for packets its ENI sends: a flow tracked as it left the
    // ENI is found by them in its own direction, one tracked as it entered
    // in the reverse one, never both.
    CachedDecision cached;
    // kCrossing: the way the flow's first packet crossed the ENI (leaving
    // it) XOR kSwapped, which is the same for every packet of the flow, in
    // either direction (see FlowKey::egress). kSwapped: the first packet
    // went from endpoint b to endpoint a. Only kSwapped is not key.
    enum : uint8_t { kUsed = 1, kV6 = 2, kCrossing = 4, kSwapped = 8 };
    bool used() const { return flags & kUsed; }
  };
  class V4Probe;  // below
  explicit Conntrack(Options options);
  Conntrack() : Conntrack(Options{}) {}
  ~Conntrack();
  // A copy of every entry and counter (tests replay packets against one).
  Conntrack(const Conntrack& other);
  Conntrack& operator=(const Conntrack&) = delete;

  // The first slot of `k`'s probe sequence (the same for both directions).
  size_t Bucket(const FlowKey& k) const { return Mix(CompactOf(k), k.eni); }
  // Starts loading the entry at `slot` (a Bucket()) into the cache; never
  // faults.
  void Prefetch(size_t slot) const { __builtin_prefetch(&slots_[slot & mask_], 1, 3); }
  // What Peek (or PeekNext) saw in the first (or second) slot of a bucket,
  // for FindHinted. Set by them only: uninitialised before (a burst's
  // array of them is not worth initialising).
  struct Hint {
    uint32_t epoch;
    int8_t dir;    // 0: k's own direction, 1: the reverse, -1: not k's flow
    uint8_t slot;  // 0: the bucket's first slot, 1: the next one
  };
  // Whether the first slot of `bucket` holds `k`'s flow (either direction),
  // and if so the peer slot its decision names (may be kNoSlot, also when
  // the decision needs no look at it in second now_s). No expiry check, no
  // probing: for prefetching, and for FindHinted.
  bool Peek(const FlowKey& k, size_t bucket, uint32_t now_s, uint32_t* peer, Hint* hint) const {
    return PeekSlot(k, bucket, 0, now_s, peer, hint);
  }
  // Peek at the second slot of `bucket`, for a flow Peek did not find in
  // the first: only when that one is taken (a lookup stops at a free slot)
  // by another flow. Load it first (PrefetchProbe).
  bool PeekNext(const FlowKey& k, size_t bucket, uint32_t now_s, uint32_t* peer, Hint* hint) const {
    hint->dir = -1;
    return slots_[bucket & mask_].used() && PeekSlot(k, bucket, 1, now_s, peer, hint);
  }
  // FindAt(k, bucket, now_s, reply), given what Peek saw: while the slot
  // holds the same flow (same epoch: only Insert changes a slot's flow, and
  // it bumps the epoch), that slot is the answer unless expired. (For the
  // second slot: the first holds another flow, or one expired; an insert
  // may give it a third, but never k's while k's is live.)
  Entry* FindHinted(const FlowKey& k, size_t bucket, const Hint& hint, uint32_t now_s,
                    bool* reply) {
    Entry& e = slots_[(bucket + hint.slot) & mask_];
    if (HintHolds(e, hint, now_s)) {
      *reply = hint.dir == 1;
      return &e;
    }
    return FindAt(k, bucket, now_s, reply);
  }
  // A flow's compact key, as Entry's first 16 bytes hold it (counts and
  // kSwapped masked out: see Direction), the same for both directions: the
  // endpoints (address, port) in a canonical order, lower first, with
  // `swapped` telling whether the packet goes from the higher one. IPv4
  // endpoints order by (port, address), IPv6 ones by (full address, port);
  // a packet to its own address and port is never swapped, so it can only
  // continue its flow, never answer it.
  struct Compact {
    uint64_t addrs;  // a | b << 32
    uint64_t rest;   // aport | bport << 16 | proto << 32 | flags << 40
    bool swapped;
  };
  // The IPv4 lane: an IPv4 flow as Bucket, Peek and FindHinted see it,
  // without building its FlowKey (the established path's most frequent
  // case; see Pipeline::ProcessBurst). Same buckets, matches and hints as
  // the FlowKey of the same flow.
  class V4Probe {
   public:
    V4Probe(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t proto, bool egress,
            uint64_t eni)
        : c_(CompactV4(src, dst, sport, dport, proto, Entry::kUsed, egress)), eni_(eni) {}

   private:
    friend class Conntrack;
    // The compact key as the ENI the packet leaves (egress) or enters
    // tracks it: the probe's is the sender's (egress).
    Compact Crossing(bool egress) const {
      Compact c = c_;
      c.rest ^= egress ? 0 : uint64_t{Entry::kCrossing} << 40;
      return c;
    }
    Compact c_;
    uint64_t eni_;
  };
  size_t Bucket(const V4Probe& p) const { return Mix(p.c_, p.eni_); }
  // The bucket of the same flow at ENI `eni` (as the receiver tracks it).
  size_t Bucket(const V4Probe& p, uint64_t eni) const { return Mix(p.c_, eni); }
  // Peek for an IPv4 flow (never needs the IPv6 records).
  bool Peek(const V4Probe& p, size_t bucket, uint32_t now_s, uint32_t* peer, Hint* hint) const {
    return PeekSlot(p, bucket, 0, now_s, peer, hint);
  }
  // PeekNext for an IPv4 flow.
  bool PeekNext(const V4Probe& p, size_t bucket, uint32_t now_s, uint32_t* peer, Hint* hint) const {
    hint->dir = -1;
    return slots_[bucket & mask_].used() && PeekSlot(p, bucket, 1, now_s, peer, hint);
  }
  // FindHinted for an IPv4 flow, without the fallback: nullptr when the
  // hinted slot no longer holds it (ask FindAt with the FlowKey).
  Entry* Hinted(const V4Probe& p, size_t bucket, const Hint& hint, uint32_t now_s, bool* reply) {
    Entry& e = slots_[(bucket + hint.slot) & mask_];
    *reply = hint.dir == 1;
    return HintHolds(e, hint, now_s) ? &e : nullptr;
  }
  // For a flow not in the first slot of `bucket` (Peek): when that slot is
  // taken, the lookup and the insert go on to the next one.
  void PrefetchProbe(size_t bucket) const {
    if (slots_[bucket & mask_].used()) Prefetch(bucket + 1);
  }

  // Whether a lookup in `bucket` ends within its first two slots: one of
  // them is free. Slots are freed only by Clear, and an insert takes the
  // first free slot, so no flow is stored beyond a free one: a flow that
  // Peek and PeekNext did not find there is not tracked.
  bool EndsWithinTwo(size_t bucket) const {
    return !slots_[bucket & mask_].used() || !slots_[(bucket + 1) & mask_].used();
  }

  // The live entry for `k` in either direction, or nullptr. Sets *reply
  // when `k` is the reverse of the recorded direction.
  Entry* Find(const FlowKey& k, uint32_t now_s, bool* reply) {
    return FindAt(k, Bucket(k), now_s, reply);
  }
  // Find with the bucket already computed (precondition: bucket == Bucket(k)).
  // A free first slot ends the lookup before the key is built, without a
  // call: the usual case for a new flow.
  Entry* FindAt(const FlowKey& k, size_t bucket, uint32_t now_s, bool* reply) {
    if (!slots_[bucket & mask_].used()) return nullptr;
    return Probe(k, bucket, now_s, reply);
  }
  // Records a new flow (precondition: Find returned nullptr). Returns
  // nullptr, counting allowance_exceeded, when the table is full.
  Entry* Insert(const FlowKey& k, uint32_t now_s) { return InsertAt(k, Bucket(k), now_s); }
  // Insert with the bucket already computed (precondition: bucket == Bucket(k)).
  // An IPv4 flow whose bucket's first slot is free takes it without a call:
  // the usual case for a new flow. `sender`, if given, is the V4Probe its
  // sender built for the same packet (same addresses, ports and protocol;
  // k may be the receiver's): its compact key is k's but for the crossing.
  Entry* InsertAt(const FlowKey& k, size_t bucket, uint32_t now_s,
                  const V4Probe* sender = nullptr) {
    Entry& e = slots_[bucket & mask_];
    if (e.used() | (size_ >= max_entries_) | (k.family == static_cast<uint8_t>(IpFamily::kV6))) {
      return InsertProbing(k, bucket, now_s);
    }
    ++size_;
    Fill(e, sender ? sender->Crossing(k.egress != 0) : CompactOf(k), k.eni, now_s);
    return &e;
  }
  // Refreshes an entry for a packet seen now in the given direction.
  // Returns true when the entry holds nothing more to record for such
  // packets this second (it was refreshed this second and that direction's
  // count is saturated); such refreshes write nothing.
  bool Touch(Entry* e, bool reply, uint32_t now_s) {
    uint8_t& c = (&e->originals)[reply];  // replies follows originals
    if (e->last_seen == now_s && c == kCountMax) return true;
    e->last_seen = now_s;
    if (c < kCountMax) ++c;
    return c == kCountMax;
  }

  uint32_t SlotOf(const Entry* e) const { return static_cast<uint32_t>(e - slots_); }
  // The entry in `slot` if it still holds the flow it held at `epoch` and has
  // not expired; nullptr otherwise.
  Entry* Recall(uint32_t slot, uint32_t epoch, uint32_t now_s) {
    if (slot >= capacity_slots_) return nullptr;
    Entry& e = slots_[slot];
    return e.used() && e.epoch == epoch && !Expired(e, now_s) ? &e : nullptr;
  }

  size_t size() const { return size_; }
  // Flows recorded so far (Insert and InsertAt that succeeded): a caller
  // that learnt a flow is untracked knows it still is while this stays.
  uint64_t inserts() const { return inserts_; }
  size_t capacity() const { return max_entries_; }
  uint64_t allowance_exceeded() const { return allowance_exceeded_; }
  // The slots, and the IPv6 records (reserved for every slot; backed by
  // memory only where IPv6 flows have been).
  size_t MemoryBytes() const { return capacity_slots_ * (sizeof(Entry) + sizeof(V6)); }
  // Of which the IPv6 records.
  size_t Ipv6RecordBytes() const { return capacity_slots_ * sizeof(V6); }
  // Whether the kernel accepted the huge-page advice for the table.
  bool huge_pages() const { return huge_pages_; }
  void Clear();

 private:
  static constexpr size_t kMaxProbe = 32;
  // FindAt past a taken first slot, and InsertAt's every other case.
  Entry* Probe(const FlowKey& k, size_t bucket, uint32_t now_s, bool* reply);
  Entry* InsertProbing(const FlowKey& k, size_t bucket, uint32_t now_s);
  // Records flow `c` of ENI `eni` in free or expired slot `e`: every field,
  // once (not zeroed first), the key from the compact key, counts one
  // original; a new epoch, and no remembered decision (its flags, without
  // kValid, are all a decision's readers look at first).
  void Fill(Entry& e, const Compact& c, uint64_t eni, uint32_t now_s) {
    ++inserts_;
    const uint64_t w[2] = {c.addrs, c.rest | uint64_t{c.swapped} << kSwappedBit};
    __builtin_memcpy(static_cast<void*>(&e), w, 16);
    e.originals = 1;
    e.eni = eni;
    e.last_seen = now_s;
    ++e.epoch;
    e.cached.flags = 0;
  }
  // Peek at slot `offset` of `bucket` (0 or 1).
  bool PeekSlot(const FlowKey& k, size_t bucket, uint8_t offset, uint32_t now_s, uint32_t* peer,
                Hint* hint) const;
  bool PeekSlot(const V4Probe& p, size_t bucket, uint8_t offset, uint32_t now_s, uint32_t* peer,
                Hint* hint) const {
    const Entry& e = slots_[(bucket + offset) & mask_];
    SetHint(e, Direction(e, p.c_, p.eni_), offset, now_s, peer, hint);
    return hint->dir >= 0;
  }
  // What a Peek found: `e`, in slot `offset` of the bucket, holds the flow
  // in direction `dir` (-1: not the flow).
  static void SetHint(const Entry& e, int dir, uint8_t offset, uint32_t now_s, uint32_t* peer,
                      Hint* hint) {
    hint->dir = static_cast<int8_t>(dir);
    hint->epoch = e.epoch;
    hint->slot = offset;
    *peer = PeerToPrefetch(e, now_s);
  }
  static constexpr uint8_t kCountMax = 2;
  // A flow's bucket at ENI `eni`: its canonical key's addresses, ports and
  // protocol (the same both ways), and the ENI, through two multiplications
  // (a 64-bit multiply-xorshift finish; flags are left out, so that the
  // receiver's bucket of a flow follows from the sender's probe).
  size_t Mix(const Compact& c, uint64_t eni) const {
    uint64_t x =
        c.addrs * 0x9e3779b97f4a7c15ULL ^ (c.rest & kPortsProto) ^ eni * 0x94d049bb133111ebULL;
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ULL;
    return static_cast<size_t>(x ^ (x >> 32)) & mask_;
  }
  static constexpr uint64_t kPortsProto = (uint64_t{1} << 40) - 1;
  // The full addresses of an IPv6 flow, for the slot of the same index, in
  // the key's canonical order (src: the lower endpoint's).
  struct V6 {
    uint128 src = 0, dst = 0;
  };
  static uint32_t Fold(uint128 a) {
    return static_cast<uint32_t>(a) ^ static_cast<uint32_t>(a >> 32) ^
           static_cast<uint32_t>(a >> 64) ^ static_cast<uint32_t>(a >> 96);
  }
  static Compact CompactOf(const FlowKey& k) {
    if (k.family != static_cast<uint8_t>(IpFamily::kV6)) {
      return CompactV4(static_cast<uint32_t>(k.src), static_cast<uint32_t>(k.dst), k.sport, k.dport,
                       k.proto, Entry::kUsed, k.egress != 0);
    }
    const bool swapped = k.src > k.dst || (k.src == k.dst && k.sport > k.dport);
    return CompactFrom(Fold(swapped ? k.dst : k.src), Fold(swapped ? k.src : k.dst),
                       swapped ? k.dport : k.sport, swapped ? k.sport : k.dport, k.proto,
                       Entry::kUsed | Entry::kV6, k.egress != 0, swapped);
  }
  // An IPv4 flow's key: endpoints ordered by (port, address) as one 48-bit
  // number each, without a branch (which direction comes first follows the
  // packet mix).
  static Compact CompactV4(uint32_t s, uint32_t d, uint16_t sport, uint16_t dport, uint8_t proto,
                           uint8_t f, bool egress) {
    const uint64_t se = s | uint64_t{sport} << 32;
    const uint64_t de = d | uint64_t{dport} << 32;
    const bool swapped = se > de;
    const uint64_t lo = swapped ? de : se;
    const uint64_t hi = swapped ? se : de;
    return CompactFrom(static_cast<uint32_t>(lo), static_cast<uint32_t>(hi),
                       static_cast<uint16_t>(lo >> 32), static_cast<uint16_t>(hi >> 32), proto, f,
                       egress, swapped);
  }
  // The key of endpoints (a, aport) < (b, bport), for a packet going from b
  // to a when `swapped`.
  static Compact CompactFrom(uint32_t a, uint32_t b, uint16_t aport, uint16_t bport, uint8_t proto,
                             uint8_t f, bool egress, bool swapped) {
    const uint64_t crossing = (egress != swapped) ? Entry::kCrossing : 0;
    return {a | uint64_t{b} << 32,
            aport | uint64_t{bport} << 16 | uint64_t{proto} << 32 | (f | crossing) << 40, swapped};
  }
  // 0 / 1 / -1 as Matches, on the compact key only (exact for IPv4). No
  // branch on the direction: established packets are originals and
  // replies in no predictable order.
  static int Direction(const Entry& e, const Compact& c, uint64_t eni) {
    uint64_t w[2];
    __builtin_memcpy(w, &e, sizeof w);
    if (e.eni != eni) return -1;  // another ENI's flow, or none
    const bool match = (w[0] == c.addrs) & ((w[1] & kKeyMask) == c.rest);
    const int dir = static_cast<int>((w[1] >> kSwappedBit) & 1) ^ static_cast<int>(c.swapped);
    return dir | -static_cast<int>(!match);
  }
  // The peer slot Peek reports: none when the decision needs no look at it
  // this second (see CachedDecision::peer_seen). Without a branch (whether
  // a flow has a peer follows the packet mix): kNoSlot is all ones, or-ed
  // in when the peer was seen this second.
  static uint32_t PeerToPrefetch(const Entry& e, uint32_t now_s) {
    static_assert(kNoSlot == ~0u);
    return e.cached.peer_slot | (0u - static_cast<uint32_t>(e.cached.peer_seen == now_s + 1));
  }
  // Whether Peek's `hint` still names slot `e` for the flow: same epoch
  // (only Insert changes a slot's flow, and it bumps the epoch) and not
  // expired.
  bool HintHolds(const Entry& e, const Hint& hint, uint32_t now_s) const {
    return hint.dir >= 0 && e.used() && e.epoch == hint.epoch && !Expired(e, now_s);
  }
  // The key's bits of an entry's second word: all but kSwapped and the counts.
  static constexpr int kSwappedBit = 40 + 3;
  static_assert(Entry::kSwapped == 1 << 3);
  static constexpr uint64_t kKeyMask = ((uint64_t{1} << 48) - 1) & ~(uint64_t{1} << kSwappedBit);
  // 0: e holds k's flow in k's direction; 1: in the reverse one; -1: not
  // k's flow. IPv6 addresses are compared in full.
  int Matches(const Entry& e, size_t slot, const FlowKey& k, const Compact& c) const {
    const int dir = Direction(e, c, k.eni);
    if (dir < 0 || !(e.flags & Entry::kV6)) return dir;
    const V6& a = v6_[slot];  // canonical order too
    return a.src == (c.swapped ? k.dst : k.src) && a.dst == (c.swapped ? k.src : k.dst) ? dir : -1;
  }
  void Allocate();
  // A table lookup, not a switch: the protocols of successive packets are
  // mixed, and a mispredicted branch costs more than the index arithmetic.
  uint32_t TimeoutFor(const Entry& e) const {
    // A UDP stream has seen more than one request-response transaction.
    const uint32_t stream = (e.replies > 1) & (e.originals > 1);
    return timeouts_[internal::kTimeoutClass.of[e.proto] + ((e.proto == 17) & stream)];
  }

  // An entry refreshed this second has not expired: the usual case for a
  // flow's packets, which then skip the timeout's lookup.
  bool Expired(const Entry& e, uint32_t now_s) const {
    const uint32_t idle = now_s - e.last_seen;
    if (__builtin_expect(idle == 0, 1)) return false;
    return idle > TimeoutFor(e);
  }

  std::array<uint32_t, 4> timeouts_;  // see TimeoutFor
  size_t max_entries_;
  size_t mask_;
  size_t size_ = 0;
  uint64_t allowance_exceeded_ = 0;
  uint64_t inserts_ = 0;
  size_t capacity_slots_ = 0;
  Entry* slots_ = nullptr;  // capacity_slots_ entries, mmap'ed
  size_t mapped_bytes_ = 0;
  V6* v6_ = nullptr;  // capacity_slots_ records, mmap'ed
  size_t v6_bytes_ = 0;
  bool v6_written_ = false;
  bool huge_pages_ = false;
};

static_assert(sizeof(Conntrack::Entry) == 64, "an entry is one cache line");
static_assert(offsetof(Conntrack::Entry, replies) == offsetof(Conntrack::Entry, originals) + 1);

}  // namespace minivpc::dp
