// Rng: the deterministic generator dataplane_bench's configuration and
// traffic draw from (the same seed gives the same world and packets).
#pragma once

#include <cstdint>
#include <random>

namespace minivpc::bench {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, n). Precondition: n > 0.
  uint64_t Below(uint64_t n) { return engine_() % n; }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(int percent) { return Range(0, 99) < percent; }
  uint32_t U32() { return static_cast<uint32_t>(engine_()); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace minivpc::bench
