// DpdkBaseline::Build: RegionState rows compiled into rte_acl contexts,
// rte_lpm tables and rte_hash maps (the mapping is in dpdk_baseline.h).
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_malloc.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "dpdk_acl.h"
#include "dpdk_baseline.h"
#include "dpdk_baseline_internal.h"

namespace minivpc::bench {
namespace {

using internal::AddrKey;
using internal::CtEntry;
using internal::CtKey;
using internal::kHopBlackhole;
using internal::kHopEni;
using internal::kHopIgw;
using internal::kHopLocal;
using internal::kHopShift;

// DPDK names every table; names must be unique in the process.
std::string UniqueName(const char* prefix) {
  static int serial = 0;
  return prefix + std::to_string(serial++);
}

rte_hash* NewHash(const char* prefix, uint32_t entries, uint32_t key_len, std::string* error) {
  std::string name = UniqueName(prefix);
  rte_hash_parameters p{};
  p.name = name.c_str();
  p.entries = std::max<uint32_t>(entries, 64);
  p.key_len = key_len;
  p.hash_func = rte_hash_crc;
  p.socket_id = SOCKET_ID_ANY;
  rte_hash* h = rte_hash_create(&p);
  if (!h) *error = "rte_hash_create " + name + ": " + rte_strerror(rte_errno);
  return h;
}

size_t HeapBytes() {
  size_t n = 0;
  for (unsigned i = 0; i < rte_socket_count(); ++i) {
    rte_malloc_socket_stats st{};
    if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0) {
      n += st.heap_allocsz_bytes;
    }
  }
  return n;
}

template <typename Table>
std::map<std::string, int32_t> IndexOf(const Table& t) {
  std::map<std::string, int32_t> m;
  for (const auto& [id, row] : t.rows()) m.emplace(id, static_cast<int32_t>(m.size()));
  return m;
}

int32_t Find(const std::map<std::string, int32_t>& m, const std::string& id) {
  auto it = m.find(id);
  return it == m.end() ? -1 : it->second;
}

}  // namespace

DpdkBaseline::Impl::~Impl() {
  for (rte_acl_ctx* c : acls) rte_acl_free(c);
  for (rte_lpm* l : lpms) rte_lpm_free(l);
  rte_hash_free(owners);
  rte_hash_free(nat);
  rte_hash_free(conntrack);
}

bool DpdkBaseline::Impl::BuildEnis(const RegionState& r, std::string* error) {
  std::map<std::vector<std::string>, int32_t> set_index;
  owners = NewHash("owners", static_cast<uint32_t>(r.enis.size() * 2), 8, error);
  nat = NewHash("nat", static_cast<uint32_t>(r.enis.size()), 8, error);
  if (!owners || !nat) return false;
  for (const auto& [id, e] : r.enis.rows()) {
    Eni x;
    x.subnet = Find(subnet_index, e.subnet_id);
    x.vpc = Find(vpc_index, e.vpc_id);
    x.source_dest_check = e.source_dest_check;
    if (e.attachment) {
      const Instance* inst = r.instances.Find(e.attachment->instance_id);
      x.active = inst && inst->state == "running";
    }
    eni_instance.push_back(e.attachment ? e.attachment->instance_id : "");
    int32_t index = static_cast<int32_t>(enis.size());
    for (const auto& p : e.private_ips) {
      if (!p.address.is_v4()) continue;
      if (x.n_addrs == std::size(x.addrs)) {
        *error = id + ": more than 4 private IPv4s";
        return false;
      }
      uint32_t a = p.address.v4();
      x.addrs[x.n_addrs++] = a;
      uint64_t k = AddrKey(x.vpc, a);
      int rc = rte_hash_add_key_data(owners, &k, reinterpret_cast<void*>(uintptr_t(index)));
      if (rc == 0 && p.association && p.association->public_ip.is_v4()) {
        uintptr_t pub = p.association->public_ip.v4();
        rc = rte_hash_add_key_data(nat, &k, reinterpret_cast<void*>(pub));
      }
      if (rc != 0) {
        *error = id + ": rte_hash_add_key_data: " + rte_strerror(-rc);
        return false;
      }
    }
    std::vector<std::string> key = e.group_ids;
    std::sort(key.begin(), key.end());
    x.set = set_index.emplace(key, static_cast<int32_t>(set_index.size())).first->second;
    enis.push_back(x);
  }
  return BuildGroupSets(r, set_index, error);
}

bool DpdkBaseline::Impl::BuildGroupSets(
    const RegionState& r, const std::map<std::vector<std::string>, int32_t>& set_index,
    std::string* error) {
  GroupMembers members;
  for (const auto& [id, e] : r.enis.rows()) {
    for (const auto& g : e.group_ids) {
      for (const auto& p : e.private_ips) {
        if (p.address.is_v4()) members[g].push_back(p.address.v4());
      }
    }
  }
  sets.resize(set_index.size());
  for (const auto& [ids, index] : set_index) {
    std::vector<const SecurityGroup*> groups;
    for (const auto& g : ids) {
      if (const SecurityGroup* sg = r.security_groups.Find(g)) groups.push_back(sg);
    }
    std::vector<AclRuleSpec> in = SgSpecs(groups, false, members);
    std::vector<AclRuleSpec> out = SgSpecs(groups, true, members);
    GroupSet& s = sets[index];
    s.untracked_tcp = AllowsAll(in, 6) && AllowsAll(out, 6);
    s.untracked_udp = AllowsAll(in, 17) && AllowsAll(out, 17);
    if (!NewAcl(in, &s.ingress, error) || !NewAcl(out, &s.egress, error)) return false;
    acls.push_back(s.ingress);
    acls.push_back(s.egress);
  }
  return true;
}

