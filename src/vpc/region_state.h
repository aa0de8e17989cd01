// RegionState: every resource of one (account, region), plus the derived
// indexes the rules need, kept in step by table hooks.
//
// The operations in the other vpc/ files (vpcs.h, subnets.h, enis.h, ...)
// take a RegionState& and enforce AWS's rules. They are not thread safe; the
// Cloud's lock serialises writers (see cloud.h). An operation that returns an
// error may have mutated tables; the caller rolls the Journal back.
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/random.h"
#include "net/ip.h"
#include "vpc/resources.h"
#include "vpc/resources_json.h"
#include "vpc/table.h"

namespace minivpc {

class Cloud;

// One row marking that a region's state exists (so a region whose default
// VPC was deleted is not re-seeded on restart).
struct RegionMeta {
  std::string id = "meta";
  std::string account_id;
  std::string region;
  std::string dhcp_options_id;  // the region's default DHCP option set
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RegionMeta, id, account_id, region, dhcp_options_id)

struct RegionState {
  RegionState(Cloud* cloud, std::string account, std::string region_name);
  RegionState(const RegionState&) = delete;
  RegionState& operator=(const RegionState&) = delete;

  Cloud* cloud;
  std::string account_id;
  std::string region;
  std::string scope;  // "account/region": the store's partition key
  // Bumped by every committed change (not persisted): lets readers such as
  // the data plane tell whether their compiled view is current.
  uint64_t version = 0;

  Table<RegionMeta> meta;
  Table<Vpc> vpcs;
  Table<Subnet> subnets;
  Table<NetworkInterface> enis;
  Table<Instance> instances;
  Table<SecurityGroup> security_groups;
  Table<NetworkAcl> network_acls;
  Table<RouteTable> route_tables;
  Table<InternetGateway> internet_gateways;
  Table<ElasticIp> addresses;
  Table<IdempotencyRecord> idempotency;
  Table<NetworkInsightsPath> insights_paths;
  Table<NetworkInsightsAnalysis> insights_analyses;
  Table<FlowLog> flow_logs;

  // Derived indexes, maintained by hooks (never persisted).
  std::map<std::string, std::set<std::string>> subnets_by_vpc;
  std::map<std::string, std::set<std::string>> enis_by_subnet;
  std::map<std::string, std::set<std::string>> enis_by_instance;
  std::map<std::string, std::set<std::string>> groups_by_vpc;
  std::map<std::string, int> ipv4_used_by_subnet;  // private IPv4s in use
  // (vpc id, private IPv4/IPv6) -> owning ENI id. Addresses are unique per VPC.
  // Hashed: a tree compares the VPC id strings at every level.
  struct AddressKeyHash {
    size_t operator()(const std::pair<std::string, IpAddress>& k) const;
  };
  std::unordered_map<std::pair<std::string, IpAddress>, std::string, AddressKeyHash> address_owner;
  std::map<std::string, std::string> rule_owner;        // sgr- -> sg-
  std::map<std::string, std::string> attachment_owner;  // eni-attach- -> eni-
  // sg- -> number of ENIs using it, and groups whose rules reference it.
  std::map<std::string, int> group_eni_count;
  std::map<std::string, std::set<std::string>> group_referenced_by;

  std::vector<TableBase*> tables();
  Random& random();
  Clock& clock();
  int64_t now_ms();
  std::string NewId(std::string_view prefix);

  // Names of this region's availability zones ("us-east-1a", ...).
  const std::vector<std::string>& availability_zones() const { return azs_; }
  bool IsAvailabilityZone(std::string_view az) const;

 private:
  void InstallHooks();
  std::vector<std::string> azs_;
};

}  // namespace minivpc
