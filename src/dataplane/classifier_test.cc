// Randomised checks of the compiled structures against the plain rules:
// the compiled NACL against a first-match scan, the security-group
// classifier against an any-match scan, PrefixMap against a longest-match scan.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "dataplane/nacl.h"
#include "dataplane/prefix_map.h"
#include "dataplane/sg_classifier.h"

namespace minivpc::dp {
namespace {

Cidr RandomCidr(std::mt19937_64& rng) {
  int prefix = static_cast<int>(rng() % 33);
  if (rng() % 3 == 0) prefix = 24 + static_cast<int>(rng() % 9);
  uint32_t base = (0x0A000000u | static_cast<uint32_t>(rng() % 0x10000)) &
                  (prefix == 0 ? 0u : ~uint32_t{0} << (32 - prefix));
  return Cidr::Of(IpAddress::V4(base), prefix);
}

IpAddress RandomAddress(std::mt19937_64& rng) {
  return IpAddress::V4(rng() % 4 == 0 ? static_cast<uint32_t>(rng())
                                      : 0x0A000000u | static_cast<uint32_t>(rng() % 0x10000));
}

const char* kProtos[] = {"-1", "6", "17", "1", "47"};

TEST(CompiledNacl, AgreesWithFirstMatchScan) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200; ++round) {
    NetworkAcl acl;
    int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      NetworkAclEntry e;
      e.rule_number = 1 + static_cast<int>(rng() % 200);
      e.egress = rng() % 2;
      e.protocol = kProtos[rng() % 5];
      e.allow = rng() % 2;
      e.cidr = RandomCidr(rng);
      if (e.protocol == "6" || e.protocol == "17") {
        int lo = static_cast<int>(rng() % 70000) % 65536;
        e.port_from = lo;
        e.port_to = std::min(65535, lo + static_cast<int>(rng() % 3000));
      } else if (e.protocol == "1" && rng() % 2) {
        e.icmp_type = static_cast<int>(rng() % 20);
        e.icmp_code = rng() % 2 ? -1 : static_cast<int>(rng() % 4);
      }
      bool dup = false;
      for (const auto& o : acl.entries)
        dup |= o.rule_number == e.rule_number && o.egress == e.egress;
      if (!dup) acl.entries.push_back(e);
    }
    for (bool egress : {false, true}) {
      CompiledNacl c = CompiledNacl::Compile(acl, egress);
      std::vector<NetworkAclEntry> sorted;
      for (const auto& e : acl.entries) {
        if (e.egress == egress) sorted.push_back(e);
      }
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.rule_number < b.rule_number; });
      for (int k = 0; k < 300; ++k) {
        IpAddress a = RandomAddress(rng);
        uint8_t proto = static_cast<uint8_t>(std::stoi(kProtos[1 + rng() % 4]));
        uint16_t key = static_cast<uint16_t>(rng() % 65536);
        // The edges too: the ends of the key space, and of some entry's range.
        const NetworkAclEntry& some = acl.entries[rng() % acl.entries.size()];
        switch (rng() % 8) {
          case 0:
            key = 0;
            break;
          case 1:
            key = 65535;
            break;
          case 2:
            key = static_cast<uint16_t>(some.port_from.value_or(key));
            break;
          case 3:
            key = static_cast<uint16_t>(some.port_to.value_or(key));
            break;
          case 4:
            key = static_cast<uint16_t>(some.port_to.value_or(key) + 1);
            break;
        }
        if (proto == 1) key = static_cast<uint16_t>((rng() % 20) << 8 | (rng() % 4));
        NaclMatch want;
        for (const auto& e : sorted) {
          int p = ProtocolNumber(e.protocol);
          if (!e.cidr->Contains(a) || (p >= 0 && p != proto)) continue;
          if ((p == 6 || p == 17) && e.port_from && (key < *e.port_from || key > *e.port_to))
            continue;
          if (p == 1 && e.icmp_type && *e.icmp_type >= 0) {
            if ((key >> 8) != *e.icmp_type) continue;
            if (*e.icmp_code >= 0 && (key & 0xFF) != *e.icmp_code) continue;
          }
          want = {e.allow, e.rule_number};
          break;
        }
        NaclMatch got = c.Evaluate(a, proto, key);
        ASSERT_EQ(got.allow, want.allow) << "round " << round << " " << a.ToString();
        ASSERT_EQ(got.rule_number, want.rule_number) << "round " << round << " " << a.ToString();
      }
    }
  }
}

