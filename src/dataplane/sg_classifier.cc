#include "dataplane/sg_classifier.h"

#include <cstdlib>
#include <set>

#include "dataplane/keyed_protocol.h"

namespace minivpc::dp {
namespace {

constexpr uint8_t kIcmp = 1, kTcp = 6, kUdp = 17, kIcmpV6 = 58;

uint32_t Intern(std::vector<PortSet>& table, PortSet s) {
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i] == s) return static_cast<uint32_t>(i);
  }
  table.push_back(std::move(s));
  return static_cast<uint32_t>(table.size() - 1);
}

// Builds one map from the rules selected by `want`, each contributing its
// ports (or All() for "-1" rules when `any_is_all`).
template <typename Want>
PrefixMap<uint32_t> BuildMap(IpFamily family, const std::vector<FlatRule>& rules, Want&& want,
                             std::vector<PortSet>& port_sets) {
  std::vector<PrefixMap<uint32_t>::Entry> entries;
  std::vector<PortSet> sets;
  for (const auto& r : rules) {
    if (r.group >= 0 || r.remote.family() != family || !want(r)) continue;
    sets.push_back(r.protocol == -1 ? PortSet::All() : r.ports);
    entries.push_back({r.remote, static_cast<uint32_t>(sets.size() - 1)});
  }
  return PrefixMap<uint32_t>::Build(
      family, std::move(entries),
      [&](const std::vector<const PrefixMap<uint32_t>::Entry*>& cover) -> std::optional<uint32_t> {
        if (cover.empty()) return std::nullopt;
        PortSet u;
        for (const auto* e : cover) u = u.Union(sets[e->value]);
        return Intern(port_sets, std::move(u));
      });
}

bool AllowsAllFromEverywhere(const std::vector<FlatRule>& rules, bool egress, IpFamily family,
                             int protocol) {
  for (const auto& r : rules) {
    if (r.group >= 0 || r.egress != egress || r.remote.family() != family ||
        r.remote.prefix() != 0) {
      continue;
    }
    if (r.protocol == -1 || (r.protocol == protocol && r.ports.IsAll())) return true;
  }
  return false;
}

// The rules selected by `want` that name a group, as one table: per group
// named, the union of the rules' ports (All() for "-1" rules).
template <typename Want>
void BuildRefs(const std::vector<FlatRule>& rules, Want&& want, std::vector<PortSet>& port_sets,
               std::vector<uint32_t>* groups, std::vector<uint32_t>* ports, uint64_t* mask) {
  std::map<uint32_t, PortSet> by_group;
  for (const auto& r : rules) {
    if (r.group < 0 || !want(r)) continue;
    PortSet& u = by_group[static_cast<uint32_t>(r.group)];
    u = u.Union(r.protocol == -1 ? PortSet::All() : r.ports);
  }
  for (auto& [g, set] : by_group) {
    groups->push_back(g);
    ports->push_back(Intern(port_sets, std::move(set)));
    *mask |= uint64_t{1} << (g % 64);
  }
}

}  // namespace

int ProtocolNumber(const std::string& text) {
  if (text == "-1" || text == "all") return -1;
  if (text == "tcp") return kTcp;
  if (text == "udp") return kUdp;
  if (text == "icmp") return kIcmp;
  if (text == "icmpv6") return kIcmpV6;
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || v < -1 || v > 255) return -2;  // matches nothing
  return static_cast<int>(v);
}

PortSet RulePorts(const SecurityGroupRule& rule, int protocol) {
  if (protocol == kTcp || protocol == kUdp) {
    if (rule.from_port < 0 || rule.to_port < 0) return PortSet::All();
    return PortSet({{static_cast<uint16_t>(rule.from_port), static_cast<uint16_t>(rule.to_port)}});
  }
  if (protocol == kIcmp || protocol == kIcmpV6) {
    if (rule.from_port < 0) return PortSet::All();  // all types
    uint16_t type = static_cast<uint16_t>(rule.from_port & 0xFF);
    if (rule.to_port < 0)
      return PortSet({{static_cast<uint16_t>(type << 8), static_cast<uint16_t>(type << 8 | 0xFF)}});
    uint16_t key = static_cast<uint16_t>(type << 8 | (rule.to_port & 0xFF));
    return PortSet({{key, key}});
  }
  return PortSet::All();
}

