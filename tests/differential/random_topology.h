// RandomTopology: a random, valid AWS networking configuration, built
// through the real EC2 API (Ec2Service::ExecuteSync with wire parameters),
// for the differential test of the data plane against the reference
// evaluator.
//
//   RandomTopology t(seed);
//   t.Build();                 // VPCs, subnets, groups, ACLs, routes, instances
//   ... packets against t.region() ...
//   t.Mutate();                // stop, detach, delete, retarget, add rules
//
// Address spaces are kept small so that random packets hit interesting
// cases: VPCs are /26s (sometimes overlapping across VPCs), subnets /28s,
// the public IPv4 pool a /26 and the Amazon IPv6 pool a /52. Every random
// choice comes from one std::mt19937_64 seeded by `seed`, and the cloud's own
// randomness (ids, addresses) from a SystemRandom with the same seed, so a
// seed replays the configuration exactly. Calls the control plane rejects
// (quotas, overlaps, a table already associated...) are part of the game and
// are simply not logged. Not thread safe.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ec2api/service.h"
#include "net/ip.h"
#include "store/store.h"
#include "vpc/cloud.h"

namespace minivpc::difftest {

inline constexpr const char* kAccount = "123456789012";
inline constexpr const char* kRegion = "us-east-1";

class RandomTopology {
 public:
  explicit RandomTopology(uint64_t seed);

  void Build();
  // Changes a built configuration: instances stopped/started/terminated,
  // source/destination checks, group memberships, secondary addresses
  // assigned and unassigned, ENIs detached and deleted (leaving blackhole
  // routes), gateways detached, elastic IPs moved, ACL entries deleted,
  // subnets back on the main table, a new main table, and a few more rules,
  // entries and routes.
  void Mutate();

  Cloud& cloud() { return cloud_; }
  // Precondition: Build() ran (the region exists).
  const RegionState& region() const;
  std::mt19937_64& rng() { return rng_; }
  // Ports and ICMP types the rules name, for packets to probe around.
  const std::vector<int>& ports() const { return ports_; }
  const std::vector<int>& icmp_types() const { return icmp_types_; }
  // The successful calls, one line each, in order.
  const std::vector<std::string>& calls() const { return calls_; }
  int failed_calls() const { return failed_calls_; }

 private:
  struct VpcInfo {
    std::string id;
    Cidr cidr;                 // the primary block
    std::vector<Cidr> blocks;  // every IPv4 block, primary first
    std::vector<std::string> subnets;
    std::vector<std::string> groups;  // custom and default
    std::vector<std::string> acls;    // custom and default
    std::vector<std::string> tables;  // custom and main
  };

  // Runs one action; logs it when it succeeds. Returns the output or null.
  nlohmann::json Call(const std::string& action, ec2api::QueryParams params);
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  void CreateVpc();
  void CreateSubnets(VpcInfo& vpc);
  void CreateGateways();
  void LaunchInstances(const VpcInfo& vpc);
  void CreateStandaloneEni(const VpcInfo& vpc, const std::string& subnet);
  void AssociateElasticIps();
  // Broad allow-all ingress rules, so that enough packets get through.
  void AddOpenRules(const VpcInfo& vpc, const std::string& group);
  void AddGroupRules(const VpcInfo& vpc, const std::string& group, int count);
  void AddAclEntries(const VpcInfo& vpc, const std::string& acl, int count);
  void AddRoutes(const VpcInfo& vpc, const std::string& table, int count);
  void AssociateTablesAndAcls(const VpcInfo& vpc);
  void MutateInstances();
  void MutateEni(const VpcInfo& vpc, const std::string& eni);
  void MutateAcl(const VpcInfo& vpc, const std::string& acl);
  void MutateAssociations(const VpcInfo& vpc);

  int RandomPort();
  std::string RandomRuleCidr(const VpcInfo& vpc, bool v6, bool strict);
  std::string RandomRouteCidr(const VpcInfo& vpc, bool v6);
  std::vector<std::string> EnisOf(const std::string& vpc_id) const;
  std::vector<std::string> InstancesOf(const std::string& vpc_id, bool with_one_eni) const;
  std::vector<IpAddress> AddressesOf(const std::string& vpc_id, bool v6) const;
  std::vector<Cidr> SubnetBlocks(const VpcInfo& vpc, bool v6) const;
  std::vector<Cidr> Ipv6Blocks() const;
  // `n` distinct groups of the VPC (fewer if it has fewer).
  std::vector<std::string> SomeGroups(const VpcInfo& vpc, int n);
  // The gateway attached to the VPC, or "".
  std::string GatewayOf(const std::string& vpc_id) const;

  SystemRandom random_;
  FakeClock clock_;
  Cloud cloud_;
  std::unique_ptr<Store> store_;
  ec2api::Ec2Service service_;
  std::mt19937_64 rng_;
  std::vector<VpcInfo> vpcs_;
  std::vector<std::string> igws_;
  std::vector<std::string> standalone_enis_;
  std::vector<std::string> eips_;
  std::vector<int> ports_;
  std::vector<int> icmp_types_;
  std::vector<std::string> calls_;
  int failed_calls_ = 0;
  int group_counter_ = 0;
};

}  // namespace minivpc::difftest
