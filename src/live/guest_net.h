// GuestNet: the network configuration inside an instance's namespace, made
// as an EC2 instance's own OS makes it. The primary IPv4 comes from DHCP
// (udhcpc with DhcpScript(), which routes as Amazon Linux does: eth0 holds
// the default route, every other interface a routing table of its own used
// for traffic from its addresses) or, without DHCP, statically. Secondary
// IPv4s and IPv6 addresses are added as ec2-net-utils adds them; IPv6 gets
// the subnet's /64 on link and a default route via the router's link-local
// address (fe80:: + EUI-64 of the router MAC, answered by the switch's
// neighbor discovery), in the same main-table/per-interface-table split.
//
// Control plane only: every function runs `ip` in the namespace (system.h)
// and ignores failures of single commands (the namespace may be going
// away); none touches the host's namespace.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "net/ip.h"

namespace minivpc::live {

// What one attached ENI should have.
struct GuestEni {
  std::string id;
  int device_index = 0;
  MacAddress mac;
  IpAddress primary;
  Cidr subnet;
  IpAddress router;  // subnet .1
  std::vector<IpAddress> secondary;
  std::vector<IpAddress> ipv6;
};

// What SyncAddresses configured on one interface (besides DHCP's address).
// Reset it when the link goes down: the kernel drops IPv6 addresses and
// routes of a link that goes down.
struct GuestEniState {
  std::set<std::string> addresses;  // "ip/len"
  bool ipv6_route = false;
};

std::string EthName(int device_index);

// The udhcpc script (see above).
const char* DhcpScript();

// The primary IPv4 and, on eth0, the default route, without DHCP.
void ConfigureStaticIpv4(const std::string& ns, const GuestEni& e);

// Adds and removes secondary IPv4s and IPv6 addresses so that the
// interface has exactly `e`'s, and sets the IPv6 default route once the
// interface has an IPv6 address.
void SyncAddresses(const std::string& ns, const GuestEni& e, GuestEniState* state);

// The table of interface ethN (N > 0): 10000 + N.
int RouteTableOf(int device_index);

}  // namespace minivpc::live
