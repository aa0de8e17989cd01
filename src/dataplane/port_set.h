// PortSet: a set of 16-bit values (TCP/UDP ports, or ICMP type*256+code) as
// sorted disjoint closed ranges. Small, immutable once built.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace minivpc::dp {

class PortSet {
 public:
  static PortSet All() { return PortSet({{0, 0xFFFF}}); }
  PortSet() = default;
  explicit PortSet(std::vector<std::pair<uint16_t, uint16_t>> ranges) : ranges_(std::move(ranges)) {
    Normalize();
  }

  bool Contains(uint16_t v) const {
    for (const auto& [lo, hi] : ranges_) {
      if (v < lo) return false;
      if (v <= hi) return true;
    }
    return false;
  }
  bool IsAll() const {
    return ranges_.size() == 1 && ranges_[0].first == 0 && ranges_[0].second == 0xFFFF;
  }
  bool empty() const { return ranges_.empty(); }
  const std::vector<std::pair<uint16_t, uint16_t>>& ranges() const { return ranges_; }

  PortSet Union(const PortSet& other) const {
    std::vector<std::pair<uint16_t, uint16_t>> r = ranges_;
    r.insert(r.end(), other.ranges_.begin(), other.ranges_.end());
    return PortSet(std::move(r));
  }
  friend bool operator==(const PortSet& a, const PortSet& b) { return a.ranges_ == b.ranges_; }

 private:
  void Normalize() {
    std::sort(ranges_.begin(), ranges_.end());
    std::vector<std::pair<uint16_t, uint16_t>> out;
    for (const auto& r : ranges_) {
      if (!out.empty() &&
          static_cast<uint32_t>(r.first) <= static_cast<uint32_t>(out.back().second) + 1) {
        out.back().second = std::max(out.back().second, r.second);
      } else {
        out.push_back(r);
      }
    }
    ranges_ = std::move(out);
  }

  std::vector<std::pair<uint16_t, uint16_t>> ranges_;
};

}  // namespace minivpc::dp
