// The protocols whose rules carry a 16-bit key (TCP, UDP: the destination
// port; ICMP, ICMPv6: type*256 + code) have slots 0-3 in compiled tables
// (security groups, network ACLs); every other protocol has none (-1).
//
// A table, not a switch: successive packets' protocols are mixed, and the
// switch's branches were among a new flow's most mispredicted (valgrind
// --branch-sim).
#pragma once

#include <cstdint>

namespace minivpc::dp {
namespace internal {
struct KeyedSlots {
  int8_t of[256];
  constexpr KeyedSlots() : of{} {
    for (int p = 0; p < 256; ++p) of[p] = -1;
    of[6] = 0;   // TCP
    of[17] = 1;  // UDP
    of[1] = 2;   // ICMP
    of[58] = 3;  // ICMPv6
  }
};
inline constexpr KeyedSlots kKeyedSlots{};
}  // namespace internal

// The slot of protocol number `p`, or -1.
inline int KeyedSlot(uint8_t p) { return internal::kKeyedSlots.of[p]; }
// The same for a rule's protocol, which may be -1 (all) or invalid (-2).
inline int KeyedSlot(int p) { return p >= 0 && p < 256 ? KeyedSlot(static_cast<uint8_t>(p)) : -1; }
// The protocol of each slot.
inline constexpr uint8_t kKeyedProtocols[4] = {6, 17, 1, 58};

}  // namespace minivpc::dp
