#include "dataplane/conntrack.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace minivpc::dp {
namespace {

// Anonymous memory, zero until written. Construction-time allocation:
// failing aborts, as std::vector would throw.
void* MapZeroed(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  return p;
}

}  // namespace

Conntrack::Conntrack(Options options)
    : timeouts_{options.tcp_established_s, options.udp_s, options.udp_stream_s, options.other_s},
      max_entries_(options.max_entries) {
  Allocate();
}

Conntrack::Conntrack(const Conntrack& other)
    : timeouts_(other.timeouts_), max_entries_(other.max_entries_) {
  Allocate();
  std::memcpy(static_cast<void*>(slots_), other.slots_, capacity_slots_ * sizeof(Entry));
  if (other.v6_written_) {
    std::memcpy(static_cast<void*>(v6_), other.v6_, capacity_slots_ * sizeof(V6));
    v6_written_ = true;
  }
  size_ = other.size_;
  allowance_exceeded_ = other.allowance_exceeded_;
  inserts_ = other.inserts_;
}

void Conntrack::Allocate() {
  size_t cap = 16;
  while (cap < max_entries_ * 2) cap <<= 1;
  capacity_slots_ = cap;
  mask_ = cap - 1;
  // Anonymous memory is zero until written, which is what an empty slot
  // and an unused IPv6 record hold; huge pages are advice (THP "madvise"
  // mode honours it, "never" ignores it), so the table works either way.
  // Tables of less than a huge page are not worth the advice, and neither
  // are the IPv6 records, which stay unbacked until IPv6 flows arrive.
  constexpr size_t kHuge = size_t{2} << 20;
  size_t bytes = cap * sizeof(Entry);
  mapped_bytes_ = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p = MapZeroed(mapped_bytes_);
  if (bytes >= kHuge) huge_pages_ = madvise(p, mapped_bytes_, MADV_HUGEPAGE) == 0;
  slots_ = static_cast<Entry*>(p);
  v6_bytes_ = cap * sizeof(V6);
  v6_ = static_cast<V6*>(MapZeroed(v6_bytes_));
}

Conntrack::~Conntrack() {
  munmap(slots_, mapped_bytes_);
  munmap(v6_, v6_bytes_);
}

void Conntrack::Clear() {
  std::memset(static_cast<void*>(slots_), 0, capacity_slots_ * sizeof(Entry));
  // Zero-filled again on the next touch, without writing them now.
  if (v6_written_ && madvise(v6_, v6_bytes_, MADV_DONTNEED) != 0) {
    std::memset(static_cast<void*>(v6_), 0, v6_bytes_);
  }
  v6_written_ = false;
  size_ = 0;
}

bool Conntrack::PeekSlot(const FlowKey& k, size_t bucket, uint8_t offset, uint32_t now_s,
                         uint32_t* peer, Hint* hint) const {
  const size_t slot = (bucket + offset) & mask_;
  const Entry& e = slots_[slot];
  hint->dir = -1;
  if (!e.used()) return false;
  const int dir = Matches(e, slot, k, CompactOf(k));
  if (dir < 0) return false;
  SetHint(e, dir, offset, now_s, peer, hint);
  return true;
}

Conntrack::Entry* Conntrack::Probe(const FlowKey& k, size_t bucket, uint32_t now_s, bool* reply) {
  const Compact c = CompactOf(k);
  size_t i = bucket & mask_;
  for (size_t n = 0; n < kMaxProbe; ++n, i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    if (!e.used()) return nullptr;  // probe sequences never cross an empty slot
    if (Expired(e, now_s)) continue;
    const int dir = Matches(e, i, k, c);
    if (dir >= 0) {
      *reply = dir == 1;
      return &e;
    }
  }
  return nullptr;
}

Conntrack::Entry* Conntrack::InsertProbing(const FlowKey& k, size_t bucket, uint32_t now_s) {
  size_t i = bucket & mask_;
  for (size_t n = 0; n < kMaxProbe; ++n, i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    bool reuse = e.used() && Expired(e, now_s);
    if (e.used() && !reuse) continue;
    if (!reuse && size_ >= max_entries_) break;
    if (!reuse) ++size_;
    const Compact c = CompactOf(k);
    Fill(e, c, k.eni, now_s);
    if (k.family == static_cast<uint8_t>(IpFamily::kV6)) {
      v6_[i] = c.swapped ? V6{k.dst, k.src} : V6{k.src, k.dst};  // canonical order
      v6_written_ = true;
    }
    return &e;
  }
  ++allowance_exceeded_;
  return nullptr;
}

}  // namespace minivpc::dp
