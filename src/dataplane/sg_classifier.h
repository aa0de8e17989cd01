// SgClassifier: the compiled rules of one set of security groups (the groups
// on an ENI), answering "is this packet allowed?" per direction.
//
// Security groups are allow-only and order-free: a packet passes if ANY rule
// of ANY group in the set matches. That lets compilation merge all rules
// with a CIDR per (direction, family, protocol) into one PrefixMap from the
// remote address to the union of allowed ports (or ICMP type/code pairs) of
// every rule whose CIDR covers it. A lookup is one descent of a small tree
// plus a short range scan, no matter how many rules (AWS allows up to 1,000
// per ENI).
//
// A rule that names a security group admits the private addresses of the
// ENIs in that group. Those rules are not expanded into addresses: per
// (direction, protocol) the classifier keeps, for each group named, the
// union of the ports its rules allow, and a lookup asks it about the groups
// of the ENI owning the remote address (GroupSet; the pipeline finds that
// ENI in the snapshot's address map). A group of a thousand members then
// costs one entry, not a thousand /32s: the compiled state stays small
// enough to stay in cache.
//
// "-1" (all protocols) rules are folded into every protocol's map. Rules for
// other protocol numbers (GRE, ...) get their own small maps.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dataplane/keyed_protocol.h"
#include "dataplane/port_set.h"
#include "dataplane/prefix_map.h"
#include "vpc/resources.h"

namespace minivpc::dp {

enum class Direction : uint8_t { kIngress = 0, kEgress = 1 };

// A rule as the classifier compiles it: a CIDR, or a group it names.
struct FlatRule {
  bool egress = false;
  int protocol = -1;     // IP protocol number, -1 for all
  PortSet ports;         // TCP/UDP ports or ICMP type*256+code; All() if n/a
  Cidr remote;           // when group < 0
  int32_t group = -1;    // a rule naming a security group: its index (see FlattenRules)
  std::string group_id;  // for explanations: where the rule came from
  std::string rule_id;
  std::string referenced_group_id;
};

// The security groups of one ENI, as a rule naming a group asks about them:
// their indexes (see FlattenRules), ascending, and a summary with bit
// (index % 64) set for each, which rules out most tables at once.
struct GroupSet {
  const uint32_t* ids = nullptr;
  uint32_t size = 0;
  uint64_t mask = 0;
  bool Contains(uint32_t g) const { return std::binary_search(ids, ids + size, g); }
};

// `groups`' rules as FlatRules. `group_index(id)` numbers security group ids
// (the same numbering as the GroupSets the classifier is asked about).
template <typename IndexFn>
std::vector<FlatRule> FlattenRules(const std::vector<const SecurityGroup*>& groups,
                                   IndexFn&& group_index);

// Protocol name/number text as stored on a rule -> number (-1 for all).
int ProtocolNumber(const std::string& text);
// The port set a stored rule allows for `protocol`.
PortSet RulePorts(const SecurityGroupRule& rule, int protocol);

class SgClassifier {
 public:
  // Keeps `rules` for explanations (FirstMatch). `own` lists the indexes of
  // the groups this classifier is for (see groups()).
  static SgClassifier Compile(std::vector<FlatRule> rules, std::vector<uint32_t> own = {});

  // Whether a packet with `remote` address (the source for ingress, the
  // destination for egress), IP `protocol` and `key` (destination port, or
  // ICMP type*256+code; ignored for other protocols) is allowed.
  // `owner_groups()` returns the GroupSet of the ENI owning `remote` (empty
  // when none does); it is called only when a rule naming a group could
  // decide. With `groups_first` (for a caller that has the owner at hand)
  // the rules naming groups are asked first: theirs is a short table, the
  // CIDRs' a search of several levels.
  template <typename OwnerGroups>
  bool Allows(Direction dir, const IpAddress& remote, uint8_t protocol, uint16_t key,
              OwnerGroups&& owner_groups, bool groups_first = false) const {
    const RefTable* t = Refs(dir, protocol);
    auto by_groups = [&] { return t && AllowsGroups(*t, protocol, key, owner_groups()); };
    if (groups_first) return by_groups() || AllowsAddress(dir, remote, protocol, key);
    return AllowsAddress(dir, remote, protocol, key) || by_groups();
  }
  // The rules with a CIDR only.
  bool AllowsAddress(Direction dir, const IpAddress& remote, uint8_t protocol, uint16_t key) const;

