#include "dataplane/conntrack.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace minivpc::dp {

uint16_t IcmpFlowType(uint8_t proto, uint8_t type) {
  if (proto == 1) {
    switch (type) {
      case 0:
        return 8;
      case 14:
        return 13;
      case 16:
        return 15;
      case 18:
        return 17;
      default:
        return type;
    }
  }
  return type == 129 ? 128 : type;
}

Conntrack::Conntrack(Options options) : options_(options), max_entries_(options.max_entries) {
  Allocate();
}

Conntrack::Conntrack(const Conntrack& other)
    : options_(other.options_), max_entries_(other.max_entries_) {
  Allocate();
  std::memcpy(static_cast<void*>(slots_), other.slots_, capacity_slots_ * sizeof(Entry));
  size_ = other.size_;
  allowance_exceeded_ = other.allowance_exceeded_;
}

void Conntrack::Allocate() {
  size_t cap = 16;
  while (cap < max_entries_ * 2) cap <<= 1;
  capacity_slots_ = cap;
  mask_ = cap - 1;
  // Anonymous memory is zero until written; huge pages are advice (THP
  // "madvise" mode honours it, "never" ignores it), so the table works
  // either way. Tables of less than a huge page are not worth the advice.
  constexpr size_t kHuge = size_t{2} << 20;
  size_t bytes = cap * sizeof(Entry);
  mapped_bytes_ = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p =
      mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();  // construction-time allocation, as std::vector would throw
  if (bytes >= kHuge) huge_pages_ = madvise(p, mapped_bytes_, MADV_HUGEPAGE) == 0;
  slots_ = static_cast<Entry*>(p);
  for (size_t i = 0; i < cap; ++i) new (&slots_[i]) Entry{};
}

Conntrack::~Conntrack() { munmap(slots_, mapped_bytes_); }

void Conntrack::Clear() {
  for (size_t i = 0; i < capacity_slots_; ++i) slots_[i] = Entry{};
  size_ = 0;
}

bool Conntrack::Peek(const FlowKey& k, size_t bucket, uint32_t now_s, uint32_t* peer) const {
  const Entry& e = slots_[bucket & mask_];
  if (!e.used) return false;
  int dir = e.key == k ? 0 : e.key.eni == k.eni && e.key == k.Reversed() ? 1 : -1;
  if (dir < 0) return false;
  const CachedDecision& c = e.cached[dir];
  *peer = c.peer_seen == now_s + 1 ? kNoSlot : c.peer_slot;
  return true;
}

Conntrack::Entry* Conntrack::FindAt(const FlowKey& k, size_t bucket, uint32_t now_s, bool* reply) {
  size_t i = bucket;
  for (size_t n = 0; n < kMaxProbe; ++n, i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    if (!e.used) return nullptr;  // probe sequences never cross an empty slot
    if (Expired(e, now_s)) continue;
    if (e.key == k) {
      *reply = false;
      return &e;
    }
    // A packet to its own address and port is its own reverse: it can only
    // continue its flow, never answer it.
    bool symmetric = k.src == k.dst && k.sport == k.dport;
    if (!symmetric && e.key.eni == k.eni && e.key == k.Reversed()) {
      *reply = true;
      return &e;
    }
  }
  return nullptr;
}

Conntrack::Entry* Conntrack::Insert(const FlowKey& k, uint32_t now_s) {
  size_t i = Bucket(k);
  for (size_t n = 0; n < kMaxProbe; ++n, i = (i + 1) & mask_) {
    Entry& e = slots_[i];
    bool reuse = e.used && Expired(e, now_s);
    if (e.used && !reuse) continue;
    if (!reuse && size_ >= max_entries_) break;
    if (!reuse) ++size_;
    uint32_t epoch = e.epoch + 1;
    e = Entry{};
    e.epoch = epoch;
    e.key = k;
    e.used = 1;
    e.last_seen = now_s;
    e.originals = 1;
    e.timeout = TimeoutFor(e);
    return &e;
  }
  ++allowance_exceeded_;
  return nullptr;
}

}  // namespace minivpc::dp
