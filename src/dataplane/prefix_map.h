// PrefixMap<V>: longest-prefix and "union of all covering prefixes"
// lookups over IPv4 or IPv6 addresses, compiled into a flat sorted array.
//
// The algorithm. CIDR blocks are laminar: two blocks are either disjoint or
// one contains the other. Build() cuts the address line at every block
// boundary into elementary intervals, and gives each interval the value of
// the blocks that cover it, combined by a caller-supplied function (for
// routes: the value of the longest block; for security-group rules: the
// union of their port sets). Lookup then finds the interval holding an
// address among the sorted interval starts: O(log n) with n <= 2 x blocks.
//
// For IPv4 the search is a static 16-ary tree over 64-byte blocks of 16
// starts (level 0 = every start, level k+1 = every 16th start of level k):
// one cache line per level, so 4,000 starts cost 3 lines where a binary
// search touches about 12; the leaf's values are prefetched with its keys,
// and a block's 16 keys are compared at once (SSE2). Large maps (security
// groups with group references expand to thousands of /32s) are cold in
// cache on the new-flow path, which makes lines, not comparisons, the
// cost. IPv6 uses a plain binary search over 128-bit starts.
//
// Performance assumptions: built rarely (on a control-plane change), looked
// up per packet. Immutable after Build; safe to share across threads.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "net/ip.h"

namespace minivpc::dp {

template <typename V>
class PrefixMap {
 public:
  struct Entry {
    Cidr block;
    V value;
  };

  // `combine(covering)` receives the entries covering one interval, outermost
  // first (shortest prefix first), and returns the interval's value, or
  // nullopt for "no value". Entries must all be of `family`.
  template <typename Combine>
  static PrefixMap Build(IpFamily family, std::vector<Entry> entries, Combine&& combine) {
    PrefixMap m;
    m.family_ = family;
    // Sort by start, then by prefix length (outer blocks first).
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      if (a.block.base() != b.block.base()) return a.block.base() < b.block.base();
      return a.block.prefix() < b.block.prefix();
    });
    const uint128 top = family == IpFamily::kV4 ? uint128{0xFFFFFFFFu} : ~uint128{0};
    // Boundaries: every start and every end+1 (when it does not overflow).
    std::vector<uint128> cuts{0};
    for (const auto& e : entries) {
      cuts.push_back(e.block.base().value());
      uint128 last = e.block.Last().value();
      if (last != top) cuts.push_back(last + 1);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    // Sweep: the active blocks at a point form a chain (laminar family).
    std::vector<const Entry*> active;
    size_t next = 0;
    std::vector<const Entry*> covering;
    for (uint128 cut : cuts) {
      while (!active.empty() && active.back()->block.Last().value() < cut) active.pop_back();
      while (next < entries.size() && entries[next].block.base().value() == cut) {
        // Drop blocks that ended before this one (not on the chain).
        while (!active.empty() && !active.back()->block.Contains(entries[next].block)) {
          active.pop_back();
        }
        active.push_back(&entries[next++]);
      }
      // Entries starting earlier but not yet popped are still covering `cut`
      // only if they contain it; the chain invariant guarantees that.
      covering.assign(active.begin(), active.end());
      std::optional<V> v = combine(covering);
      if (!m.starts_.empty() && m.values_.back() == v) continue;  // merge equal runs
      m.starts_.push_back(cut);
      m.values_.push_back(std::move(v));
    }
    m.BuildV4Index();
    return m;
  }

  // The value of the interval holding `addr`, or nullptr. Precondition: the
  // family matches (a mismatched family returns nullptr).
  const V* Find(const IpAddress& addr) const {
    if (addr.family() != family_ || starts_.empty()) return nullptr;
    size_t i = family_ == IpFamily::kV4 ? UpperV4(addr.v4()) : Upper(addr.value());
    const std::optional<V>& v = values_[i - 1];
    return v ? &*v : nullptr;
  }

  size_t intervals() const { return starts_.size(); }
  // Rewrites every value in place (e.g. to re-number what values point at).
  template <typename F>
  void MapValues(F&& f) {
    for (auto& v : values_) {
      if (v) f(*v);
    }
  }
  size_t MemoryBytes() const {
    size_t n = starts_.capacity() * sizeof(uint128) + values_.capacity() * sizeof(std::optional<V>);
    n += blocks_.capacity() * sizeof(Block);
    return n;
  }

