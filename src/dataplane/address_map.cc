#include "dataplane/address_map.h"

namespace minivpc::dp {

void AddressMap::Insert(int32_t vpc, IpAddress a, int32_t value) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  for (size_t i = Hash(vpc, a) & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.value >= 0 && !s.Holds(vpc, a)) continue;
    if (s.value < 0) ++size_;
    s = Slot{a.value(), vpc, value, a.family()};
    return;
  }
}

void AddressMap::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  size_ = 0;
  for (const Slot& s : old) {
    if (s.value < 0) continue;
    IpAddress a = s.family == IpFamily::kV4 ? IpAddress::V4(static_cast<uint32_t>(s.addr))
                                            : IpAddress::V6(s.addr);
    Insert(s.vpc, a, s.value);
  }
}

}  // namespace minivpc::dp
