// Cloud: the whole emulated EC2 networking state, every account and region.
//
//   Cloud cloud(Cloud::Options{}, &random, &clock);
//   std::unique_lock lock(cloud.mutex());
//   RegionState& r = cloud.GetOrCreateRegion("123456789012", "us-east-1");
//   ... run an operation; on error cloud.journal().Rollback() ...
//
// Thread safety: callers hold mutex() shared to read and exclusive to write.
// Globally unique things (public IPv4s, MACs, Amazon IPv6 /56 blocks) are
// tracked here across regions and allocated at random from their pools.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_set>

#include "common/random.h"
#include "common/status.h"
#include "net/ip.h"
#include "vpc/region_state.h"
#include "vpc/table.h"

namespace minivpc {

class Cloud {
 public:
  struct Options {
    // Emulated public IPv4 pool (RFC 2544 benchmarking range by default, so
    // it never collides with a real address). Its last /24 is kept for the
    // emulated internet's test hosts and never assigned to an instance.
    Cidr public_pool = Cidr::Of(IpAddress::V4(0xC6120000), 15);  // 198.18.0.0/15
    // Amazon-provided IPv6 /56 blocks come from here.
    Cidr ipv6_pool = Cidr::Of(IpAddress::V6(uint128{0x2600'1f00} << 96), 24);
  };

  Cloud(Options options, Random* random, Clock* clock);
  Cloud(const Cloud&) = delete;
  Cloud& operator=(const Cloud&) = delete;

  std::shared_mutex& mutex() { return mutex_; }
  Journal& journal() { return journal_; }
  Random& random() { return *random_; }
  Clock& clock() { return *clock_; }
  const Options& options() const { return options_; }

  // nullptr if the region has no state yet.
  RegionState* FindRegion(const std::string& account, const std::string& region);
  // An empty region state (no default VPC); used by restore and by Seed.
  RegionState& EmptyRegion(const std::string& account, const std::string& region);
  const std::map<std::pair<std::string, std::string>, std::unique_ptr<RegionState>>& regions()
      const {
    return regions_;
  }

  // Global allocators. Each returns an unused value or an error when the
  // pool is exhausted. Allocation does not reserve: the caller stores the
  // value in a row, whose hook records it as used.
  StatusOr<IpAddress> AllocatePublicIp();
  MacAddress AllocateMac();
  StatusOr<Cidr> AllocateIpv6Block();

  // Hook targets: record values as used/free (called by RegionState hooks).
  void NotePublicIp(IpAddress ip, bool used);
  void NoteMac(MacAddress mac, bool used);
  void NoteIpv6Block(const Cidr& block, bool used);
  bool IsPublicIpUsed(IpAddress ip) const { return public_ips_.count(ip) > 0; }

 private:
  Options options_;
  Random* random_;
  Clock* clock_;
  std::shared_mutex mutex_;
  Journal journal_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<RegionState>> regions_;
  std::multiset<IpAddress> public_ips_;
  // A hash set: 100,000 random MACs in a tree cost a cache miss per level
  // on every restore; only membership is ever asked.
  struct MacHash {
    size_t operator()(MacAddress m) const { return std::hash<uint64_t>()(m.value()); }
  };
  std::unordered_multiset<MacAddress, MacHash> macs_;
  std::multiset<Cidr> ipv6_blocks_;
};

}  // namespace minivpc