// Rules with CIDRs and rules naming groups (0..kGroups-1), against a scan:
// a rule naming a group matches when the remote address's owner is in it.
TEST(SgClassifier, AgreesWithAnyMatchScan) {
  constexpr uint32_t kGroups = 80;  // more than 64: the GroupSet summaries collide
  std::mt19937_64 rng(5);
  int by_group = 0;  // packets only a rule naming a group admitted
  for (int round = 0; round < 100; ++round) {
    std::vector<FlatRule> rules;
    int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      FlatRule r;
      r.egress = rng() % 2;
      r.protocol = std::stoi(kProtos[rng() % 5]);
      if (rng() % 3 == 0) {
        r.group = static_cast<int32_t>(rng() % kGroups);
      } else {
        r.remote = RandomCidr(rng);
      }
      if (r.protocol == 6 || r.protocol == 17) {
        uint16_t lo = static_cast<uint16_t>(rng() % 65536);
        uint16_t hi = static_cast<uint16_t>(std::min<uint32_t>(65535, lo + rng() % 2000));
        r.ports = PortSet({{lo, hi}});
      } else {
        r.ports = PortSet::All();
      }
      rules.push_back(r);
    }
    SgClassifier c = SgClassifier::Compile(rules);
    for (int k = 0; k < 500; ++k) {
      Direction d = rng() % 2 ? Direction::kEgress : Direction::kIngress;
      IpAddress a = RandomAddress(rng);
      uint8_t proto = static_cast<uint8_t>(std::stoi(kProtos[1 + rng() % 4]));
      uint16_t key = proto == 47 ? 0 : static_cast<uint16_t>(rng() % 65536);
      // The remote owner's groups (none a time in four), as a classifier
      // compiled for them hands them out.
      std::vector<uint32_t> owner;
      for (uint32_t g = 0, m = static_cast<uint32_t>(rng() % 4); g < m; ++g) {
        owner.push_back(static_cast<uint32_t>(rng() % kGroups));
      }
      SgClassifier owner_classifier = SgClassifier::Compile({}, owner);
      const GroupSet groups = owner_classifier.groups();
      bool want = false, want_cidr = false;
      for (const auto& r : rules) {
        if (r.egress != (d == Direction::kEgress)) continue;
        const bool member = r.group >= 0 && std::count(owner.begin(), owner.end(), r.group) > 0;
        if (r.group >= 0 ? !member : !r.remote.Contains(a)) continue;
        if (r.protocol == -1 || (r.protocol == proto && r.ports.Contains(key))) {
          want = true;
          want_cidr |= r.group < 0;
        }
      }
      by_group += want && !want_cidr;
      int asked = 0;
      ASSERT_EQ(c.Allows(d, a, proto, key, [&] { return ++asked, groups; }), want)
          << "round " << round;
      ASSERT_EQ(c.AllowsAddress(d, a, proto, key), want_cidr) << "round " << round;
      ASSERT_LE(asked, want_cidr ? 0 : 1);  // the owner is looked up only when needed
      ASSERT_EQ(c.Allows(
                    d, a, proto, key, [&] { return groups; }, /*groups_first=*/true),
                want)
          << "round " << round;
      ASSERT_EQ(c.FirstMatch(d, a, proto, key, groups) != nullptr, want) << "round " << round;
    }
  }
  EXPECT_GT(by_group, 500);
}

TEST(PrefixMap, LongestMatchAgreesWithScan) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 100; ++round) {
    std::vector<PrefixMap<int>::Entry> entries;
    for (int i = 0; i < 1 + static_cast<int>(rng() % 200); ++i) {
      Cidr c = RandomCidr(rng);
      bool dup = false;
      for (const auto& e : entries) dup |= e.block == c;
      if (!dup) entries.push_back({c, i});
    }
    auto map = PrefixMap<int>::Build(
        IpFamily::kV4, entries,
        [](const std::vector<const PrefixMap<int>::Entry*>& cover) -> std::optional<int> {
          if (cover.empty()) return std::nullopt;
          return cover.back()->value;
        });
    for (int k = 0; k < 500; ++k) {
      IpAddress a = RandomAddress(rng);
      const PrefixMap<int>::Entry* best = nullptr;
      for (const auto& e : entries) {
        if (e.block.Contains(a) && (!best || e.block.prefix() > best->block.prefix())) best = &e;
      }
      const int* got = map.Find(a);
      ASSERT_EQ(got != nullptr, best != nullptr);
      if (got) {
        ASSERT_EQ(*got, best->value) << a.ToString();
      }
    }
  }
}

// Thousands of /32s (as group references expand) take the 16-ary index
// three levels deep; every block edge and both ends of the address space
// are probed, including a /32 at 255.255.255.255 (the index pads with that
// value).
TEST(PrefixMap, DeepIndexAgreesWithScanAtEveryEdge) {
  std::mt19937_64 rng(21);
  std::vector<PrefixMap<int>::Entry> entries;
  std::set<uint32_t> used;
  for (int i = 0; i < 5000; ++i) {
    uint32_t a = 0x0A000000u | static_cast<uint32_t>(rng() % 0x100000);
    if (used.insert(a).second) entries.push_back({Cidr::Of(IpAddress::V4(a), 32), i});
  }
  entries.push_back({Cidr::Of(IpAddress::V4(0xFFFFFFFFu), 32), -1});
  entries.push_back({Cidr::Of(IpAddress::V4(0x0A000000u), 12), -2});
  auto map = PrefixMap<int>::Build(
      IpFamily::kV4, entries,
      [](const std::vector<const PrefixMap<int>::Entry*>& cover) -> std::optional<int> {
        if (cover.empty()) return std::nullopt;
        return cover.back()->value;
      });
  ASSERT_GT(map.intervals(), 4096u);
  std::vector<uint32_t> probes = {0, 1, 0xFFFFFFFEu, 0xFFFFFFFFu, 0x09FFFFFFu, 0x0AFFFFFFu};
  for (const auto& e : entries) {
    uint32_t b = e.block.base().v4();
    probes.push_back(b);
    probes.push_back(b - 1);
    probes.push_back(b + 1);
  }
  for (uint32_t x : probes) {
    IpAddress a = IpAddress::V4(x);
    const PrefixMap<int>::Entry* best = nullptr;
    for (const auto& e : entries) {
      if (e.block.Contains(a) && (!best || e.block.prefix() > best->block.prefix())) best = &e;
    }
    const int* got = map.Find(a);
    ASSERT_EQ(got != nullptr, best != nullptr) << a.ToString();
    if (got) {
      ASSERT_EQ(*got, best->value) << a.ToString();
    }
  }
}

}  // namespace
}  // namespace minivpc::dp
