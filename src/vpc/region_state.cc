#include "vpc/region_state.h"

#include "vpc/cloud.h"
#include "vpc/regions.h"

namespace minivpc {
namespace {

// Applies `f(key, +1/-1)` to the keys of `before` (removed) then `after`.
template <typename T, typename KeysFn, typename F>
void Diff(const T* before, const T* after, KeysFn keys, F f) {
  if (before) {
    for (const auto& k : keys(*before)) f(k, false);
  }
  if (after) {
    for (const auto& k : keys(*after)) f(k, true);
  }
}

template <typename K>
void SetMember(std::map<K, std::set<std::string>>& index, const K& key, const std::string& id,
               bool add) {
  if (add) {
    // Ids usually arrive in order (a restore scans rows by id): appending
    // with the end hint is then constant time.
    auto& members = index[key];
    members.emplace_hint(members.end(), id);
    return;
  }
  auto it = index.find(key);
  if (it == index.end()) return;
  it->second.erase(id);
  if (it->second.empty()) index.erase(it);
}

}  // namespace

size_t RegionState::AddressKeyHash::operator()(const std::pair<std::string, IpAddress>& k) const {
  uint128 v = k.second.value();
  size_t h = std::hash<uint64_t>()(static_cast<uint64_t>(v) ^ static_cast<uint64_t>(v >> 64));
  return h ^ (std::hash<std::string>()(k.first) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

RegionState::RegionState(Cloud* c, std::string account, std::string region_name)
    : cloud(c),
      account_id(std::move(account)),
      region(std::move(region_name)),
      scope(account_id + "/" + region),
      meta(scope, "region", &c->journal()),
      vpcs(scope, "vpc", &c->journal()),
      subnets(scope, "subnet", &c->journal()),
      enis(scope, "network-interface", &c->journal()),
      instances(scope, "instance", &c->journal()),
      security_groups(scope, "security-group", &c->journal()),
      network_acls(scope, "network-acl", &c->journal()),
      route_tables(scope, "route-table", &c->journal()),
      internet_gateways(scope, "internet-gateway", &c->journal()),
      addresses(scope, "elastic-ip", &c->journal()),
      idempotency(scope, "client-token", &c->journal()),
      insights_paths(scope, "network-insights-path", &c->journal()),
      insights_analyses(scope, "network-insights-analysis", &c->journal()),
      flow_logs(scope, "flow-log", &c->journal()),
      azs_(ZoneNames(region)) {
  InstallHooks();
}

std::vector<TableBase*> RegionState::tables() {
  return {&meta,
          &vpcs,
          &subnets,
          &enis,
          &instances,
          &security_groups,
          &network_acls,
          &route_tables,
          &internet_gateways,
          &addresses,
          &idempotency,
          &insights_paths,
          &insights_analyses,
          &flow_logs};
}

Random& RegionState::random() { return cloud->random(); }
Clock& RegionState::clock() { return cloud->clock(); }
int64_t RegionState::now_ms() { return cloud->clock().NowMillis(); }
std::string RegionState::NewId(std::string_view prefix) { return random().NewId(prefix); }

bool RegionState::IsAvailabilityZone(std::string_view az) const {
  for (const auto& z : azs_) {
    if (z == az) return true;
  }
  return false;
}

void RegionState::InstallHooks() {
  vpcs.AddHook([this](const Vpc* before, const Vpc* after) {
    auto blocks = [](const Vpc& v) {
      std::vector<Cidr> out;
      for (const auto& a : v.ipv6_cidrs) out.push_back(a.cidr);
      return out;
    };
    Diff(before, after, blocks, [this](const Cidr& c, bool add) { cloud->NoteIpv6Block(c, add); });
  });
  subnets.AddHook([this](const Subnet* before, const Subnet* after) {
    if (before) SetMember(subnets_by_vpc, before->vpc_id, before->id, false);
    if (after) SetMember(subnets_by_vpc, after->vpc_id, after->id, true);
  });
  security_groups.AddHook([this](const SecurityGroup* before, const SecurityGroup* after) {
    const SecurityGroup* g = before ? before : after;
    if (before) SetMember(groups_by_vpc, before->vpc_id, before->id, false);
    if (after) SetMember(groups_by_vpc, after->vpc_id, after->id, true);
    auto rules = [](const SecurityGroup& s) { return s.rules; };
    Diff(before, after, rules, [this, g](const SecurityGroupRule& r, bool add) {
      if (add) {
        rule_owner[r.id] = g->id;
      } else {
        rule_owner.erase(r.id);
      }
      if (!r.referenced_group_id.empty()) {
        // A group may reference another from several rules: count by rule.
        SetMember(group_referenced_by, r.referenced_group_id, g->id + "/" + r.id, add);
      }
    });
  });
  enis.AddHook([this](const NetworkInterface* before, const NetworkInterface* after) {
    auto apply = [this](const NetworkInterface& e, bool add) {
      SetMember(enis_by_subnet, e.subnet_id, e.id, add);
      if (e.attachment) {
        SetMember(enis_by_instance, e.attachment->instance_id, e.id, add);
        if (add) {
          attachment_owner[e.attachment->id] = e.id;
        } else {
          attachment_owner.erase(e.attachment->id);
        }
      }
      for (const auto& g : e.group_ids) group_eni_count[g] += add ? 1 : -1;
      ipv4_used_by_subnet[e.subnet_id] += static_cast<int>(e.private_ips.size()) * (add ? 1 : -1);
      for (const auto& p : e.private_ips) {
        if (add) {
          address_owner[{e.vpc_id, p.address}] = e.id;
        } else {
          address_owner.erase({e.vpc_id, p.address});
        }
        if (p.association && p.association->allocation_id.empty()) {
          cloud->NotePublicIp(p.association->public_ip, add);
        }
      }
      for (const auto& a : e.ipv6_addresses) {
        if (add) {
          address_owner[{e.vpc_id, a}] = e.id;
        } else {
          address_owner.erase({e.vpc_id, a});
        }
      }
      cloud->NoteMac(e.mac, add);
    };
    if (before) apply(*before, false);
    if (after) apply(*after, true);
  });
  addresses.AddHook([this](const ElasticIp* before, const ElasticIp* after) {
    if (before) cloud->NotePublicIp(before->public_ip, false);
    if (after) cloud->NotePublicIp(after->public_ip, true);
  });
}

}  // namespace minivpc
