#include "dataplane/conntrack.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace minivpc::dp {
namespace {

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

inline uint64_t EndpointHash(uint128 addr, uint16_t port) {
  return Mix(static_cast<uint64_t>(addr) ^ Mix(static_cast<uint64_t>(addr >> 64)) ^
             (uint64_t{port} << 48));
}

}  // namespace

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

size_t Conntrack::Bucket(const FlowKey& k) const {
  // Symmetric in (src, sport) <-> (dst, dport): both directions collide.
  uint64_t a = EndpointHash(k.src, k.sport);
  uint64_t b = EndpointHash(k.dst, k.dport);
  uint64_t h = Mix((a + b) ^ (a * b) ^ (uint64_t{k.proto} << 8) ^ Mix(k.eni));
  return static_cast<size_t>(h) & mask_;
}

uint32_t Conntrack::TimeoutFor(const Entry& e) const {
  switch (e.key.proto) {
    case 6:
      return options_.tcp_established_s;
    case 17:
      // A stream has seen more than one request-response transaction.
      return (e.replies > 1 && e.originals > 1) ? options_.udp_stream_s : options_.udp_s;
    default:
      return options_.other_s;
  }
}

bool Conntrack::Peek(const FlowKey& k, size_t bucket, uint32_t* peer) const {
  const Entry& e = slots_[bucket & mask_];
  if (!e.used) return false;
  if (e.key == k) {
    *peer = e.cached[0].peer_slot;
    return true;
  }
  if (e.key.eni == k.eni && e.key == k.Reversed()) {
    *peer = e.cached[1].peer_slot;
    return true;
  }
  return false;
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

void Conntrack::Touch(Entry* e, bool reply, uint32_t now_s) {
  e->last_seen = now_s;
  uint8_t& c = reply ? e->replies : e->originals;
  if (c < 255) ++c;
  e->timeout = TimeoutFor(*e);
}

}  // namespace minivpc::dp
