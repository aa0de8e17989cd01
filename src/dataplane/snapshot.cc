#include "dataplane/snapshot.h"

#include <algorithm>
#include <map>

namespace minivpc::dp {
namespace {

template <typename Table>
std::unordered_map<std::string, int32_t> IndexOf(const Table& table) {
  std::unordered_map<std::string, int32_t> m;
  int32_t i = 0;
  for (const auto& [id, row] : table.rows()) m.emplace(id, i++);
  return m;
}

int32_t Lookup(const std::unordered_map<std::string, int32_t>& m, const std::string& id) {
  auto it = m.find(id);
  return it == m.end() ? -1 : it->second;
}

CompiledRouteTable CompileTable(const RouteTable& t, int32_t vpc, const Snapshot& s) {
  CompiledRouteTable out;
  out.id = t.id;
  out.routes = t.routes;
  std::vector<PrefixMap<RouteTarget>::Entry> v4, v6;
  for (size_t i = 0; i < t.routes.size(); ++i) {
    const Route& r = t.routes[i];
    RouteTarget target;
    target.route = static_cast<int32_t>(i);
    if (r.gateway_id == "local") {
      target.kind = RouteTarget::kLocal;
    } else if (!r.gateway_id.empty()) {
      int32_t igw = s.FindIgw(r.gateway_id);
      if (igw >= 0 && s.igws[igw].vpc == vpc) {
        target.kind = RouteTarget::kInternetGateway;
        target.index = igw;
      }
    } else if (!r.network_interface_id.empty()) {
      int32_t eni = s.FindEni(r.network_interface_id);
      if (eni >= 0 && s.enis[eni].vpc == vpc &&
          (r.instance_id.empty() || s.enis[eni].instance_id == r.instance_id)) {
        target.kind = RouteTarget::kEni;
        target.index = eni;
      }
    }
    (r.destination.is_v4() ? v4 : v6).push_back({r.destination, target});
  }
  auto longest = [](const std::vector<const PrefixMap<RouteTarget>::Entry*>& cover)
      -> std::optional<RouteTarget> {
    if (cover.empty()) return std::nullopt;
    return cover.back()->value;
  };
  out.v4 = PrefixMap<RouteTarget>::Build(IpFamily::kV4, std::move(v4), longest);
  out.v6 = PrefixMap<RouteTarget>::Build(IpFamily::kV6, std::move(v6), longest);
  return out;
}

}  // namespace

std::shared_ptr<const Snapshot> Snapshot::Compile(const RegionState& r, uint64_t generation) {
  auto s = std::make_shared<Snapshot>();
  s->generation_ = generation;
  s->vpc_index_ = IndexOf(r.vpcs);
  s->subnet_index_ = IndexOf(r.subnets);
  s->eni_index_ = IndexOf(r.enis);
  s->igw_index_ = IndexOf(r.internet_gateways);

  for (const auto& [id, vpc] : r.vpcs.rows()) {
    s->vpcs.push_back({id, -1});
    for (const auto& a : vpc.ipv6_cidrs) {
      s->ipv6_blocks_.push_back({a.cidr, static_cast<int32_t>(s->vpcs.size() - 1)});
    }
  }
  for (const auto& [id, igw] : r.internet_gateways.rows()) {
    int32_t vpc = igw.vpc_id.empty() ? -1 : Lookup(s->vpc_index_, igw.vpc_id);
    s->igws.push_back({id, vpc});
    if (vpc >= 0) s->vpcs[vpc].igw = static_cast<int32_t>(s->igws.size() - 1);
  }

  // NACLs: one compiled entry per direction.
  std::map<std::string, std::pair<int32_t, int32_t>> acl_slots;
  for (const auto& [id, acl] : r.network_acls.rows()) {
    int32_t in = static_cast<int32_t>(s->nacls.size());
    s->nacls.push_back(CompiledNacl::Compile(acl, /*egress=*/false));
    s->nacls.push_back(CompiledNacl::Compile(acl, /*egress=*/true));
    s->nacl_ids.push_back(id);
    s->nacl_ids.push_back(id);
    acl_slots[id] = {in, in + 1};
  }

  // ENIs, with one classifier per distinct set of groups. Group ids are
  // numbered as met (those of ENIs, and those rules name), for GroupSets.
  std::unordered_map<std::string, uint32_t> group_index;
  auto index_of = [&](const std::string& g) {
    return group_index.emplace(g, static_cast<uint32_t>(group_index.size())).first->second;
  };
  std::map<std::vector<std::string>, int32_t> classifier_of;
  for (const auto& [id, eni] : r.enis.rows()) {
    EniState e;
    e.id = id;
    e.key = std::hash<std::string>{}(id);
    e.subnet = Lookup(s->subnet_index_, eni.subnet_id);
    e.vpc = Lookup(s->vpc_index_, eni.vpc_id);
    e.source_dest_check = eni.source_dest_check;
    e.group_ids = eni.group_ids;
    for (const auto& p : eni.private_ips) e.addresses.push_back(p.address);
    for (const auto& a : eni.ipv6_addresses) e.addresses.push_back(a);
    if (!e.addresses.empty() && e.addresses.front().is_v4()) {
      e.has_primary_v4 = true;
      e.primary_v4 = e.addresses.front().v4();
    }
    if (eni.attachment) {
      e.instance_id = eni.attachment->instance_id;
      const Instance* inst = r.instances.Find(e.instance_id);
      e.active = inst && inst->state == "running";
    }
    std::vector<std::string> key = eni.group_ids;
    std::sort(key.begin(), key.end());
    auto [it, inserted] = classifier_of.emplace(key, static_cast<int32_t>(s->classifiers.size()));
    if (inserted) {
      std::vector<const SecurityGroup*> groups;
      for (const auto& g : key) {
        if (const SecurityGroup* sg = r.security_groups.Find(g)) groups.push_back(sg);
      }
      std::vector<uint32_t> own;
      for (const auto& g : key) own.push_back(index_of(g));
      s->classifiers.push_back(
          SgClassifier::Compile(FlattenRules(groups, index_of), std::move(own)));
    }
    e.classifier = it->second;
    int32_t index = static_cast<int32_t>(s->enis.size());
    for (const auto& a : e.addresses) s->address_owner_.Insert(e.vpc, a, index);
    for (const auto& p : eni.private_ips) {
      if (!p.association) continue;
      auto n = static_cast<int32_t>(s->nats_.size());
      s->nats_.push_back(
          {index, e.vpc, p.address, p.association->public_ip, p.association->allocation_id});
      s->nat_by_private_.Insert(e.vpc, p.address, n);
      s->nat_by_public_.Insert(-1, p.association->public_ip, n);
    }
    s->hot.push_back(EniHot::Of(e));
    s->enis.push_back(std::move(e));
  }

  // Route tables, then subnets (which point at them).
  std::map<std::string, int32_t> table_index;
  for (const auto& [id, t] : r.route_tables.rows()) {
    table_index[id] = static_cast<int32_t>(s->route_tables.size());
    s->route_tables.push_back(CompileTable(t, Lookup(s->vpc_index_, t.vpc_id), *s));
  }
  for (const auto& [id, sub] : r.subnets.rows()) {
    SubnetState st;
    st.id = id;
    st.vpc = Lookup(s->vpc_index_, sub.vpc_id);
    std::string table = sub.route_table_id;
    if (table.empty()) {
      if (const Vpc* vpc = r.vpcs.Find(sub.vpc_id)) table = vpc->main_route_table_id;
    }
    if (auto t = table_index.find(table); t != table_index.end()) st.route_table = t->second;
    if (auto a = acl_slots.find(sub.network_acl_id); a != acl_slots.end()) {
      st.nacl_in = a->second.first;
      st.nacl_out = a->second.second;
    }
    st.acl_id = sub.network_acl_id;
    s->subnets.push_back(std::move(st));
  }
  return s;
}

EniHot EniHot::Of(const EniState& e) {
  EniHot h;
  h.key = e.key;
  h.subnet = e.subnet;
  h.vpc = e.vpc;
  h.classifier = e.classifier;
  h.primary_v4 = e.primary_v4;
  h.flags = (e.active ? kActive : 0) | (e.source_dest_check ? kSourceDestCheck : 0) |
            (e.has_primary_v4 ? kHasPrimaryV4 : 0) |
            (e.has_primary_v4 && e.addresses.size() == 1 ? kOnlyPrimaryV4 : 0);
  return h;
}

const NatEntry* Snapshot::NatByPublic(IpAddress public_ip) const {
  int32_t n = nat_by_public_.Find(-1, public_ip);
  return n < 0 ? nullptr : &nats_[static_cast<size_t>(n)];
}

const NatEntry* Snapshot::NatByPrivate(int32_t vpc, IpAddress private_ip) const {
  int32_t n = nat_by_private_.Find(vpc, private_ip);
  return n < 0 ? nullptr : &nats_[static_cast<size_t>(n)];
}

int32_t Snapshot::VpcByIpv6(IpAddress a) const {
  for (const auto& [block, vpc] : ipv6_blocks_) {
    if (block.Contains(a)) return vpc;
  }
  return -1;
}

size_t Snapshot::MemoryBytes() const {
  size_t n = sizeof(*this);
  for (const auto& e : enis) {
    n += sizeof(EniHot) + sizeof(e) + e.id.capacity() + e.addresses.capacity() * sizeof(IpAddress) +
         e.group_ids.size() * 32;
  }
  for (const auto& c : classifiers) n += c.MemoryBytes();
  for (const auto& t : route_tables) {
    n += t.v4.MemoryBytes() + t.v6.MemoryBytes() + t.routes.capacity() * sizeof(Route);
  }
  for (const auto& a : nacls) n += a.MemoryBytes();
  n += address_owner_.MemoryBytes() + eni_index_.size() * 64;
  n += nat_by_private_.MemoryBytes() + nat_by_public_.MemoryBytes() +
       nats_.capacity() * sizeof(NatEntry);
  return n;
}

}  // namespace minivpc::dp
