// Internal to the DPDK baseline (dpdk_baseline.cc, dpdk_baseline_build.cc):
// the compiled state behind DpdkBaseline. Not for other includes.
#pragma once

#include <rte_acl.h>
#include <rte_hash.h>
#include <rte_lpm.h>

#include <map>
#include <string>
#include <vector>

#include "dpdk_baseline.h"

namespace minivpc::bench::internal {

enum : uint32_t { kHopLocal, kHopIgw, kHopEni, kHopBlackhole };
constexpr int kHopShift = 22;  // rte_lpm next hops are 24 bits: kind, index
constexpr uint32_t kHopIndexMask = (1u << kHopShift) - 1;

struct Eni {
  uint32_t addrs[4] = {};  // private IPv4s
  uint8_t n_addrs = 0;
  bool active = false;
  bool source_dest_check = true;
  int32_t subnet = -1, vpc = -1, set = -1;
  bool Owns(uint32_t a) const {
    for (int i = 0; i < n_addrs; ++i) {
      if (addrs[i] == a) return true;
    }
    return false;
  }
};

struct GroupSet {
  rte_acl_ctx* ingress = nullptr;
  rte_acl_ctx* egress = nullptr;
  bool untracked_tcp = false, untracked_udp = false;
  bool Untracked(uint8_t proto) const {
    return proto == 6 ? untracked_tcp : proto == 17 ? untracked_udp : false;
  }
};

struct Subnet {
  int32_t route_table = -1;
  rte_acl_ctx* nacl_in = nullptr;  // nullptr: denies everything
  rte_acl_ctx* nacl_out = nullptr;
};

// A flow at one ENI with its endpoints in canonical order, so that both
// directions have the same key.
struct CtKey {
  uint32_t addr_lo, addr_hi;
  uint16_t port_lo, port_hi;
  uint8_t proto, pad[3];
  int32_t eni;
};
static_assert(sizeof(CtKey) == 20);

struct CtEntry {
  uint32_t last_seen = 0, timeout = 0;
  uint8_t swapped = 0;  // the first packet's direction
  uint8_t originals = 0, replies = 0;
};

struct CtProbe {
  CtKey key;
  hash_sig_t sig;
  uint8_t swapped;
};

struct Packet {
  uint32_t src, dst;
  uint16_t sport, dport;  // ICMP: the query type, both ways (as the pipeline)
  uint16_t key;           // TCP/UDP destination port, ICMP type*256+code
  uint8_t proto;
  uint32_t now;
};

// Connection tracking pairs an ICMP query with its reply (dp::Pipeline).
inline uint64_t AddrKey(int32_t vpc, uint32_t addr) {
  return uint64_t{static_cast<uint32_t>(vpc)} << 32 | addr;
}

}  // namespace minivpc::bench::internal

namespace minivpc::bench {

struct DpdkBaseline::Impl {
  using Eni = internal::Eni;
  using GroupSet = internal::GroupSet;
  using Subnet = internal::Subnet;
  using CtEntry = internal::CtEntry;
  using CtProbe = internal::CtProbe;
  using Packet = internal::Packet;

  ~Impl();
  bool BuildEnis(const RegionState& r, std::string* error);
  bool BuildGroupSets(const RegionState& r, const std::map<std::vector<std::string>, int32_t>& sets,
                      std::string* error);
  bool BuildSubnets(const RegionState& r, std::string* error);
  bool BuildRouteTable(const RouteTable& t, std::string* error);

  static Packet MakePacket(const dp::PacketHeaders& h, uint32_t now);
  bool Front(const Packet& p, int32_t a, BaselineVerdict* out) const;
  BaselineVerdict Process(const dp::PacketHeaders& h, int32_t a, uint32_t now);
  void ProcessBurst(const BaselineItem* items, size_t n, uint32_t now, BaselineVerdict* out);
  BaselineVerdict Rest(const Packet& p, int32_t a, const CtProbe& probe, int32_t pos);
  BaselineVerdict ToEni(const Packet& p, int32_t a, int32_t from_subnet, int32_t b);
  BaselineVerdict ToInternet(const Packet& p, int32_t a);
  static BaselineVerdict Drop(dp::DropReason r, int32_t eni) {
    return {dp::Outcome::kDropped, r, eni};
  }
  int32_t Owner(int32_t vpc, uint32_t addr) const;
  void MakeProbe(const Packet& p, int32_t eni, CtProbe* probe) const;
  bool Tracked(const Packet& p, int32_t eni, CtProbe* probe);
  bool TrackedAt(const Packet& p, const CtProbe& probe, int32_t pos);
  bool Track(const Packet& p, const CtProbe& probe);

  std::map<std::string, int32_t> vpc_index, subnet_index, eni_index, igw_index, table_index;
  std::vector<int32_t> igw_vpc;           // per internet gateway: attached VPC or -1
  std::vector<std::string> eni_instance;  // per ENI: attached instance or ""
  std::vector<Eni> enis;
  std::vector<GroupSet> sets;
  std::vector<Subnet> subnets;
  std::vector<rte_acl_ctx*> acls;  // every context, for cleanup
  std::vector<rte_lpm*> lpms;      // per route table
  rte_hash* owners = nullptr;      // (vpc, private IPv4) -> ENI
  rte_hash* nat = nullptr;         // (vpc, private IPv4) -> public IPv4
  rte_hash* conntrack = nullptr;
  std::vector<CtEntry> ct_entries;  // by the conntrack key's position
  size_t state_bytes = 0, conntrack_bytes = 0;
  uint64_t inserts = 0;  // flows added to `conntrack`, ever
};

}  // namespace minivpc::bench
