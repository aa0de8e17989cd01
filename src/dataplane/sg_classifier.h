// SgClassifier: the compiled rules of one set of security groups (the groups
// on an ENI), answering "is this packet allowed?" per direction.
//
// Security groups are allow-only and order-free: a packet passes if ANY rule
// of ANY group in the set matches. That lets compilation merge all rules per
// (direction, family, protocol) into one PrefixMap from the remote address to
// the union of allowed ports (or ICMP type/code pairs) of every rule whose
// CIDR covers it. A lookup is one binary search plus a short range scan, no
// matter how many rules (AWS allows up to 1,000 per ENI). Rules that
// reference a security group are expanded into /32s (/128s) of the private IPv4
// addresses of the ENIs in that group at compile time.
//
// "-1" (all protocols) rules are folded into every protocol's map. Rules for
// other protocol numbers (GRE, ...) get their own small maps.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dataplane/port_set.h"
#include "dataplane/prefix_map.h"
#include "vpc/resources.h"

namespace minivpc::dp {

enum class Direction : uint8_t { kIngress = 0, kEgress = 1 };

// A rule after group references are resolved: what the classifier compiles.
struct FlatRule {
  bool egress = false;
  int protocol = -1;  // IP protocol number, -1 for all
  PortSet ports;      // TCP/UDP ports or ICMP type*256+code; All() if n/a
  Cidr remote;
  std::string group_id;  // for explanations: where the rule came from
  std::string rule_id;
  std::string referenced_group_id;
};

// Expands `groups`' rules into FlatRules. `group_addresses(id)` returns the
// private IPv4 and IPv6 addresses of the ENIs that carry security group `id`.
template <typename AddrFn>
std::vector<FlatRule> FlattenRules(const std::vector<const SecurityGroup*>& groups,
                                   AddrFn&& group_addresses);

// Protocol name/number text as stored on a rule -> number (-1 for all).
int ProtocolNumber(const std::string& text);
// The port set a stored rule allows for `protocol`.
PortSet RulePorts(const SecurityGroupRule& rule, int protocol);

class SgClassifier {
 public:
  // Keeps `rules` for explanations (FirstMatch).
  static SgClassifier Compile(std::vector<FlatRule> rules);

  // Whether a packet with `remote` address (the source for ingress, the
  // destination for egress), IP `protocol` and `key` (destination port, or
  // ICMP type*256+code; ignored for other protocols) is allowed.
  bool Allows(Direction dir, IpAddress remote, uint8_t protocol, uint16_t key) const;

  // AWS does not track a TCP/UDP flow when both directions allow all
  // traffic of that protocol to/from 0.0.0.0/0 (or ::/0) on all ports.
  bool Untracked(IpFamily family, uint8_t protocol) const;

  // The first rule (in group and rule order) that allows the packet, or
  // nullptr: a linear scan, for explanations only. Agrees with Allows().
  const FlatRule* FirstMatch(Direction dir, IpAddress remote, uint8_t protocol, uint16_t key) const;

  size_t MemoryBytes() const;

 private:
  std::vector<FlatRule> rules_;
  struct FamilyMaps {
    // Indexed by kTcp.. (see .cc); values are offsets into ports_.
    std::array<PrefixMap<uint32_t>, 4> known;
    std::map<uint8_t, PrefixMap<uint32_t>> other;  // protocol -> map
    PrefixMap<uint32_t> any;                       // "-1" rules only
  };
  const FamilyMaps& Maps(Direction d, IpFamily f) const {
    return maps_[static_cast<int>(d)][f == IpFamily::kV4 ? 0 : 1];
  }
  std::array<std::array<FamilyMaps, 2>, 2> maps_;  // [direction][family]
  // Every distinct port set, flattened: at an offset, the number of ranges
  // n, then n words of lo | hi << 16. A lookup's set is then one cache line
  // away from its map value, not two (a PortSet's ranges live on the heap).
  std::vector<uint32_t> ports_;
  std::array<std::array<bool, 2>, 2> untracked_{};  // [family][tcp=0/udp=1]
};

template <typename AddrFn>
std::vector<FlatRule> FlattenRules(const std::vector<const SecurityGroup*>& groups,
                                   AddrFn&& group_addresses) {
  std::vector<FlatRule> out;
  for (const SecurityGroup* g : groups) {
    for (const auto& r : g->rules) {
      FlatRule f;
      f.egress = r.is_egress;
      f.protocol = ProtocolNumber(r.ip_protocol);
      f.ports = RulePorts(r, f.protocol);
      f.group_id = g->id;
      f.rule_id = r.id;
      f.referenced_group_id = r.referenced_group_id;
      if (r.cidr) {
        f.remote = *r.cidr;
        out.push_back(f);
        continue;
      }
      if (r.referenced_group_id.empty()) continue;
      for (IpAddress a : group_addresses(r.referenced_group_id)) {
        f.remote = Cidr::Of(a, a.bits());
        out.push_back(f);
      }
    }
  }
  return out;
}

}  // namespace minivpc::dp