bool DpdkBaseline::Impl::BuildSubnets(const RegionState& r, std::string* error) {
  std::map<std::string, std::pair<rte_acl_ctx*, rte_acl_ctx*>> nacl;  // id -> in, out
  for (const auto& [id, acl] : r.network_acls.rows()) {
    auto& [in, out] = nacl[id];
    if (!NewAcl(NaclSpecs(acl, false), &in, error) || !NewAcl(NaclSpecs(acl, true), &out, error)) {
      return false;
    }
    acls.push_back(in);
    acls.push_back(out);
  }
  for (const auto& [id, sub] : r.subnets.rows()) {
    Subnet s;
    std::string table = sub.route_table_id;
    if (table.empty()) {
      if (const Vpc* vpc = r.vpcs.Find(sub.vpc_id)) table = vpc->main_route_table_id;
    }
    s.route_table = Find(table_index, table);
    if (auto it = nacl.find(sub.network_acl_id); it != nacl.end()) {
      std::tie(s.nacl_in, s.nacl_out) = it->second;
    }
    subnets.push_back(s);
  }
  return true;
}

bool DpdkBaseline::Impl::BuildRouteTable(const RouteTable& t, std::string* error) {
  rte_lpm_config cfg{static_cast<uint32_t>(t.routes.size() + 2), 1024, 0};
  std::string name = UniqueName("lpm");
  rte_lpm* lpm = rte_lpm_create(name.c_str(), SOCKET_ID_ANY, &cfg);
  if (!lpm) {
    *error = name + ": " + rte_strerror(rte_errno);
    return false;
  }
  lpms.push_back(lpm);
  int32_t vpc = Find(vpc_index, t.vpc_id);
  std::vector<const Route*> v4;
  for (const auto& r : t.routes) {
    if (r.destination.is_v4()) v4.push_back(&r);
  }
  // Shortest first: 0.0.0.0/0 goes in as two /1s, which a real /1 replaces.
  std::stable_sort(v4.begin(), v4.end(), [](const Route* a, const Route* b) {
    return a->destination.prefix() < b->destination.prefix();
  });
  for (const Route* r : v4) {
    uint32_t hop = kHopBlackhole << kHopShift;
    if (r->gateway_id == "local") {
      hop = kHopLocal << kHopShift;
    } else if (!r->gateway_id.empty()) {
      int32_t igw = Find(igw_index, r->gateway_id);
      if (igw >= 0 && igw_vpc[igw] == vpc) hop = kHopIgw << kHopShift | igw;
    } else if (!r->network_interface_id.empty()) {
      int32_t eni = Find(eni_index, r->network_interface_id);
      if (eni >= 0 && enis[eni].vpc == vpc &&
          (r->instance_id.empty() || eni_instance[eni] == r->instance_id)) {
        hop = kHopEni << kHopShift | eni;
      }
    }
    uint32_t base = r->destination.base().v4();
    int depth = r->destination.prefix();
    int rc = depth == 0 ? rte_lpm_add(lpm, 0, 1, hop) | rte_lpm_add(lpm, 0x80000000u, 1, hop)
                        : rte_lpm_add(lpm, base, static_cast<uint8_t>(depth), hop);
    if (rc != 0) {
      *error = name + " " + r->destination.ToString() + ": " + rte_strerror(-rc);
      return false;
    }
  }
  return true;
}

std::unique_ptr<DpdkBaseline> DpdkBaseline::Build(const RegionState& r, uint32_t conntrack_entries,
                                                  std::string* error) {
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.vpc_index = IndexOf(r.vpcs);
  m.subnet_index = IndexOf(r.subnets);
  m.eni_index = IndexOf(r.enis);
  m.igw_index = IndexOf(r.internet_gateways);
  m.table_index = IndexOf(r.route_tables);
  for (const auto& [id, igw] : r.internet_gateways.rows()) {
    m.igw_vpc.push_back(igw.vpc_id.empty() ? -1 : Find(m.vpc_index, igw.vpc_id));
  }
  size_t heap = HeapBytes();
  if (!m.BuildEnis(r, error)) return nullptr;
  for (const auto& [id, t] : r.route_tables.rows()) {
    if (!m.BuildRouteTable(t, error)) return nullptr;
  }
  if (!m.BuildSubnets(r, error)) return nullptr;
  m.state_bytes = HeapBytes() - heap;
  heap = HeapBytes();
  m.conntrack = NewHash("conntrack", conntrack_entries, sizeof(CtKey), error);
  if (!m.conntrack) return nullptr;
  m.ct_entries.resize(static_cast<size_t>(rte_hash_max_key_id(m.conntrack)) + 1);
  m.conntrack_bytes = HeapBytes() - heap + m.ct_entries.size() * sizeof(CtEntry);
  return std::unique_ptr<DpdkBaseline>(new DpdkBaseline(std::move(impl)));
}

}  // namespace minivpc::bench
