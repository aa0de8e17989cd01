// Snapshot: one region's control-plane state compiled for the data plane.
//
//   auto snap = Snapshot::Compile(region, generation);   // under the cloud lock
//   int32_t eni = snap->FindEni("eni-0abc...");
//
// Everything the pipeline needs is here in index form: ENIs (with their
// shared security-group classifier), subnets (route table, NACL per
// direction), VPCs, internet gateways, the address -> ENI map and the 1:1
// NAT map of public IPv4s. ENIs with the same set of groups share one
// classifier. A snapshot is immutable; a control-plane change compiles a new
// one and swaps it in (see DataPlane), so packet processing never waits for
// the control plane.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dataplane/address_map.h"
#include "dataplane/nacl.h"
#include "dataplane/prefix_map.h"
#include "dataplane/sg_classifier.h"
#include "vpc/region_state.h"

namespace minivpc::dp {

struct RouteTarget {
  enum Kind : uint8_t { kLocal, kInternetGateway, kEni, kBlackhole };
  Kind kind = kBlackhole;
  int32_t index = -1;  // igw or eni index
  int32_t route = -1;  // position in CompiledRouteTable::routes
  friend bool operator==(const RouteTarget&, const RouteTarget&) = default;
};

struct CompiledRouteTable {
  std::string id;
  std::vector<Route> routes;
  PrefixMap<RouteTarget> v4;
  PrefixMap<RouteTarget> v6;
  const RouteTarget* Lookup(const IpAddress& dst) const {
    return dst.is_v4() ? v4.Find(dst) : v6.Find(dst);
  }
};

// The fields a packet reads come first: they share the record's first
// cache line (see Pipeline::ProcessBurst's prefetches).
struct EniState {
  uint64_t key = 0;  // hash of the id: names the ENI in connection tracking,
                     // so tracked flows survive snapshot swaps
  int32_t subnet = -1;
  int32_t vpc = -1;
  int32_t classifier = -1;
  uint32_t primary_v4 = 0;  // addresses[0] when it is IPv4 (every attached ENI's case)
  bool has_primary_v4 = false;
  bool source_dest_check = true;
  bool active = false;               // attached to a running instance
  std::vector<IpAddress> addresses;  // private IPv4s (primary first) and IPv6s
  std::string id;
  std::string instance_id;  // "" when detached
  std::vector<std::string> group_ids;
  bool Owns(IpAddress a) const {
    if (has_primary_v4 && a.is_v4() && a.v4() == primary_v4) return true;
    for (const auto& x : addresses) {
      if (x == a) return true;
    }
    return false;
  }
};

// What a packet reads of an ENI, 32 bytes per ENI in an array parallel to
// Snapshot::enis (Snapshot::hot): 10,000 ENIs take 320 KB and stay in the
// L2 cache, where the full records (strings, vectors) would not.
struct EniHot {
  enum : uint8_t { kActive = 1, kSourceDestCheck = 2, kHasPrimaryV4 = 4, kOnlyPrimaryV4 = 8 };
  uint64_t key = 0;
  int32_t subnet = -1;
  int32_t vpc = -1;
  int32_t classifier = -1;
  uint32_t primary_v4 = 0;
  uint8_t flags = 0;
  bool active() const { return flags & kActive; }
  bool source_dest_check() const { return flags & kSourceDestCheck; }
  // Whether the ENI owns `a`; reads `full` only for ENIs with more than one
  // address.
  bool Owns(IpAddress a, const EniState& full) const {
    if ((flags & kHasPrimaryV4) && a.is_v4() && a.v4() == primary_v4) return true;
    return (flags & kOnlyPrimaryV4) ? false : full.Owns(a);
  }
  static EniHot Of(const EniState& e);
};
static_assert(sizeof(EniHot) == 32);

struct SubnetState {
  std::string id;
  int32_t vpc = -1;
  int32_t route_table = -1;
  int32_t nacl_in = -1;  // index into Snapshot::nacls
  int32_t nacl_out = -1;
  std::string acl_id;
};

struct VpcState {
  std::string id;
  int32_t igw = -1;  // attached internet gateway
};

struct IgwState {
  std::string id;
  int32_t vpc = -1;
};

struct NatEntry {
  int32_t eni = -1;
  int32_t vpc = -1;
  IpAddress private_ip;
  IpAddress public_ip;
  std::string allocation_id;  // "" for an auto-assigned public IPv4
};

class Snapshot {
 public:
  static std::shared_ptr<const Snapshot> Compile(const RegionState& region, uint64_t generation);

  uint64_t generation() const { return generation_; }
  int32_t FindEni(std::string_view id) const { return Find(eni_index_, id); }
  int32_t FindSubnet(std::string_view id) const { return Find(subnet_index_, id); }
  int32_t FindIgw(std::string_view id) const { return Find(igw_index_, id); }
  int32_t FindVpc(std::string_view id) const { return Find(vpc_index_, id); }
  // The ENI in `vpc` owning private address `a` (IPv4 or IPv6), or -1.
  int32_t EniByAddress(int32_t vpc, const IpAddress& a) const {
    return address_owner_.Find(vpc, a);
  }
  void PrefetchAddress(int32_t vpc, const IpAddress& a) const { address_owner_.Prefetch(vpc, a); }
  // The security groups of ENI `owner`, or when that is -1 of the ENI in
  // `vpc` owning `a` (none when no ENI does): what a rule naming a group
  // admits (see SgClassifier).
  GroupSet GroupsOf(int32_t owner, int32_t vpc, const IpAddress& a) const {
    if (owner < 0) owner = EniByAddress(vpc, a);
    return owner < 0 ? GroupSet{} : classifiers[hot[owner].classifier].groups();
  }
  const NatEntry* NatByPublic(IpAddress public_ip) const;
  const NatEntry* NatByPrivate(int32_t vpc, IpAddress private_ip) const;
  // The VPC owning global IPv6 address `a` (from the internet), or -1.
  int32_t VpcByIpv6(IpAddress a) const;

  std::vector<EniState> enis;
  std::vector<EniHot> hot;  // hot[i] = EniHot::Of(enis[i])
  std::vector<SubnetState> subnets;
  std::vector<VpcState> vpcs;
  std::vector<IgwState> igws;
  std::vector<SgClassifier> classifiers;
  std::vector<CompiledNacl> nacls;
  std::vector<CompiledRouteTable> route_tables;
  std::vector<std::string> nacl_ids;  // per entry of nacls

  size_t MemoryBytes() const;

 private:
  static int32_t Find(const std::unordered_map<std::string, int32_t>& m, std::string_view id) {
    auto it = m.find(std::string(id));
    return it == m.end() ? -1 : it->second;
  }

  uint64_t generation_ = 0;
  std::unordered_map<std::string, int32_t> eni_index_, subnet_index_, igw_index_, vpc_index_;
  AddressMap address_owner_;
  std::vector<NatEntry> nats_;
  AddressMap nat_by_private_;                          // -> nats_
  AddressMap nat_by_public_;                           // vpc = -1 -> nats_
  std::vector<std::pair<Cidr, int32_t>> ipv6_blocks_;  // VPC /56s
};

}  // namespace minivpc::dp