SgClassifier SgClassifier::Compile(std::vector<FlatRule> rules_in, std::vector<uint32_t> own) {
  SgClassifier c;
  std::vector<PortSet> port_sets;
  c.rules_ = std::move(rules_in);
  const std::vector<FlatRule>& rules = c.rules_;
  std::sort(own.begin(), own.end());
  own.erase(std::unique(own.begin(), own.end()), own.end());
  c.own_ = std::move(own);
  for (uint32_t g : c.own_) c.own_mask_ |= uint64_t{1} << (g % 64);
  for (Direction d : {Direction::kIngress, Direction::kEgress}) {
    const bool egress = d == Direction::kEgress;
    const int di = static_cast<int>(d);
    auto maps = [&](IpFamily f) -> FamilyMaps& { return c.maps_[di][f == IpFamily::kV4 ? 0 : 1]; };
    // One protocol's tables from this direction's rules that `want` selects:
    // the rules naming groups into `refs`, those with CIDRs into the map
    // `map_of(family)` returns.
    auto build = [&](auto&& want, RefTable& refs, auto&& map_of) {
      auto selected = [&](const FlatRule& r) { return r.egress == egress && want(r); };
      BuildRefs(rules, selected, port_sets, &refs.groups, &refs.ports, &refs.mask);
      for (IpFamily f : {IpFamily::kV4, IpFamily::kV6}) {
        map_of(f) = BuildMap(f, rules, selected, port_sets);
      }
    };
    for (int slot = 0; slot < 4; ++slot) {
      const int proto = kKeyedProtocols[slot];
      build([&](const FlatRule& r) { return r.protocol == proto || r.protocol == -1; },
            c.refs_[di].known[slot],
            [&](IpFamily f) -> PrefixMap<uint32_t>& { return maps(f).known[slot]; });
    }
    std::set<uint8_t> others;
    for (const auto& r : rules) {
      if (r.egress == egress && r.protocol >= 0 && KeyedSlot(r.protocol) < 0) {
        others.insert(static_cast<uint8_t>(r.protocol));
      }
    }
    for (uint8_t proto : others) {
      const int p = proto;
      build([&](const FlatRule& r) { return r.protocol == p || r.protocol == -1; },
            c.refs_[di].other[proto],
            [&](IpFamily f) -> PrefixMap<uint32_t>& { return maps(f).other[proto]; });
    }
    build([](const FlatRule& r) { return r.protocol == -1; }, c.refs_[di].any,
          [&](IpFamily f) -> PrefixMap<uint32_t>& { return maps(f).any; });
  }
  std::vector<uint32_t> offset;
  for (const PortSet& set : port_sets) {
    offset.push_back(static_cast<uint32_t>(c.ports_.size()));
    c.ports_.push_back(static_cast<uint32_t>(set.ranges().size()));
    for (const auto& [lo, hi] : set.ranges()) c.ports_.push_back(lo | uint32_t{hi} << 16);
  }
  auto renumber = [&](uint32_t& v) { v = offset[v]; };
  for (auto& dir : c.refs_) {
    for (auto& t : dir.known) std::for_each(t.ports.begin(), t.ports.end(), renumber);
    for (auto& [proto, t] : dir.other) std::for_each(t.ports.begin(), t.ports.end(), renumber);
    std::for_each(dir.any.ports.begin(), dir.any.ports.end(), renumber);
  }
  for (auto& dir : c.maps_) {
    for (auto& fam : dir) {
      for (auto& m : fam.known) m.MapValues(renumber);
      for (auto& [proto, m] : fam.other) m.MapValues(renumber);
      fam.any.MapValues(renumber);
    }
  }
  for (IpFamily f : {IpFamily::kV4, IpFamily::kV6}) {
    for (int i = 0; i < 2; ++i) {
      int proto = i == 0 ? kTcp : kUdp;
      c.untracked_[f == IpFamily::kV4 ? 0 : 1][i] =
          AllowsAllFromEverywhere(rules, false, f, proto) &&
          AllowsAllFromEverywhere(rules, true, f, proto);
    }
  }
  return c;
}

