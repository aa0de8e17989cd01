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

#include <array>
#include <cstdint>
#include <vector>

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
  NaclMatch Evaluate(const IpAddress& remote, uint8_t protocol, uint16_t key) const;
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
  static uint32_t CountAtMost(const uint16_t* keys, uint32_t n, uint16_t key);

  std::vector<Entry> entries_;
  std::vector<RuleList> lists_;
  std::vector<uint16_t> keys_;
  std::vector<NaclMatch> matches_;
  PrefixMap<uint32_t> v4_, v6_;  // address interval -> lists_ index
};

}  // namespace minivpc::dp
