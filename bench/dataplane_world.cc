#include "dataplane_world.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "bench_rng.h"

namespace minivpc::bench {
namespace {

constexpr uint32_t kVpcBase = 0x0A000000;  // 10.0.0.0/16
constexpr int kSmallGroups = 30;
constexpr int kBigGroups = 20;
constexpr int kBigGroupRules = 248;
constexpr int kAppliances = 20;
constexpr int kAcls = 4;
constexpr char kOwner[] = "123456789012";
constexpr char kAz[] = "us-east-1a";

std::string Id(const char* prefix, uint64_t n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-%017llx", prefix, static_cast<unsigned long long>(n));
  return buf;
}

uint32_t MaskOf(int len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }
Cidr V4Cidr(uint32_t addr, int len) { return Cidr::Of(IpAddress::V4(addr & MaskOf(len)), len); }
const Cidr kVpc = V4Cidr(kVpcBase, 16);
const Cidr kAnywhere = V4Cidr(0, 0);
int Role(int eni) { return eni % kRoles; }
bool IsAppliance(int eni) {
  return eni % kEnisPerSubnet == 99 && eni / kEnisPerSubnet < kAppliances;
}
bool IsBig(int eni) { return !IsAppliance(eni) && (eni / 10) % 5 == 4; }

// A random block inside the VPC (/16../32) or outside it (/8../32).
Cidr RandomCidr(Rng& rng, bool inside) {
  if (inside) return V4Cidr(kVpcBase | (rng.U32() & 0xFFFF), rng.Range(16, 32));
  for (;;) {
    Cidr c = V4Cidr(rng.U32(), rng.Range(8, 32));
    if (!c.Overlaps(kVpc)) return c;
  }
}

void RandomPorts(Rng& rng, int* from, int* to) {
  static constexpr int kCommon[] = {22, 80, 443, 3306, 5432, 6379, 8080, 9090, 11211, 27017};
  int x = rng.Range(0, 99);
  if (x < 35) {
    *from = *to = rng.Chance(50) ? kCommon[rng.Below(std::size(kCommon))] : rng.Range(1, 65535);
  } else if (x < 80) {
    *from = rng.Range(1, 64000);
    *to = std::min(65535, *from + rng.Range(1, 2000));
  } else {
    *from = 0;
    *to = 65535;
  }
}

SecurityGroupRule RandomRule(Rng& rng, bool egress) {
  static constexpr int kIcmpTypes[] = {0, 3, 4, 5, 8, 11, 12, 13, 14};
  SecurityGroupRule r;
  r.is_egress = egress;
  r.cidr = RandomCidr(rng, rng.Chance(50));
  int x = rng.Range(0, 99);
  if (x < 80) {
    r.ip_protocol = x < 55 ? "tcp" : "udp";
    RandomPorts(rng, &r.from_port, &r.to_port);
  } else if (x < 93) {
    r.ip_protocol = "icmp";
    if (!rng.Chance(15)) {
      r.from_port = kIcmpTypes[rng.Below(std::size(kIcmpTypes))];
      r.to_port = rng.Chance(50) ? -1 : rng.Range(0, 15);
    }
  } else {  // all protocols, but only from a narrow block
    r.ip_protocol = "-1";
    if (r.cidr->prefix() < 24) r.cidr = V4Cidr(r.cidr->base().v4(), rng.Range(24, 32));
  }
  return r;
}

SecurityGroupRule Rule(bool egress, const char* proto, int from, int to, Cidr cidr) {
  SecurityGroupRule r;
  r.is_egress = egress;
  r.ip_protocol = proto;
  r.from_port = from;
  r.to_port = to;
  r.cidr = cidr;
  return r;
}

SecurityGroupRule RefRule(int from, int to, const std::string& group) {
  SecurityGroupRule r = Rule(false, "tcp", from, to, kVpc);
  r.cidr.reset();
  r.referenced_group_id = group;
  r.referenced_owner_id = kOwner;
  return r;
}

// Puts rows and drops the undo log now and then (it would hold every row).
class Writer {
 public:
  Writer(RegionState& r, Journal& journal) : r_(r), journal_(journal) {}
  template <typename T>
  void Put(Table<T>& table, T row) {
    table.Put(std::move(row));
    if (++puts_ % 512 == 0) journal_.TakeDirty();
  }
  std::string NewGroupId() { return Id("sg", ++groups_); }
  SecurityGroup Group(std::string id, std::string name, std::vector<SecurityGroupRule> rules) {
    SecurityGroup g;
    g.id = std::move(id);
    g.vpc_id = vpc_id;
    g.owner_id = kOwner;
    g.name = std::move(name);
    g.description = "dataplane_bench";
    for (auto& rule : rules) rule.id = Id("sgr", ++rules_);
    g.rules = std::move(rules);
    return g;
  }
  RegionState& r() { return r_; }
  std::string vpc_id = Id("vpc", 1);
  int groups() const { return groups_; }

