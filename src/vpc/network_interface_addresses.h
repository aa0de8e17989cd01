// Address helpers shared by the ENI operations (network_interfaces.h) and
// instance launch: choosing and checking private IPv4/IPv6 addresses of a
// subnet.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "vpc/network_interfaces.h"

namespace minivpc {

// The IPv4s of a new ENI in `s`, primary first: the requested primary (or
// one picked at random that avoids the requested secondaries), the
// requested secondaries, then `secondary_count` picked at random.
StatusOr<std::vector<PrivateIp>> ChooseIpv4Addresses(RegionState& r, const Subnet& s,
                                                     const CreateNetworkInterfaceArgs& args);

// `explicit_addresses` checked (inside the subnet's /64, not reserved, free)
// plus `count` picked at random. InvalidParameterValue when the subnet has
// no IPv6 block and any address is wanted.
StatusOr<std::vector<IpAddress>> ChooseIpv6Addresses(
    RegionState& r, const Subnet& s, const std::vector<IpAddress>& explicit_addresses, int count);

}  // namespace minivpc
