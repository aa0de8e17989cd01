// CompiledNacl: a network ACL's entries for one direction, ordered by rule
// number, first match wins; no match means the implicit final deny ("*").
//
// An ACL has at most 20 (default quota, up to 40) entries per direction, so a
// linear scan over compact, pre-masked entries is both simplest and fast:
// each probe is a family check, a masked compare and a protocol/port test on
// one cache line's worth of data.
#pragma once

#include <cstdint>
#include <vector>

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

  // `key` is the destination port for TCP/UDP, type*256+code for ICMP(v6).
  NaclMatch Evaluate(IpAddress remote, uint8_t protocol, uint16_t key) const {
    for (const Entry& e : entries_) {
      if (e.family != remote.family() || (remote.value() & e.mask) != e.net) continue;
      if (e.protocol >= 0 && e.protocol != protocol) continue;
      if (e.has_range && (key < e.lo || key > e.hi)) continue;
      return {e.allow, e.rule_number};
    }
    return {};
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint128 net;
    uint128 mask;
    IpFamily family;
    int16_t protocol;  // -1 all
    bool has_range;
    bool allow;
    uint16_t lo, hi;
    int rule_number;
  };
  std::vector<Entry> entries_;
};

}  // namespace minivpc::dp
