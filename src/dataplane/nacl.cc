#include "dataplane/nacl.h"

#include <algorithm>

#include "dataplane/sg_classifier.h"

namespace minivpc::dp {

CompiledNacl CompiledNacl::Compile(const NetworkAcl& acl, bool egress) {
  std::vector<const NetworkAclEntry*> sorted;
  for (const auto& e : acl.entries) {
    if (e.egress == egress && e.cidr) sorted.push_back(&e);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->rule_number < b->rule_number; });
  CompiledNacl out;
  for (const auto* e : sorted) {
    int proto = ProtocolNumber(e->protocol);
    if (proto == -2) continue;  // unparseable protocol text matches nothing
    Entry c{*e->cidr, proto, false, 0, 0xFFFF, {e->allow, e->rule_number}};
    if (proto == 6 || proto == 17) {
      c.has_range = e->port_from.has_value();
      c.lo = static_cast<uint16_t>(e->port_from.value_or(0));
      c.hi = static_cast<uint16_t>(e->port_to.value_or(65535));
    } else if (proto == 1 || proto == 58) {
      int type = e->icmp_type.value_or(-1);
      int code = e->icmp_code.value_or(-1);
      if (type >= 0) {
        c.has_range = true;
        c.lo = static_cast<uint16_t>(type << 8 | (code >= 0 ? code : 0));
        c.hi = static_cast<uint16_t>(type << 8 | (code >= 0 ? code : 0xFF));
      }
    }
    out.entries_.push_back(c);
  }

  auto build_list = [&](std::vector<uint16_t> entries) {
    RuleList list;
    list.entries = std::move(entries);
    for (int slot = 0; slot < 4; ++slot) {
      uint8_t proto = kKeyedProtocols[slot];
      std::vector<uint32_t> cuts{0};
      for (uint16_t i : list.entries) {
        const Entry& e = out.entries_[i];
        if (e.protocol >= 0 && e.protocol != proto) continue;
        cuts.push_back(e.has_range ? e.lo : 0);
        cuts.push_back(e.has_range ? uint32_t{e.hi} + 1 : 0x10000);
      }
      std::sort(cuts.begin(), cuts.end());
      cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
      KeyTable& t = list.keyed[slot];
      t.offset = static_cast<uint32_t>(out.keys_.size());
      for (uint32_t cut : cuts) {
        if (cut > 0xFFFF) break;
        NaclMatch m;
        for (uint16_t i : list.entries) {
          if (out.entries_[i].Covers(proto, static_cast<uint16_t>(cut))) {
            m = out.entries_[i].match;
            break;
          }
        }
        if (t.count > 0 && out.matches_.back().allow == m.allow &&
            out.matches_.back().rule_number == m.rule_number) {
          continue;
        }
        out.keys_.push_back(static_cast<uint16_t>(cut));
        out.matches_.push_back(m);
        ++t.count;
      }
      while (out.keys_.size() % 8 != 0) {
        out.keys_.push_back(0xFFFF);
        out.matches_.push_back({});
      }
    }
    out.lists_.push_back(std::move(list));
    return static_cast<uint32_t>(out.lists_.size() - 1);
  };

  for (IpFamily f : {IpFamily::kV4, IpFamily::kV6}) {
    std::vector<PrefixMap<uint32_t>::Entry> blocks;
    for (size_t i = 0; i < out.entries_.size(); ++i) {
      if (out.entries_[i].cidr.family() == f) {
        blocks.push_back({out.entries_[i].cidr, static_cast<uint32_t>(i)});
      }
    }
    std::vector<std::pair<std::vector<uint16_t>, uint32_t>> interned;
    auto map = PrefixMap<uint32_t>::Build(
        f, std::move(blocks),
        [&](const std::vector<const PrefixMap<uint32_t>::Entry*>& cover)
            -> std::optional<uint32_t> {
          if (cover.empty()) return std::nullopt;
          std::vector<uint16_t> ids;
          for (const auto* c : cover) ids.push_back(static_cast<uint16_t>(c->value));
          std::sort(ids.begin(), ids.end());  // entries_ is in rule order
          for (const auto& [list, index] : interned) {
            if (list == ids) return index;
          }
          uint32_t index = build_list(ids);
          interned.push_back({std::move(ids), index});
          return index;
        });
    (f == IpFamily::kV4 ? out.v4_ : out.v6_) = std::move(map);
  }
  return out;
}

NaclMatch CompiledNacl::Walk(const RuleList& l, uint8_t protocol, uint16_t key) const {
  for (uint16_t i : l.entries) {
    if (entries_[i].Covers(protocol, key)) return entries_[i].match;
  }
  return {};
}

size_t CompiledNacl::MemoryBytes() const {
  size_t n =
      sizeof(*this) + entries_.capacity() * sizeof(Entry) + v4_.MemoryBytes() + v6_.MemoryBytes();
  for (const auto& l : lists_) n += sizeof(l) + l.entries.capacity() * 2;
  n += keys_.capacity() * sizeof(uint16_t) + matches_.capacity() * sizeof(NaclMatch);
  return n;
}

}  // namespace minivpc::dp
