// Internal: big-endian loads and stores on raw packet bytes, for the packet
// parser and builder and for live mode's ARP/NDP code. Callers check bounds
// first; these helpers never do.
#pragma once

#include <cstdint>

#include "net/ip.h"

namespace minivpc::dp::internal {

inline uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

inline uint32_t Load32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

inline uint64_t Load48(const uint8_t* p) { return uint64_t{Load16(p)} << 32 | Load32(p + 2); }

inline uint64_t Load64(const uint8_t* p) { return uint64_t{Load32(p)} << 32 | Load32(p + 4); }

inline uint128 Load128(const uint8_t* p) { return uint128{Load64(p)} << 64 | Load64(p + 8); }

inline void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline void Store32(uint8_t* p, uint32_t v) {
  Store16(p, static_cast<uint16_t>(v >> 16));
  Store16(p + 2, static_cast<uint16_t>(v));
}

inline void Store48(uint8_t* p, uint64_t v) {
  Store16(p, static_cast<uint16_t>(v >> 32));
  Store32(p + 2, static_cast<uint32_t>(v));
}

inline void Store64(uint8_t* p, uint64_t v) {
  Store32(p, static_cast<uint32_t>(v >> 32));
  Store32(p + 4, static_cast<uint32_t>(v));
}

inline void Store128(uint8_t* p, uint128 v) {
  Store64(p, static_cast<uint64_t>(v >> 64));
  Store64(p + 8, static_cast<uint64_t>(v));
}

}  // namespace minivpc::dp::internal