 private:
  RegionState& r_;
  Journal& journal_;
  uint64_t puts_ = 0;
  int groups_ = 0;
  uint64_t rules_ = 0;
};

struct GroupIds {
  std::vector<std::string> role, small, big;
  std::string appliance;
  std::map<std::string, int> rule_count;      // per group, as AWS counts
  std::map<std::string, int> expanded_count;  // references as member /32s
};

void MakeGroups(Writer& w, Rng& rng, GroupIds* ids) {
  auto put = [&](SecurityGroup g, std::vector<std::string>* list) {
    int expanded = 0;
    for (const auto& rule : g.rules) expanded += rule.cidr ? 1 : kEnis / kRoles;
    ids->rule_count[g.id] = static_cast<int>(g.rules.size());
    ids->expanded_count[g.id] = expanded;
    if (list) list->push_back(g.id);
    w.Put(w.r().security_groups, std::move(g));
  };
  for (int r = 0; r < kRoles; ++r) ids->role.push_back(w.NewGroupId());  // referenced below
  for (int r = 0; r < kRoles; ++r) {
    std::vector<SecurityGroupRule> rules = {
        RefRule(8000 + r, 8000 + r, ids->role[(r + kRoles - 1) % kRoles]),
        Rule(false, "icmp", 8, -1, kVpc),
        Rule(false, "tcp", 22, 22, V4Cidr(kVpcBase, 24)),
        Rule(true, "tcp", 8000, 8009, kVpc),
        Rule(true, "tcp", 443, 443, kAnywhere),
        Rule(true, "udp", 53, 53, kVpc),
        Rule(true, "icmp", -1, -1, kVpc)};
    if (r % 2 == 0) rules.push_back(Rule(false, "udp", 53, 53, kVpc));
    put(w.Group(ids->role[r], "role-" + std::to_string(r), std::move(rules)), nullptr);
  }
  for (int i = 0; i < kSmallGroups; ++i) {
    std::vector<SecurityGroupRule> rules;
    for (int n = rng.Range(5, 25); n > 0; --n) rules.push_back(RandomRule(rng, rng.Chance(25)));
    put(w.Group(w.NewGroupId(), "small-" + std::to_string(i), std::move(rules)), &ids->small);
  }
  for (int i = 0; i < kBigGroups; ++i) {
    std::vector<SecurityGroupRule> rules;
    if (i % 2 == 0) {
      int from = rng.Range(1000, 60000);
      rules.push_back(RefRule(from, from + rng.Range(0, 5000), ids->role[rng.Below(kRoles)]));
    }
    while (rules.size() < kBigGroupRules) rules.push_back(RandomRule(rng, rng.Chance(30)));
    put(w.Group(w.NewGroupId(), "big-" + std::to_string(i), std::move(rules)), &ids->big);
  }
  SecurityGroup appl = w.Group(w.NewGroupId(), "appliance",
                               {Rule(false, "-1", -1, -1, kVpc), Rule(true, "-1", -1, -1, kVpc)});
  ids->appliance = appl.id;
  put(std::move(appl), nullptr);
}

std::vector<std::string> GroupsOf(int eni, const GroupIds& g) {
  int role = Role(eni);
  std::vector<std::string> out = {g.role[role]};
  if (IsAppliance(eni)) {
    out.push_back(g.appliance);
  } else if (IsBig(eni)) {
    int q = role * 2 + (eni / 50) % 2;
    for (int d : {0, 5, 11, 16}) out.push_back(g.big[(q + d) % kBigGroups]);
  } else {
    int j = (eni / 10) % 3, base = 3 * role;
    if (j >= 1) out.push_back(g.small[base % kSmallGroups]);
    if (j == 2) out.push_back(g.small[(base + 1) % kSmallGroups]);
  }
  return out;
}

NetworkAclEntry AclEntry(int number, bool egress, bool allow, std::string proto, Cidr cidr,
                         int lo = -1, int hi = -1) {
  NetworkAclEntry e;
  e.rule_number = number;
  e.egress = egress;
  e.allow = allow;
  e.protocol = std::move(proto);
  e.cidr = cidr;
  if (e.protocol == "1") {
    e.icmp_type = lo;
    e.icmp_code = hi;
  } else if (lo >= 0) {
    e.port_from = lo;
    e.port_to = hi;
  }
  return e;
}

void AddAclEntries(Rng& rng, int acl, bool egress, std::vector<NetworkAclEntry>* out) {
  int n = 0;
  auto add = [&](bool allow, std::string_view proto, Cidr cidr, int lo = -1, int hi = -1) {
    out->push_back(AclEntry(10 * ++n, egress, allow, std::string(proto), cidr, lo, hi));
  };
  // Denies that hit real traffic: some service, DNS and echo flows drop.
  add(false, "6", V4Cidr(kVpcBase | (96 + acl) << 8, 24), 8005, 8006);
  add(false, "17", V4Cidr(kVpcBase | (50 + 2 * acl) << 8, 23), 53, 53);
  add(false, "1", V4Cidr(kVpcBase | (70 + acl) << 8, 24), 8, -1);
  static const char* kProtos[] = {"6", "17", "1", "-1"};
  while (n < kAclEntriesPerDirection - 12) {
    std::string_view proto = kProtos[rng.Below(4)];
    int lo = -1, hi = -1;
    if (proto == "6" || proto == "17") RandomPorts(rng, &lo, &hi);
    if (proto == "1") lo = rng.Range(0, 18);  // one ICMP type, all codes
    add(rng.Chance(40), proto, RandomCidr(rng, false), lo, hi);
  }
  add(true, "6", kVpc, 8000, 8009);
  add(true, "6", kVpc, 22, 22);
  add(true, "6", kAnywhere, 443, 443);
  add(true, "6", kVpc, 1024, 65535);
  add(true, "6", kAnywhere, 1024, 65535);
  add(true, "17", kVpc, 53, 53);
  add(true, "17", kVpc, 1024, 65535);
  add(true, "1", kVpc, -1, -1);
  add(true, "6", kVpc, 80, 80);
  add(true, "6", kVpc, 3306, 3306);
  add(true, "6", kVpc, 5432, 5432);
  add(true, "17", kAnywhere, 123, 123);
}

void MakeNetwork(Writer& w, Rng& rng, WorldSummary* s) {
  RegionState& r = w.r();
  std::string rtb = Id("rtb", 1), igw = Id("igw", 1);
  Vpc vpc;
  vpc.id = w.vpc_id;
  vpc.owner_id = kOwner;
  vpc.cidr = kVpc;
  vpc.cidrs = {{Id("vpc-cidr-assoc", 1), kVpc, "associated"}};
  vpc.main_route_table_id = rtb;
  vpc.default_acl_id = Id("acl", 1);
  w.Put(r.vpcs, std::move(vpc));
  w.Put(r.internet_gateways, InternetGateway{igw, kOwner, w.vpc_id, {}});
  for (int a = 0; a < kAcls; ++a) {
    NetworkAcl acl;
    acl.id = Id("acl", a + 1);
    acl.vpc_id = w.vpc_id;
    acl.owner_id = kOwner;
    acl.is_default = a == 0;
    AddAclEntries(rng, a, false, &acl.entries);
    AddAclEntries(rng, a, true, &acl.entries);
    w.Put(r.network_acls, std::move(acl));
  }
  RouteTable t;
  t.id = rtb;
  t.vpc_id = w.vpc_id;
  t.owner_id = kOwner;
  t.routes.push_back({kVpc, "local", "", "", "CreateRouteTable"});
  t.routes.push_back({kAnywhere, igw, "", "", "CreateRoute"});
  std::set<Cidr> seen;
  while (static_cast<int>(s->external_routes.size()) < kRandomRoutes) {
    Cidr c = V4Cidr(rng.U32(), rng.Range(8, 28));
    if (c.Overlaps(kVpc) || !seen.insert(c).second) continue;
    s->external_routes.push_back(c);
    bool to_igw = rng.Chance(50);
    int appliance = static_cast<int>(rng.Below(kAppliances)) * kEnisPerSubnet + 99;
    t.routes.push_back(
        {c, to_igw ? igw : "", to_igw ? "" : Id("eni", appliance), "", "CreateRoute"});
    ++(to_igw ? s->routes_to_igw : s->routes_to_eni);
  }
  w.Put(r.route_tables, std::move(t));
  for (int i = 0; i < kSubnets; ++i) {
    Subnet sub;
    sub.id = Id("subnet", i + 1);
    sub.vpc_id = w.vpc_id;
    sub.owner_id = kOwner;
    sub.availability_zone = kAz;
    sub.cidr = V4Cidr(kVpcBase | i << 8, 24);
    sub.network_acl_id = Id("acl", i % kAcls + 1);
    sub.network_acl_association_id = Id("aclassoc", i + 1);
    w.Put(r.subnets, std::move(sub));
  }
}

void MakeEni(Writer& w, int i, const GroupIds& g) {
  std::string instance = Id("i", i), eni_id = Id("eni", i),
              subnet = Id("subnet", i / kEnisPerSubnet + 1);
  Instance inst;
  inst.id = instance;
  inst.owner_id = kOwner;
  inst.instance_type = "c5.large";
  inst.subnet_id = subnet;
  inst.vpc_id = w.vpc_id;
  inst.availability_zone = kAz;
  inst.state = "running";
  inst.primary_eni_id = eni_id;
  w.Put(w.r().instances, std::move(inst));
  NetworkInterface e;
  e.id = eni_id;
  e.subnet_id = subnet;
  e.vpc_id = w.vpc_id;
  e.availability_zone = kAz;
  e.owner_id = kOwner;
  e.mac = MacAddress(0x020000000000ull + static_cast<uint64_t>(i));
  PrivateIp ip{EniAddress(i), true, std::nullopt};
  if (i % 10 == 3) ip.association = PublicIpAssociation{IpAddress::V4(0xC6120000u + i), "", ""};
  e.private_ips = {ip};
  e.group_ids = GroupsOf(i, g);
  e.source_dest_check = !IsAppliance(i);
  e.attachment = EniAttachment{Id("eni-attach", i), instance, 0, 0, true, "attached"};
  w.Put(w.r().enis, std::move(e));
}

}  // namespace

IpAddress EniAddress(int i) {
  return IpAddress::V4(kVpcBase | (i / kEnisPerSubnet) << 8 | (4 + i % kEnisPerSubnet));
}

WorldSummary BuildWorld(RegionState& r, Journal& journal, uint64_t seed) {
  Rng rng(seed);
  Writer w(r, journal);
  WorldSummary s;
  GroupIds g;
  MakeGroups(w, rng, &g);
  MakeNetwork(w, rng, &s);
  std::set<std::vector<std::string>> sets;
  for (int i = 0; i < kEnis; ++i) {
    MakeEni(w, i, g);
    std::vector<std::string> groups = GroupsOf(i, g);
    int aws = 0, expanded = 0;
    for (const auto& id : groups) aws += g.rule_count[id], expanded += g.expanded_count[id];
    s.aws_rules_per_eni.push_back(aws);
    s.expanded_rules_per_eni.push_back(expanded);
    s.appliance.push_back(IsAppliance(i));
    std::sort(groups.begin(), groups.end());
    sets.insert(groups);
  }
  journal.TakeDirty();
  s.groups = w.groups();
  s.classifier_sets = static_cast<int>(sets.size());
  return s;
}

}  // namespace minivpc::bench
