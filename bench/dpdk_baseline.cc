#include "dpdk_baseline.h"

#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_lpm.h>

#include <algorithm>

#include "dataplane/conntrack.h"
#include "dpdk_acl.h"
#include "dpdk_baseline_internal.h"

namespace minivpc::bench {
namespace {

using dp::DropReason;
using dp::Outcome;
using internal::AddrKey;
using internal::CtEntry;
using internal::CtKey;
using internal::kHopEni;
using internal::kHopIgw;
using internal::kHopIndexMask;
using internal::kHopLocal;
using internal::kHopShift;

// AWS's idle timeouts, as dp::Conntrack::Options.
uint32_t TimeoutFor(uint8_t proto, const CtEntry& e) {
  if (proto == 6) return 432000;
  if (proto == 17) return e.replies > 1 && e.originals > 1 ? 180 : 30;
  return 600;
}

}  // namespace

int32_t DpdkBaseline::Impl::Owner(int32_t vpc, uint32_t addr) const {
  uint64_t k = AddrKey(vpc, addr);
  void* data = nullptr;
  if (rte_hash_lookup_data(owners, &k, &data) < 0) return -1;
  return static_cast<int32_t>(reinterpret_cast<uintptr_t>(data));
}

void DpdkBaseline::Impl::MakeProbe(const Packet& p, int32_t eni, CtProbe* probe) const {
  bool swap = p.src > p.dst || (p.src == p.dst && p.sport > p.dport);
  probe->swapped = swap;
  probe->key = swap ? CtKey{p.dst, p.src, p.dport, p.sport, p.proto, {0, 0, 0}, eni}
                    : CtKey{p.src, p.dst, p.sport, p.dport, p.proto, {0, 0, 0}, eni};
  probe->sig = rte_hash_hash(conntrack, &probe->key);
}

bool DpdkBaseline::Impl::Tracked(const Packet& p, int32_t eni, CtProbe* probe) {
  MakeProbe(p, eni, probe);
  return TrackedAt(p, *probe, rte_hash_lookup_with_hash(conntrack, &probe->key, probe->sig));
}

bool DpdkBaseline::Impl::TrackedAt(const Packet& p, const CtProbe& probe, int32_t pos) {
  if (pos < 0) return false;
  CtEntry& e = ct_entries[pos];
  if (p.now - e.last_seen > e.timeout) return false;  // expired: a new flow
  uint8_t& count = probe.swapped != e.swapped ? e.replies : e.originals;
  if (count < 255) ++count;
  e.last_seen = p.now;
  e.timeout = TimeoutFor(p.proto, e);
  return true;
}

bool DpdkBaseline::Impl::Track(const Packet& p, const CtProbe& probe) {
  int32_t pos = rte_hash_add_key_with_hash(conntrack, &probe.key, probe.sig);
  if (pos < 0) return false;  // full: conntrack allowance exceeded
  ++inserts;
  CtEntry& e = ct_entries[pos];
  e = CtEntry{p.now, 0, probe.swapped, 1, 0};
  e.timeout = TimeoutFor(p.proto, e);
  return true;
}

internal::Packet DpdkBaseline::Impl::MakePacket(const dp::PacketHeaders& h, uint32_t now) {
  Packet p{h.src.v4(), h.dst.v4(), h.src_port, h.dst_port, 0, h.protocol, now};
  if (p.proto == 6 || p.proto == 17) {
    p.key = p.dport;
  } else if (p.proto == 1 || p.proto == 58) {
    p.key = static_cast<uint16_t>(h.icmp_type << 8 | h.icmp_code);
    p.sport = p.dport = dp::IcmpFlowType(p.proto, h.icmp_type);
  }
  return p;
}

// The checks before the sender's connection table; false with *out set
// when they drop the packet.
bool DpdkBaseline::Impl::Front(const Packet& p, int32_t a, BaselineVerdict* out) const {
  if (a < 0 || a >= static_cast<int32_t>(enis.size())) {
    *out = Drop(DropReason::kEniNotActive, a);
    return false;
  }
  const Eni& A = enis[a];
  if (!A.active) {
    *out = Drop(DropReason::kEniNotActive, a);
    return false;
  }
  if (A.source_dest_check && !A.Owns(p.src)) {
    *out = Drop(DropReason::kSourceDestCheck, a);
    return false;
  }
  return true;
}

BaselineVerdict DpdkBaseline::Impl::Process(const dp::PacketHeaders& h, int32_t a, uint32_t now) {
  Packet p = MakePacket(h, now);
  BaselineVerdict v;
  if (!Front(p, a, &v)) return v;
  CtProbe probe;
  MakeProbe(p, a, &probe);
  return Rest(p, a, probe, rte_hash_lookup_with_hash(conntrack, &probe.key, probe.sig));
}

void DpdkBaseline::Impl::ProcessBurst(const BaselineItem* items, size_t n, uint32_t now,
                                      BaselineVerdict* out) {
  constexpr size_t kBurst = 32;
  for (size_t base = 0; base < n; base += kBurst) {
    const size_t m = std::min(kBurst, n - base);
    const BaselineItem* it = items + base;
    Packet pk[kBurst];
    CtProbe probes[kBurst];
    bool pass[kBurst];
    const void* keys[kBurst];
    hash_sig_t sigs[kBurst];
    int32_t found[kBurst], pos[kBurst];
    uint32_t k = 0;
    for (size_t i = 0; i < m; ++i) {
      pk[i] = MakePacket(*it[i].h, now);
      pass[i] = Front(pk[i], it[i].from_eni, &out[base + i]);
      if (!pass[i]) continue;
      MakeProbe(pk[i], it[i].from_eni, &probes[i]);
      keys[k] = &probes[i].key;
      sigs[k++] = probes[i].sig;
    }
    if (k > 0) rte_hash_lookup_with_hash_bulk(conntrack, keys, sigs, k, found);
    const uint64_t inserts_before = inserts;
    for (size_t i = 0, j = 0; i < m; ++i) {
      if (!pass[i]) continue;
      pos[i] = found[j++];
      // A flow added earlier in this burst is not in the bulk answer.
      if (pos[i] < 0 && inserts != inserts_before) {
        pos[i] = rte_hash_lookup_with_hash(conntrack, &probes[i].key, probes[i].sig);
      }
      out[base + i] = Rest(pk[i], it[i].from_eni, probes[i], pos[i]);
    }
  }
}

// From the sender's connection table (its entry at `pos`, or < 0) on.
BaselineVerdict DpdkBaseline::Impl::Rest(const Packet& p, int32_t a, const CtProbe& probe,
                                         int32_t pos) {
  const Eni& A = enis[a];
  if (!TrackedAt(p, probe, pos)) {
    const GroupSet& g = sets[A.set];
    if (!Classify(g.egress, p.proto, p.dst, p.key)) return Drop(DropReason::kSecurityGroup, a);
    if (!g.Untracked(p.proto) && !Track(p, probe)) return Drop(DropReason::kConntrackFull, a);
  }
  int32_t table = subnets[A.subnet].route_table;
  uint32_t hop = 0;
  if (table < 0 || rte_lpm_lookup(lpms[table], p.dst, &hop) != 0) {
    return Drop(DropReason::kNoRoute, a);
  }
  int32_t index = static_cast<int32_t>(hop & kHopIndexMask);
  switch (hop >> kHopShift) {
    case kHopLocal: {
      int32_t b = Owner(A.vpc, p.dst);
      if (b < 0) return Drop(DropReason::kNoDestination, a);
      return ToEni(p, a, A.subnet, b);
    }
    case kHopEni:
      return ToEni(p, a, A.subnet, index);
    case kHopIgw:
      return ToInternet(p, a);
    default:
      return Drop(DropReason::kBlackholeRoute, a);
  }
}

BaselineVerdict DpdkBaseline::Impl::ToEni(const Packet& p, int32_t a, int32_t from_subnet,
                                          int32_t b) {
  const Eni& B = enis[b];
  if (from_subnet != B.subnet) {  // network ACLs apply only between subnets
    if (Classify(subnets[from_subnet].nacl_out, p.proto, p.dst, p.key) != kAclAllow) {
      return Drop(DropReason::kNetworkAcl, a);
    }
    if (Classify(subnets[B.subnet].nacl_in, p.proto, p.src, p.key) != kAclAllow) {
      return Drop(DropReason::kNetworkAcl, b);
    }
  }
  if (!B.active) return Drop(DropReason::kEniNotActive, b);
  if (B.source_dest_check && !B.Owns(p.dst)) return Drop(DropReason::kSourceDestCheck, b);
  CtProbe probe;
  if (!Tracked(p, b, &probe)) {
    const GroupSet& g = sets[B.set];
    if (!Classify(g.ingress, p.proto, p.src, p.key)) return Drop(DropReason::kSecurityGroup, b);
    if (!g.Untracked(p.proto) && !Track(p, probe)) return Drop(DropReason::kConntrackFull, b);
  }
  return {Outcome::kDeliveredToEni, DropReason::kNone, b};
}

BaselineVerdict DpdkBaseline::Impl::ToInternet(const Packet& p, int32_t a) {
  const Eni& A = enis[a];
  if (Classify(subnets[A.subnet].nacl_out, p.proto, p.dst, p.key) != kAclAllow) {
    return Drop(DropReason::kNetworkAcl, a);
  }
  uint64_t k = AddrKey(A.vpc, p.src);
  if (rte_hash_lookup(nat, &k) < 0) return Drop(DropReason::kNoPublicIp, a);
  return {Outcome::kDeliveredToInternet, DropReason::kNone, -1};
}

DpdkBaseline::DpdkBaseline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DpdkBaseline::~DpdkBaseline() = default;

BaselineVerdict DpdkBaseline::Process(const dp::PacketHeaders& h, int32_t from_eni,
                                      uint32_t now_s) {
  return impl_->Process(h, from_eni, now_s);
}

void DpdkBaseline::ProcessBurst(const BaselineItem* items, size_t n, uint32_t now_s,
                                BaselineVerdict* out) {
  impl_->ProcessBurst(items, n, now_s, out);
}

void DpdkBaseline::ClearConntrack() { rte_hash_reset(impl_->conntrack); }
size_t DpdkBaseline::StateBytes() const { return impl_->state_bytes; }
size_t DpdkBaseline::ConntrackBytes() const { return impl_->conntrack_bytes; }
size_t DpdkBaseline::AclContexts() const { return impl_->acls.size(); }

bool StartDpdkEal(std::string* error) {
  // EAL keeps pointers into argv: the strings must outlive it.
  static std::vector<std::string> args = {
      "dataplane_bench", "-l", "0",   "--no-huge",      "--no-pci",
      "--no-shconf",     "-m", "512", "--no-telemetry", "--log-level=lib.eal:error"};
  static std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  cpu_set_t cpus;
  bool have_cpus = pthread_getaffinity_np(pthread_self(), sizeof cpus, &cpus) == 0;
  if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
    *error = std::string("rte_eal_init: ") + rte_strerror(rte_errno);
    return false;
  }
  if (have_cpus) pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus);
  return true;
}

void StopDpdkEal() { rte_eal_cleanup(); }

}  // namespace minivpc::bench
