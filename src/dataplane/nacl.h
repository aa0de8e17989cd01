// CompiledNacl: a network ACL's entries for one direction, compiled so that
// "the lowest-numbered entry matching (address, protocol, port) decides, and
// no match denies (the "*" rule)" costs two binary searches.
//
// The algorithm. The address line is cut into intervals by every entry's
// CIDR (PrefixMap); each interval keeps the list of entries whose CIDR covers
// it, in rule-number order (identical lists are shared). For each list and
// each keyed protocol (TCP, UDP: destination port; ICMP, ICMPv6: type*256 +
// code) the 16-bit key space is cut again into ranges, each holding the
// decision of the first entry covering it. Evaluate: find the address
// interval, then the key range, by counting the range starts at or below
// the key with SSE2 (8 at a time, no branch on the comparisons: a binary
// search mispredicts about once per lookup). Other protocols walk the
// (short) list.
// ACLs hold at most 40 entries per direction, so compiled tables stay small.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dataplane/keyed_protocol.h"
#include "dataplane/prefix_map.h"
#include "net/ip.h"
#include "vpc/resources.h"

namespace minivpc::dp {

struct NaclMatch {
  bool allow = false;
  int rule_number = 32767;  // 32767 = the implicit "*" deny
};

class CompiledNacl {
 public:
  static CompiledNacl Compile(const NetworkAcl& acl, bool egress);

  // `remote` is the destination for egress, the source for ingress; `key`
  // the destination port for TCP/UDP, type*256+code for ICMP(v6).
  // Inline: a new flow between subnets asks two ACLs.
  NaclMatch Evaluate(const IpAddress& remote, uint8_t protocol, uint16_t key) const {
    const uint32_t* list = (remote.is_v4() ? v4_ : v6_).Find(remote);
    if (!list) return {};
    const RuleList& l = lists_[*list];
    const int slot = KeyedSlot(protocol);
    if (slot < 0) return Walk(l, protocol, key);
    const KeyTable& t = l.keyed[slot];
    if (t.count == 0) return {};
    // The padding counts when key is 0xFFFF: clamp. starts[0] == 0, so i >= 1.
    const uint32_t i =
        std::min(CountAtMost(keys_.data() + t.offset, (t.count + 7) & ~7u, key), t.count);
    return matches_[t.offset + i - 1];
  }
  size_t size() const { return entries_.size(); }
  size_t MemoryBytes() const;

 private:
  struct Entry {
    Cidr cidr;
    int protocol;  // -1 all
    bool has_range;
    uint16_t lo, hi;
    NaclMatch match;
    bool Covers(uint8_t proto, uint16_t key) const {
      return (protocol < 0 || protocol == proto) && (!has_range || (key >= lo && key <= hi));
    }
  };
  // A list's key ranges for one protocol: `count` starts (the first is 0)
  // at keys_[offset], ascending, padded with 0xFFFF to a multiple of 8 (one
  // SSE2 compare each), and their decisions at matches_[offset].
  struct KeyTable {
    uint32_t offset = 0;
    uint32_t count = 0;
  };
  struct RuleList {
    std::vector<uint16_t> entries;  // indexes into entries_, rule order
    std::array<KeyTable, 4> keyed;  // tcp, udp, icmp, icmpv6
  };
  // How many of the n (a multiple of 8) keys at `keys` are <= key.
  static uint32_t CountAtMost(const uint16_t* keys, uint32_t n, uint16_t key) {
#if defined(__SSE2__)
    // SSE2 compares signed: flipping the top bit of both sides makes the
    // signed order the unsigned one. Each compare yields -1 per key > key.
    const __m128i bias = _mm_set1_epi16(static_cast<int16_t>(0x8000));
    const __m128i k = _mm_xor_si128(_mm_set1_epi16(static_cast<int16_t>(key)), bias);
    __m128i greater = _mm_setzero_si128();  // per lane
    for (uint32_t j = 0; j < n; j += 8) {
      const __m128i v =
          _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(keys + j)), bias);
      greater = _mm_sub_epi16(greater, _mm_cmpgt_epi16(v, k));
    }
    // The 8 lanes' sum (a popcount would be a library call without -mpopcnt).
    greater = _mm_madd_epi16(greater, _mm_set1_epi16(1));
    greater = _mm_add_epi32(greater, _mm_shuffle_epi32(greater, 0x4E));
    greater = _mm_add_epi32(greater, _mm_shuffle_epi32(greater, 0xB1));
    return n - static_cast<uint32_t>(_mm_cvtsi128_si32(greater));
#else
    uint32_t c = 0;
    for (uint32_t j = 0; j < n; ++j) c += keys[j] <= key;
    return c;
#endif
  }
  // Evaluate for protocols without keyed tables: the list's entries in order.
  NaclMatch Walk(const RuleList& l, uint8_t protocol, uint16_t key) const;

  std::vector<Entry> entries_;
  std::vector<RuleList> lists_;
  std::vector<uint16_t> keys_;
  std::vector<NaclMatch> matches_;
  PrefixMap<uint32_t> v4_, v6_;  // address interval -> lists_ index
};

}  // namespace minivpc::dp