 private:
  struct alignas(64) Block {
    uint32_t k[16];  // ascending starts, xor kBias; padded with 0xFFFFFFFF ^ kBias
  };
  void BuildV4Index() {
    if (family_ != IpFamily::kV4) return;
    std::vector<uint32_t> level;
    level.reserve(starts_.size());
    for (uint128 s : starts_) level.push_back(static_cast<uint32_t>(s));
    blocks_.clear();
    depth_ = 0;
    while (true) {
      level_offset_[depth_] = static_cast<uint32_t>(blocks_.size());
      level_size_[depth_] = static_cast<uint32_t>(level.size());
      ++depth_;
      const size_t first = blocks_.size();
      blocks_.resize(first + (level.size() + 15) / 16);
      for (size_t i = 0; i < (blocks_.size() - first) * 16; ++i) {
        blocks_[first + i / 16].k[i % 16] = (i < level.size() ? level[i] : 0xFFFFFFFFu) ^ kBias;
      }
      if (level.size() <= 16) break;
      std::vector<uint32_t> up;
      for (size_t i = 0; i < level.size(); i += 16) up.push_back(level[i]);
      level = std::move(up);
    }
  }
  // Index of the first start > x (>= 1 since starts_[0] == 0). From the top
  // level down: in block `b`, the last key <= x names the block below.
  // Where each level starts and how many keys it has are kept in the map
  // itself, so that a level costs one load (its block), not two.
  size_t UpperV4(uint32_t x) const {
    // Every start is <= the largest address. Below it the padding
    // (0xFFFFFFFF) is never counted, so no level needs clamping.
    if (x == 0xFFFFFFFFu) return level_size_[0];
    // One branch per level (the loop's): maps differ in depth, so a test
    // for the leaf inside the loop mispredicted as often as the exit.
    const Block* blocks = blocks_.data();
    size_t b = 0;
    for (size_t l = depth_ - 1; l > 0; --l) {
      b = b * 16 + CountAtMost(blocks[level_offset_[l] + b], x) - 1;
    }
    // The leaf: the value is one of these 16, so load them with the keys
    // (two lines at most).
    const char* v = reinterpret_cast<const char*>(values_.data() + b * 16);
    __builtin_prefetch(v);
    if (16 * sizeof(std::optional<V>) > 64) __builtin_prefetch(v + 64);
    return b * 16 + CountAtMost(blocks[b], x);
  }
  // How many of the block's 16 keys are <= x.
  static uint32_t CountAtMost(const Block& blk, uint32_t x) {
#if defined(__SSE2__)
    // SSE2 compares signed: the keys are stored with the top bit flipped
    // (kBias), and so is x, which makes the signed order the unsigned one.
    // Each compare yields -1 per key > x; a block is sorted, so those are
    // its last keys, and the first of them in the packed mask is the count.
    const __m128i xv = _mm_set1_epi32(static_cast<int>(x ^ kBias));
    auto greater = [&](int j) {
      return _mm_cmpgt_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(&blk.k[j])), xv);
    };
    const __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(greater(0), greater(4)),
                                          _mm_packs_epi32(greater(8), greater(12)));
    return static_cast<uint32_t>(__builtin_ctz(_mm_movemask_epi8(bytes) | 0x10000));
#else
    uint32_t c = 0;
    for (int j = 0; j < 16; ++j) c += (blk.k[j] ^ kBias) <= x;
    return c;
#endif
  }
  static constexpr uint32_t kBias = 0x80000000u;  // see CountAtMost
  size_t Upper(uint128 x) const {
    return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), x) -
                               starts_.begin());
  }

  IpFamily family_ = IpFamily::kV4;
  std::vector<uint128> starts_;
  // IPv4: every level's blocks, level 0 (every start) first; level l has
  // level_size_[l] keys from block level_offset_[l]. 16^8 keys is more than
  // any map has (at most two starts per block of the map).
  static constexpr size_t kMaxLevels = 8;
  std::vector<Block> blocks_;
  size_t depth_ = 0;
  std::array<uint32_t, kMaxLevels> level_offset_{};
  std::array<uint32_t, kMaxLevels> level_size_{};
  std::vector<std::optional<V>> values_;
};

}  // namespace minivpc::dp
