// The fast path of the pipeline: decisions remembered on connection-tracking
// entries (Remember, Recall) and burst processing with prefetches
// (ProcessBurst). See pipeline.h.
#include <algorithm>
#include <new>
#include <utility>

#include "dataplane/pipeline.h"
#include "dataplane/pipeline_internal.h"

namespace minivpc::dp {

using internal::AtReceiver;
using internal::KeyOf;

// Stores the verdict on the source ENI's flow entry, for the flow's next
// packets in this direction (see Conntrack::CachedDecision). Every verdict
// reached after the sender's flow entry is deterministic for a snapshot,
// but for the receiver's connection table: a delivery names the receiver's
// entry, which must still be there; a denial by the receiver's groups
// holds only while the receiver tracks no such flow (one it opened the
// other way admits this packet).
void Pipeline::Remember(const Snapshot& s, Packet& p) {
  using C = Conntrack::CachedDecision;
  if (!p.src_ct) return;
  C& c = p.src_ct->cached;
  const bool denied = p.v.reason == DropReason::kSecurityGroup;
  c.generation = static_cast<uint32_t>(s.generation());
  c.peer_seen = 0;
  c.peer_slot = denied     ? static_cast<uint32_t>(p.dst_bucket)
                : p.dst_ct ? ct_->SlotOf(p.dst_ct)
                           : Conntrack::kNoSlot;
  c.peer_epoch = p.dst_ct ? p.dst_ct->epoch : 0;
  c.eni = p.v.eni;
  c.igw = static_cast<int16_t>(p.v.igw);
  c.outcome = static_cast<uint8_t>(p.v.outcome);
  c.reason = static_cast<uint8_t>(p.v.reason);
  c.nat_v4 = p.v.nat_src ? p.v.src.v4() : p.v.nat_dst ? p.v.dst.v4() : 0;  // NAT is IPv4 only
  const bool icmp = p.h.protocol == 1 || p.h.protocol == 58;
  c.icmp_type = icmp ? p.h.icmp_type : 0;
  c.icmp_code = icmp ? p.h.icmp_code : 0;
  c.flags = (p.v.nat_src ? C::kNatSrc : 0) | (p.v.nat_dst ? C::kNatDst : 0) |
            (p.v.forwarded ? C::kForwarded : 0) | (p.dst_reply ? C::kPeerReply : 0) |
            (icmp ? C::kIcmpKeyed : 0) | (denied ? C::kReceiverDenied : 0) | C::kValid;
}

// Whether remembered decision `c` holds for a packet with headers `h` of
// the sender's flow `k` (see Remember). Changes nothing; *peer is the
// receiver's entry to refresh, if any (none when it was refreshed this
// second with nothing left to count: see CachedDecision::peer_seen).
// `key()` gives k: it is needed only for a denial (the IPv4 lane builds it
// then).
template <class KeyFn>
bool Pipeline::StillHolds(const Snapshot& s, const Conntrack::CachedDecision& c,
                          const PacketHeaders& h, KeyFn&& key, uint32_t now,
                          Conntrack::Entry** peer) {
  using C = Conntrack::CachedDecision;
  *peer = nullptr;
  if (!(c.flags & C::kValid) || c.generation != static_cast<uint32_t>(s.generation())) return false;
  // Bitwise: which flows are ICMP follows the packet mix.
  if (((c.flags & C::kIcmpKeyed) != 0) &
      ((h.icmp_type != c.icmp_type) | (h.icmp_code != c.icmp_code))) {
    return false;
  }
  if (c.flags & C::kReceiverDenied) {
    bool reply = false;
    return ct_->FindAt(AtReceiver(key(), s.hot[c.eni].key), c.peer_slot, now, &reply) == nullptr;
  }
  // Bitwise: whether a flow has a peer follows the packet mix, which no
  // branch predictor learns.
  if ((c.peer_slot == Conntrack::kNoSlot) | (c.peer_seen == now + 1)) return true;
  *peer = ct_->Recall(c.peer_slot, c.peer_epoch, now);
  return *peer != nullptr;
}

// The verdict `c` remembers, for a packet from `src` to `dst` (before NAT):
// sets every field of *v. Counts a drop.
void Pipeline::Apply(const Conntrack::CachedDecision& c, IpAddress src, IpAddress dst, Verdict* v) {
  using C = Conntrack::CachedDecision;
  v->outcome = static_cast<Outcome>(c.outcome);
  v->reason = static_cast<DropReason>(c.reason);
  v->eni = c.eni;
  v->igw = c.igw;
  v->nat_src = (c.flags & C::kNatSrc) != 0;
  v->nat_dst = (c.flags & C::kNatDst) != 0;
  v->forwarded = (c.flags & C::kForwarded) != 0;
  v->established = true;
  v->src = v->nat_src ? IpAddress::V4(c.nat_v4) : src;
  v->dst = v->nat_dst ? IpAddress::V4(c.nat_v4) : dst;
  if (v->outcome == Outcome::kDropped) ++drops_[c.reason];
}

// Refreshes the receiver's entry `peer` (if any) for a packet of the flow
// decision `c` belongs to; notes when that needs no repeating this second.
void Pipeline::TouchPeer(Conntrack::CachedDecision& c, Conntrack::Entry* peer, uint32_t now) {
  if (peer && ct_->Touch(peer, (c.flags & Conntrack::CachedDecision::kPeerReply) != 0, now)) {
    c.peer_seen = now + 1;
  }
}

// The remembered verdict for an established flow, if it still holds. Fills
// p.v (the sender's entry has been refreshed already).
bool Pipeline::Recall(const Snapshot& s, Packet& p, const FlowKey& k) {
  Conntrack::CachedDecision& c = p.src_ct->cached;
  Conntrack::Entry* peer = nullptr;
  if (!StillHolds(
          s, c, p.h, [&] { return k; }, p.now, &peer))
    return false;
  TouchPeer(c, peer, p.now);
  Apply(c, p.src, p.dst, &p.v);
  return true;
}

// Process for a packet of an established flow whose remembered decision
// holds, without the per-packet state of the full path: the same
// refreshes and verdict as Recall. Returns false, having changed nothing,
// for anything else. FromEni's checks before the flow lookup (the ENI is
// active, and with the source/destination check on owns the source) are
// not repeated: a remembered decision on the sender's entry was made by
// FromEni for a packet of the same flow in the same direction, so with the
// same source address, and it holds only for the snapshot generation it
// was made in, which fixes the ENI's state and addresses.
// `find(&reply)` is the sender's entry (Conntrack::FindHinted, or for the
// IPv4 lane Conntrack::Hinted), `key()` its FlowKey (see StillHolds).
template <class FindFn, class KeyFn>
bool Pipeline::Established(const Snapshot& s, const PacketHeaders& h, FindFn&& find, KeyFn&& key,
                           uint32_t now, Verdict* out) {
  if (h.is_first_fragment()) return false;  // the full path records its ports
  bool reply = false;
  Conntrack::Entry* e = find(&reply);
  if (!e) return false;
  Conntrack::CachedDecision& c = e->cached;
  Conntrack::Entry* peer = nullptr;
  if (!StillHolds(s, c, h, key, now, &peer)) return false;
  ct_->Touch(e, reply, now);
  TouchPeer(c, peer, now);
  Apply(c, h.src, h.dst, out);  // sets every field of *out
  delivered_ += out->delivered();
  return true;
}

// Notes that the sender's groups denied packet `p` of a flow in `bucket`
// (the sender's flow bucket): the bucket's filter bit, and if that was set
// already, the flow, for DeniedAgain. IPv4 packets with ports of their own
// only (a first fragment also records its ports: Run must see it).
void Pipeline::RememberDenial(const Snapshot& s, const Packet& p, size_t bucket) {
  if (p.h.family != IpFamily::kV4 || !p.h.has_l4() || p.h.is_first_fragment()) return;
  const uint32_t gen = static_cast<uint32_t>(s.generation());
  if (!denials_) {
    denials_ = std::make_unique<DenialSet[]>(kDenialSets);
    denial_filter_ = std::make_unique<uint64_t[]>(kDenialFilterBits / 64);
  }
  if (++denials_since_restart_ > kDenialFilterBits / 4) RestartDenialFilter(gen);
  const size_t b = bucket & (kDenialFilterBits - 1);
  const uint64_t bit = uint64_t{1} << (b % 64);
  uint64_t& word = denial_filter_[b / 64];
  if (!(word & bit)) {
    word |= bit;
    return;
  }
  DenialSet& set = denials_[bucket & (kDenialSets - 1)];
  const DenialKey k = DenialKeyOf(s.hot[p.in.index].key, p.src.v4(), p.dst.v4(), p.sport, p.dport,
                                  p.h.protocol, p.key);
  // The first way's denial, if it holds and is another flow's, moves on.
  if (set.way[0].Live(gen) && set.way[0].key != k) {
    set.way[1] = set.way[0];
  }
  set.way[0] = {k, gen, static_cast<uint32_t>(b + 1)};
}

void Pipeline::RestartDenialFilter(uint32_t gen) {
  std::fill_n(denial_filter_.get(), kDenialFilterBits / 64, 0);
  denials_since_restart_ = 1;
  for (size_t i = 0; i < kDenialSets; ++i) {
    for (const Denial& d : denials_[i].way) {
      if (!d.Live(gen)) continue;
      const size_t b = d.filter_bit - 1;
      denial_filter_[b / 64] |= uint64_t{1} << (b % 64);
      ++denials_since_restart_;
    }
  }
}

// Whether the sender denied a packet with key `k` (in `bucket`) in this
// snapshot generation. Precondition: the sender tracks no such flow.
bool Pipeline::DeniedAgain(const Snapshot& s, const DenialKey& k, size_t bucket) const {
  const DenialSet& set = denials_[bucket & (kDenialSets - 1)];
  const uint32_t gen = static_cast<uint32_t>(s.generation());
  return set.way[0].Holds(k, gen) || set.way[1].Holds(k, gen);
}

void Pipeline::ProcessBurst(const Snapshot& s, std::span<const BurstItem> items, uint32_t now_s,
                            Verdict* out) {
  const int32_t enis = static_cast<int32_t>(s.enis.size());
  auto sender = [&](const BurstItem& b) {
    return b.in.kind == Ingress::kEni && b.in.index >= 0 && b.in.index < enis ? b.in.index : -1;
  };
  for (size_t base = 0; base < items.size(); base += kBurst) {
    const size_t n = std::min(kBurst, items.size() - base);
    const BurstItem* batch = items.data() + base;
    size_t bucket[kBurst];
    // Per packet a FlowKey or, for IPv4 packets (v4[i]: the IPv4 lane), a
    // Conntrack::V4Probe in its place; the FlowKey of an IPv4 packet is
    // built only when something needs it. Unions, and left uninitialised:
    // their members' initialisers cost a measurable share of an
    // established burst.
    union Lane {
      Lane() {}
      FlowKey key;
      Conntrack::V4Probe probe;
    } lane[kBurst];
    bool v4[kBurst];
    const RouteTarget* route[kBurst];  // a new flow's route, when looked up
    int32_t receiver[kBurst];          // the owner of its local destination, when looked up
    size_t rbucket[kBurst];            // the flow bucket at the receiver found (see `to` below)
    // dir >= 0: the flow's entry is in its bucket's first or second slot.
    Conntrack::Hint hint[kBurst];
    int32_t from[kBurst];  // the sending ENI, or -1
    bool denied[kBurst];   // a remembered denial holds (step 5)
    // A flow's ports: ICMP flows use the query type as both (see
    // IcmpFlowType).
    auto flow_ports = [](const PacketHeaders& h) {
      if (h.protocol == 1 || h.protocol == 58) {
        const uint16_t type = IcmpFlowType(h.protocol, h.icmp_type);
        return std::pair{type, type};
      }
      return std::pair{h.src_port, h.dst_port};
    };
    // The sender's flow key of packet i.
    auto flow_key = [&](size_t i) {
      const PacketHeaders& h = *batch[i].headers;
      const auto [sport, dport] = flow_ports(h);
      return KeyOf(h.src, h.dst, sport, dport, h.protocol, 1, s.hot[from[i]].key);
    };
    // Where the receiving ENI with key `eni` tracks packet i's flow.
    auto receiver_bucket = [&](size_t i, uint64_t eni) {
      return v4[i] ? ct_->Bucket(lane[i].probe, eni) : ct_->Bucket(AtReceiver(lane[i].key, eni));
    };
    // 1. The headers (addresses, ports), and the senders' ENI records.
    for (size_t i = 0; i < n; ++i) {
      __builtin_prefetch(batch[i].headers);  // one line: see PacketHeaders
      from[i] = sender(batch[i]);
      if (from[i] >= 0) __builtin_prefetch(&s.hot[from[i]]);
    }
    // 2. The senders' flow buckets. Non-first fragments take their ports
    // from the fragment table: Run resolves those unhinted.
    for (size_t i = 0; i < n; ++i) {
      bucket[i] = kNoBucket;
      hint[i].dir = -1;  // step 6: not found (Peek and PeekNext set it)
      route[i] = nullptr;
      receiver[i] = -1;
      denied[i] = false;
      const PacketHeaders& h = *batch[i].headers;
      const int32_t a = from[i];
      if (a < 0 || !h.has_l4()) continue;
      v4[i] = h.family == IpFamily::kV4;
      if (v4[i]) {
        const auto [sport, dport] = flow_ports(h);
        new (&lane[i].probe) Conntrack::V4Probe(h.src.v4(), h.dst.v4(), sport, dport, h.protocol,
                                                true, s.hot[a].key);
        bucket[i] = ct_->Bucket(lane[i].probe);
      } else {
        lane[i].key = flow_key(i);
        bucket[i] = ct_->Bucket(lane[i].key);
      }
      ct_->Prefetch(bucket[i]);
    }
    // 3. Established flows: the receiver's entry their remembered decision
    // names. New flows: where the route leads (the owner of a local
    // destination, or an ENI target's flow bucket).
    static_assert(kBurst <= 256);
    uint8_t local[kBurst];  // the new flows with a local route
    size_t locals = 0;
    uint8_t missed[kBurst];  // not in their bucket's first slot
    size_t misses = 0;
    for (size_t i = 0; i < n; ++i) {
      if (bucket[i] == kNoBucket) continue;
      uint32_t peer = Conntrack::kNoSlot;
      if (v4[i] ? ct_->Peek(lane[i].probe, bucket[i], now_s, &peer, &hint[i])
                : ct_->Peek(lane[i].key, bucket[i], now_s, &peer, &hint[i])) {
        // Unconditionally: kNoSlot prefetches one fixed slot, which stays
        // cached, and a branch here would follow the packet mix.
        ct_->Prefetch(peer);
        continue;
      }
      ct_->PrefetchProbe(bucket[i]);
      if (v4[i] && denials_ && MaybeDenied(bucket[i])) {
        denied[i] = true;  // maybe: step 5 decides
        __builtin_prefetch(&denials_[bucket[i] & (kDenialSets - 1)]);
      }
      missed[misses++] = static_cast<uint8_t>(i);
      const EniHot& A = s.hot[from[i]];
      const SubnetState& sub = s.subnets[A.subnet];
      if (sub.route_table < 0) continue;
      const IpAddress dst = batch[i].headers->dst;
      const RouteTarget* t = s.route_tables[sub.route_table].Lookup(dst);
      if (!t) continue;
      route[i] = t;
      if (t->kind == RouteTarget::kLocal) {
        local[locals++] = static_cast<uint8_t>(i);
        s.PrefetchAddress(A.vpc, dst);
      } else if (t->kind == RouteTarget::kEni) {
        rbucket[i] = receiver_bucket(i, s.hot[t->index].key);
        ct_->Prefetch(rbucket[i]);
      }
    }
    // 4. New flows to local destinations: the receiver's flow bucket.
    for (size_t l = 0; l < locals; ++l) {
      const size_t i = local[l];
      int32_t b = s.EniByAddress(s.hot[from[i]].vpc, batch[i].headers->dst);
      receiver[i] = b;
      if (b < 0) continue;
      rbucket[i] = receiver_bucket(i, s.hot[b].key);
      ct_->Prefetch(rbucket[i]);
    }
    // 5. Flows whose entry is in their bucket's second slot (the first was
    // taken when they were tracked): established too, not new. Of the
    // rest, those the sender tracks for certain not (a lookup ends at a
    // free slot), whose sender's groups denied them before: denied again,
    // unless a packet before them in the burst starts to track them (see
    // `inserts` below).
    for (size_t m = 0; m < misses; ++m) {
      const size_t i = missed[m];
      const bool maybe = denied[i];  // step 3: the filter has a denial in the bucket
      denied[i] = false;
      uint32_t peer = Conntrack::kNoSlot;
      if (v4[i] ? ct_->PeekNext(lane[i].probe, bucket[i], now_s, &peer, &hint[i])
                : ct_->PeekNext(lane[i].key, bucket[i], now_s, &peer, &hint[i])) {
        ct_->Prefetch(peer);
        continue;
      }
      const PacketHeaders& h = *batch[i].headers;
      if (!maybe || h.is_first_fragment() || !ct_->EndsWithinTwo(bucket[i])) continue;
      const auto [sport, dport] = flow_ports(h);
      denied[i] = DeniedAgain(
          s,
          DenialKeyOf(s.hot[from[i]].key, h.src.v4(), h.dst.v4(), sport, dport, h.protocol,
                      internal::L4Key(h.protocol, h.dst_port, h.icmp_type, h.icmp_code)),
          bucket[i]);
    }
    // The flows step 5 found untracked still are while no packet of the
    // burst has recorded a flow since (a reply to the denied packet, say).
    const uint64_t inserts = ct_->inserts();
    for (size_t i = 0; i < n; ++i) {
      const PacketHeaders& h = *batch[i].headers;
      if (hint[i].dir >= 0) {
        const size_t b = bucket[i];
        const Conntrack::Hint& hi = hint[i];
        Verdict* o = &out[base + i];
        const bool done =
            v4[i]
                ? Established(
                      s, h,
                      [&](bool* reply) { return ct_->Hinted(lane[i].probe, b, hi, now_s, reply); },
                      [&] { return flow_key(i); }, now_s, o)
                : Established(
                      s, h,
                      [&](bool* reply) {
                        return ct_->FindHinted(lane[i].key, b, hi, now_s, reply);
                      },
                      [&] { return lane[i].key; }, now_s, o);
        if (done) continue;
      }
      if (denied[i] && ct_->inserts() == inserts) {
        Verdict& v = out[base + i];
        v = Verdict{};
        v.reason = DropReason::kSecurityGroup;
        v.eni = from[i];
        v.src = h.src;
        v.dst = h.dst;
        ++drops_[static_cast<size_t>(DropReason::kSecurityGroup)];
        ++denials_recalled_;
        continue;
      }
      // The receiver steps 3 and 4 found (and computed rbucket for), or -1.
      const int32_t to = receiver[i] >= 0                                  ? receiver[i]
                         : route[i] && route[i]->kind == RouteTarget::kEni ? route[i]->index
                                                                           : -1;
      Run(s, h, batch[i].in, now_s, nullptr,
          {bucket[i], route[i], receiver[i], to, to >= 0 ? rbucket[i] : kNoBucket,
           bucket[i] != kNoBucket && v4[i] ? &lane[i].probe : nullptr},
          &out[base + i]);
    }
  }
}

}  // namespace minivpc::dp
