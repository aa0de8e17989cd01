// Pipeline: one packet through AWS's VPC semantics, as the data plane and
// Reachability Analyzer see it.
//
//   Pipeline p(&conntrack);
//   Verdict v = p.Process(*snapshot, headers, Ingress::FromEni(eni), now_s);
//   Verdict v = p.Process(*snapshot, headers, Ingress::FromInternet(igw), now_s, &why);
//   p.ProcessBurst(*snapshot, items, now_s, verdicts);  // same decisions, faster
//
// Order of checks for a packet sent by ENI A (all documented AWS behaviour):
//   1. A must be attached to a running instance.
//   2. Source/destination check: with it on, the source must be A's address.
//   3. A's security groups, outbound (skipped for a tracked connection).
//   4. A's subnet's route table, longest prefix match on the destination:
//      local -> the ENI owning the address; an ENI/instance target; the
//      internet gateway; no route or a blackhole route drops.
//   5. Network ACLs: outbound of A's subnet, inbound of the destination's,
//      only when the two subnets differ (stateless: every packet).
//   6. At the receiving ENI B: source/destination check on the destination,
//      then B's security groups inbound (skipped for a tracked connection).
//   Leaving by the internet gateway, the private source IPv4 becomes its
//   public IPv4 or elastic IP (or the packet drops); entering, the public
//   destination becomes the private one. IPv6 is not translated.
//
// ProcessBurst decides a batch exactly as Process would one packet at a
// time, in order, but first walks the batch to load what each packet will
// touch (its ENI, its connection-tracking bucket, the peer entry its
// remembered decision names) with prefetches, so that the cache misses of
// up to kBurst packets overlap instead of following one another; for
// established flows those misses are nearly the whole cost.
//
// Process never allocates unless `why` is given (explanations build strings).
// Not thread safe (it owns a fragment table and uses one Conntrack).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "dataplane/conntrack.h"
#include "dataplane/packet.h"
#include "dataplane/snapshot.h"
#include "dataplane/verdict.h"

namespace minivpc::dp {

struct Ingress {
  enum Kind : uint8_t { kEni, kInternet };
  Kind kind = kEni;
  int32_t index = -1;  // ENI index, or internet gateway index
  static Ingress FromEni(int32_t eni) { return {kEni, eni}; }
  static Ingress FromInternet(int32_t igw) { return {kInternet, igw}; }
};

struct BurstItem {
  const PacketHeaders* headers = nullptr;
  Ingress in;
};

class Pipeline {
 public:
  static constexpr size_t kBurst = 32;

  explicit Pipeline(Conntrack* conntrack) : ct_(conntrack) {}

  Verdict Process(const Snapshot& s, const PacketHeaders& h, Ingress in, uint32_t now_s,
                  Explanation* why = nullptr);
  // out[i] = Process(s, *items[i].headers, items[i].in, now_s), for every i
  // in order (any length; prefetching works kBurst packets ahead).
  void ProcessBurst(const Snapshot& s, std::span<const BurstItem> items, uint32_t now_s,
                    Verdict* out);

  uint64_t drops(DropReason r) const { return drops_[static_cast<size_t>(r)]; }
  uint64_t delivered() const { return delivered_; }
  // Packets ProcessBurst dropped as a denial it remembered (see Denial).
  uint64_t denials_recalled() const { return denials_recalled_; }

 private:
  struct Packet;  // per-call working state (pipeline.cc)
  // Each of these sets the packet's verdict (Packet::v) as it returns.
  void FromEni(const Snapshot& s, Packet& p);
  void FromInternet(const Snapshot& s, Packet& p);
  void ToEni(const Snapshot& s, Packet& p, int32_t from_subnet, int32_t to);
  void ToInternet(const Snapshot& s, Packet& p, int32_t from_eni, int32_t igw);
  void Drop(Packet& p, DropReason r, int32_t eni);
  void Remember(const Snapshot& s, Packet& p);
  bool Recall(const Snapshot& s, Packet& p, const FlowKey& k);
  template <class KeyFn>
  bool StillHolds(const Snapshot& s, const Conntrack::CachedDecision& c, const PacketHeaders& h,
                  KeyFn&& key, uint32_t now, Conntrack::Entry** peer);
  void Apply(const Conntrack::CachedDecision& c, IpAddress src, IpAddress dst, Verdict* v);
  void TouchPeer(Conntrack::CachedDecision& c, Conntrack::Entry* peer, uint32_t now);
  template <class FindFn, class KeyFn>
  bool Established(const Snapshot& s, const PacketHeaders& h, FindFn&& find, KeyFn&& key,
                   uint32_t now, Verdict* out);
  // A packet's ports: its own, or for a non-first fragment those its first
  // fragment recorded (false: none did). A first fragment records them.
  bool ResolveFragment(const PacketHeaders& h, uint16_t* sport, uint16_t* dport) {
    if (!h.has_l4()) return FirstFragmentPorts(h, sport, dport);
    if (h.is_first_fragment()) RecordFirstFragment(h);
    *sport = h.src_port;
    *dport = h.dst_port;
    return true;
  }
  void RecordFirstFragment(const PacketHeaders& h);
  bool FirstFragmentPorts(const PacketHeaders& h, uint16_t* sport, uint16_t* dport) const;
  static constexpr size_t kNoBucket = ~size_t{0};
  // What ProcessBurst already looked up for a packet Run decides.
  struct RunHints {
    size_t src_bucket;         // Conntrack::Bucket of the sender's flow key, or kNoBucket
    const RouteTarget* route;  // the sender's route to the destination, or unknown (nullptr)
    int32_t receiver;          // the owner of a local destination, or unknown (-1)
    // The receiving ENI (index) whose flow bucket for the packet is known,
    // or -1, and that bucket.
    int32_t bucket_of = -1;
    size_t receiver_bucket = kNoBucket;
    // The sender's probe for src_bucket, for an IPv4 packet (else nullptr).
    const Conntrack::V4Probe* probe = nullptr;
  };
  // Decides a packet into *out (written in place: a Verdict is 96 bytes).
  void Run(const Snapshot& s, const PacketHeaders& h, Ingress in, uint32_t now_s, Explanation* why,
           const RunHints& hints, Verdict* out);

