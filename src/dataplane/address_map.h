// AddressMap: (VPC, IP address) -> small integer, the snapshot's lookups of
// "which ENI owns this private address" and of the 1:1 NAT mappings.
//
//   AddressMap m;
//   m.Insert(vpc, IpAddress::V4(0x0A000005), eni);
//   int32_t eni = m.Find(vpc, dst);  // -1 when nobody owns dst
//
// Open addressing with linear probing in one flat power-of-two array of
// 32-byte slots kept at most half full, so a lookup is one cache line in the
// common case (a node-based hash map costs a pointer chase per lookup, a
// cache miss on the per-packet path). Built once per snapshot, then read
// only: concurrent Find calls are safe, Insert is not.
#pragma once

#include <cstdint>
#include <vector>

#include "net/ip.h"

namespace minivpc::dp {

class AddressMap {
 public:
  // Maps (vpc, a) to value (>= 0), replacing an earlier value.
  void Insert(int32_t vpc, IpAddress a, int32_t value);
  // The value for (vpc, a), or -1.
  int32_t Find(int32_t vpc, const IpAddress& a) const {
    if (slots_.empty()) return -1;
    for (size_t i = Hash(vpc, a) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value < 0) return -1;
      if (s.Holds(vpc, a)) return s.value;
    }
  }
  void Prefetch(int32_t vpc, const IpAddress& a) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Hash(vpc, a) & mask_]);
  }
  size_t size() const { return size_; }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct alignas(32) Slot {
    uint128 addr = 0;
    int32_t vpc = 0;
    int32_t value = -1;  // -1: empty
    IpFamily family = IpFamily::kV4;
    bool Holds(int32_t v, const IpAddress& a) const {
      return addr == a.value() && vpc == v && family == a.family();
    }
  };
  static uint64_t Hash(int32_t vpc, const IpAddress& a) {
    uint64_t lo = static_cast<uint64_t>(a.value());
    uint64_t hi = static_cast<uint64_t>(a.value() >> 64);
    uint64_t h = (lo ^ (hi * 0x9E3779B97F4A7C15ull) ^ (static_cast<uint64_t>(vpc) << 40)) *
                 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
  }
  void Grow();

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace minivpc::dp