  // The groups this classifier is for, as rules naming them ask.
  GroupSet groups() const { return {own_.data(), static_cast<uint32_t>(own_.size()), own_mask_}; }

  // AWS does not track a TCP/UDP flow when both directions allow all
  // traffic of that protocol to/from 0.0.0.0/0 (or ::/0) on all ports.
  bool Untracked(IpFamily family, uint8_t protocol) const {
    // TCP and UDP only (slots 0 and 1): ICMP and others are always tracked.
    // Bitwise: the protocol mix is no pattern a branch predictor learns.
    const int slot = KeyedSlot(protocol);
    return (static_cast<unsigned>(slot) < 2) &
           untracked_[family == IpFamily::kV4 ? 0 : 1][slot & 1];
  }

  // The first rule (in group and rule order) that allows the packet, or
  // nullptr: a linear scan, for explanations only. Agrees with Allows().
  const FlatRule* FirstMatch(Direction dir, const IpAddress& remote, uint8_t protocol, uint16_t key,
                             const GroupSet& owner_groups) const;

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
  // The rules naming groups, for one direction and protocol: the groups
  // named (ascending), each with its ports (an offset into ports_).
  struct RefTable {
    std::vector<uint32_t> groups;
    std::vector<uint32_t> ports;
    uint64_t mask = 0;  // bit (group % 64) per group
  };
  struct DirectionRefs {
    std::array<RefTable, 4> known;      // indexed like FamilyMaps::known
    std::map<uint8_t, RefTable> other;  // the protocols FamilyMaps::other has
    RefTable any;                       // "-1" rules only
  };
  // The table for `protocol`, or nullptr when no rule names a group. TCP,
  // UDP and ICMP(v6) inline; other protocols out of line (RefsOther).
  const RefTable* Refs(Direction dir, uint8_t protocol) const {
    const int slot = KeyedSlot(protocol);
    if (slot < 0) return RefsOther(dir, protocol);
    const RefTable& t = refs_[static_cast<int>(dir)].known[slot];
    return t.groups.empty() ? nullptr : &t;
  }
  const RefTable* RefsOther(Direction dir, uint8_t protocol) const;
  bool AllowsGroups(const RefTable& t, uint8_t protocol, uint16_t key, const GroupSet& g) const;
  // Whether the port set at ports_[offset] holds `key`.
  bool PortsHold(uint32_t offset, uint16_t key) const {
    const uint32_t* p = ports_.data() + offset;
    for (uint32_t i = 1; i <= p[0]; ++i) {
      if (key < (p[i] & 0xFFFF)) return false;  // ranges are sorted and disjoint
      if (key <= (p[i] >> 16)) return true;
    }
    return false;
  }
  std::array<DirectionRefs, 2> refs_;  // [direction]
  std::vector<uint32_t> own_;
  uint64_t own_mask_ = 0;
  // Every distinct port set, flattened: at an offset, the number of ranges
  // n, then n words of lo | hi << 16. A lookup's set is then one cache line
  // away from its map value, not two (a PortSet's ranges live on the heap).
  std::vector<uint32_t> ports_;
  std::array<std::array<bool, 2>, 2> untracked_{};  // [family][tcp=0/udp=1]
};

template <typename IndexFn>
std::vector<FlatRule> FlattenRules(const std::vector<const SecurityGroup*>& groups,
                                   IndexFn&& group_index) {
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
      } else if (!r.referenced_group_id.empty()) {
        f.group = static_cast<int32_t>(group_index(r.referenced_group_id));
      } else {
        continue;
      }
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace minivpc::dp