  // IPv4 flows that their sender's security groups denied, remembered so
  // that the flows' next packets skip the lookups (AWS tracks no denied
  // flow, so the connection table has no entry to remember them on).
  // Two-way sets (one cache line) indexed by the sender's flow bucket; a
  // denial goes to the first way, moving a live one there to the second.
  // Written at the second denial in a bucket (see denial_filter_): flows
  // denied once, such as most new flows, cost no write to the table. An
  // entry holds while the snapshot generation is the same (the ENI's
  // groups, state and addresses are then too) and the sender tracks no
  // such flow: a packet of a tracked flow, including a reply to one the ENI
  // accepted since, passes without asking the groups (see ProcessBurst's
  // step 5).
  //
  // A denied packet as its sender sent it: the ENI (EniState::key), the
  // IPv4 addresses, the flow's ports, the protocol and the L4Key (ICMP's
  // type and code, which the groups match and the flow's ports do not).
  struct DenialKey {
    uint64_t eni = 0;
    uint64_t addrs = 0;  // source | destination << 32
    uint64_t rest = 0;   // sport | dport << 16 | protocol << 32 | L4Key << 40
    bool operator==(const DenialKey&) const = default;
  };
  static DenialKey DenialKeyOf(uint64_t eni, uint32_t src, uint32_t dst, uint16_t sport,
                               uint16_t dport, uint8_t proto, uint16_t l4key) {
    return {eni, src | uint64_t{dst} << 32,
            sport | uint64_t{dport} << 16 | uint64_t{proto} << 32 | uint64_t{l4key} << 40};
  }
  struct Denial {
    DenialKey key;
    uint32_t generation = 0;
    // 1 + the filter bit of the flow's bucket (see denial_filter_); 0: free.
    uint32_t filter_bit = 0;
    // Whether it is a denial of snapshot generation `gen`.
    bool Live(uint32_t gen) const { return filter_bit && generation == gen; }
    bool Holds(const DenialKey& k, uint32_t gen) const { return Live(gen) && key == k; }
  };
  struct alignas(64) DenialSet {
    Denial way[2];
  };
  static_assert(sizeof(DenialSet) == 64, "a set is one cache line");
  static constexpr size_t kDenialSets = size_t{1} << 14;  // 1 MiB
  void RememberDenial(const Snapshot& s, const Packet& p, size_t bucket);
  bool DeniedAgain(const Snapshot& s, const DenialKey& k, size_t bucket) const;
  // Starts the filter afresh with the bits of the denials remembered for
  // snapshot generation `gen` only.
  void RestartDenialFilter(uint32_t gen);
  std::unique_ptr<DenialSet[]> denials_;  // kDenialSets, allocated at the first denial
  // Which buckets (their low bits) have had a denial: one bit each, so
  // that new flows, which are seldom denied ones, do not read the table.
  // Restarted (RestartDenialFilter) after kDenialFilterBits / 4 denials,
  // counting the live ones whose bits a restart re-marks (at most
  // 2 * kDenialSets, an eighth of the bits): each sets at most one bit, so
  // at most a quarter of the bits are set (a bit may stand for a replaced
  // entry: it only costs a look).
  static constexpr size_t kDenialFilterBits = size_t{1} << 18;  // 32 KiB
  std::unique_ptr<uint64_t[]> denial_filter_;
  size_t denials_since_restart_ = 0;
  bool MaybeDenied(size_t bucket) const {
    const size_t b = bucket & (kDenialFilterBits - 1);
    return (denial_filter_[b / 64] >> (b % 64)) & 1;
  }
  uint64_t denials_recalled_ = 0;

  Conntrack* ct_;
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> drops_{};
  uint64_t delivered_ = 0;

  // Bounded table of first fragments' ports: later fragments carry no L4
  // header and are classified by their first fragment's ports.
  struct Fragment {
    uint128 src = 0, dst = 0;
    uint32_t id = 0;
    uint8_t proto = 0;
    bool used = false;
    uint16_t sport = 0, dport = 0;
  };
  std::array<Fragment, 1024> fragments_{};
  size_t next_fragment_ = 0;
};

}  // namespace minivpc::dp