bool SgClassifier::AllowsAddress(Direction dir, const IpAddress& remote, uint8_t protocol,
                                 uint16_t key) const {
  const FamilyMaps& m = Maps(dir, remote.family());
  int slot = KeyedSlot(protocol);
  const PrefixMap<uint32_t>* map;
  if (slot >= 0) {
    map = &m.known[slot];
  } else {
    auto it = m.other.find(protocol);
    map = it == m.other.end() ? &m.any : &it->second;
    key = 0;
  }
  const uint32_t* set = map->Find(remote);
  return set && PortsHold(*set, key);
}

const SgClassifier::RefTable* SgClassifier::RefsOther(Direction dir, uint8_t protocol) const {
  const DirectionRefs& r = refs_[static_cast<int>(dir)];
  auto it = r.other.find(protocol);
  const RefTable* t = it == r.other.end() ? &r.any : &it->second;
  return t->groups.empty() ? nullptr : t;
}

bool SgClassifier::AllowsGroups(const RefTable& t, uint8_t protocol, uint16_t key,
                                const GroupSet& g) const {
  if (!(t.mask & g.mask)) return false;
  if (KeyedSlot(protocol) < 0) key = 0;
  for (uint32_t i = 0; i < g.size; ++i) {
    const uint32_t id = g.ids[i];
    if (!((t.mask >> (id % 64)) & 1)) continue;
    auto it = std::lower_bound(t.groups.begin(), t.groups.end(), id);
    if (it != t.groups.end() && *it == id && PortsHold(t.ports[it - t.groups.begin()], key)) {
      return true;
    }
  }
  return false;
}

const FlatRule* SgClassifier::FirstMatch(Direction dir, const IpAddress& remote, uint8_t protocol,
                                         uint16_t key, const GroupSet& owner_groups) const {
  bool egress = dir == Direction::kEgress;
  bool keyed = KeyedSlot(protocol) >= 0;
  for (const auto& r : rules_) {
    if (r.egress != egress) continue;
    if (r.group >= 0 ? !owner_groups.Contains(static_cast<uint32_t>(r.group))
                     : !r.remote.Contains(remote)) {
      continue;
    }
    if (r.protocol == -1) return &r;
    if (r.protocol != protocol) continue;
    if (!keyed || r.ports.Contains(key)) return &r;
  }
  return nullptr;
}

size_t SgClassifier::MemoryBytes() const {
  size_t n = sizeof(*this);
  for (const auto& dir : maps_) {
    for (const auto& fam : dir) {
      for (const auto& m : fam.known) n += m.MemoryBytes();
      for (const auto& [p, m] : fam.other) n += m.MemoryBytes() + 32;
      n += fam.any.MemoryBytes();
    }
  }
  for (const auto& dir : refs_) {
    auto table = [&](const RefTable& t) {
      n += (t.groups.capacity() + t.ports.capacity()) * sizeof(uint32_t);
    };
    for (const auto& t : dir.known) table(t);
    for (const auto& [p, t] : dir.other) {
      table(t);
      n += 32;
    }
    table(dir.any);
  }
  n += own_.capacity() * sizeof(uint32_t);
  n += ports_.capacity() * sizeof(uint32_t);
  n += rules_.capacity() * sizeof(FlatRule);
  for (const auto& r : rules_) {  // heap text kept for explanations
    n += r.group_id.capacity() + r.rule_id.capacity() + r.referenced_group_id.capacity();
  }
  return n;
}

}  // namespace minivpc::dp
