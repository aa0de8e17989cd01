// Random packets aimed at one configuration's interesting addresses.
//
//   PacketGenerator gen(region, *snapshot, rng, topo.ports(), topo.icmp_types());
//   Probe p;
//   while (gen.Next(&p)) { ... p.headers, p.ref_ingress, p.fast_ingress ... }
//
// Sources: every ENI (attached ones more often, with IPv6 addresses for
// IPv6 packets; running or not), usually
// with one of its own addresses, sometimes a foreign one; and the internet,
// usually through the gateway of the destination's VPC, sometimes through
// any gateway, attached or not. Destinations: ENI addresses,
// public IPv4s (mapped or not), addresses inside VPC and subnet blocks, and
// internet addresses nested like the routes the topology draws from.
// Protocols: TCP, UDP, ICMP/ICMPv6 and others; ports near the ones the rules
// name; TCP flags vary (SYN, ACK, FIN, RST). A few packets are first
// fragments, never later ones (the reference does not model reassembly). The region must not change
// while the generator is in use (it keeps pointers into it).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "analysis/reference_evaluator.h"
#include "dataplane/pipeline.h"
#include "dataplane/snapshot.h"
#include "vpc/region_state.h"

namespace minivpc::difftest {

struct Probe {
  dp::PacketHeaders headers;
  analysis::RefIngress ref_ingress;
  dp::Ingress fast_ingress;
};

// "eni-... tcp 10.0.0.5:40000 -> 8.8.8.8:443" (ICMP: "type/code").
std::string DescribeProbe(const Probe& p);

class PacketGenerator {
 public:
  PacketGenerator(const RegionState& r, const dp::Snapshot& s, std::mt19937_64& rng,
                  const std::vector<int>& ports, const std::vector<int>& icmp_types);
  // False when the region has neither ENIs nor internet gateways.
  bool Next(Probe* out);

 private:
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng_)];
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  IpAddress Anchor(bool v6);
  IpAddress InBlock(bool v6);
  IpAddress PublicPoolAddress();
  IpAddress AnyPrivate(bool v6);
  IpAddress DestinationFromEni(bool v6);
  IpAddress DestinationFromInternet(bool v6);
  void SetProtocol(bool v6, dp::PacketHeaders& h);
  uint16_t Port();
  // The gateway attached to the VPC that maps or holds `dst`, or "".
  std::string GatewayFor(IpAddress dst) const;

  const dp::Snapshot& snap_;
  std::mt19937_64& rng_;
  const RegionState& region_;
  const std::vector<int>& ports_;
  const std::vector<int>& icmp_types_;
  std::vector<const NetworkInterface*> enis_, attached_, attached_v6_;
  std::vector<std::string> igws_;
  std::vector<IpAddress> v4_, v6_, publics_;
  std::vector<Cidr> v4_blocks_, v6_blocks_;
};

}  // namespace minivpc::difftest
