// Subnet operations and the address rules of a subnet: AWS reserves the
// first four addresses and the last one of every IPv4 subnet, so a /24 has
// 251 usable addresses. Private addresses are unique within a VPC.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc {

struct CreateSubnetArgs {
  std::string vpc_id;
  std::string cidr_block;         // must lie inside one of the VPC's IPv4 blocks
  std::string ipv6_cidr_block;    // optional /64 inside the VPC's /56
  std::string availability_zone;  // optional; or:
  std::string availability_zone_id;
  Tags tags;
};

StatusOr<std::string> CreateSubnet(RegionState& r, const CreateSubnetArgs& args);
// DependencyViolation while network interfaces remain in the subnet.
Status DeleteSubnet(RegionState& r, const std::string& subnet_id);
Status ModifySubnetAttribute(RegionState& r, const std::string& subnet_id,
                             std::optional<bool> map_public_ip_on_launch,
                             std::optional<bool> assign_ipv6_address_on_creation);

StatusOr<CidrAssociation> AssociateSubnetCidrBlock(RegionState& r, const std::string& subnet_id,
                                                   const std::string& ipv6_cidr_block);
// Returns the subnet id and the association (state "disassociating").
StatusOr<std::pair<std::string, CidrAssociation>> DisassociateSubnetCidrBlock(
    RegionState& r, const std::string& association_id);

// Addresses a subnet can still hand out (size - 5 - addresses in use).
int64_t AvailableIpAddressCount(const RegionState& r, const Subnet& s);
// Network address, .1 (router), .2 (DNS), .3 (reserved) and broadcast.
bool IsReservedAddress(const Subnet& s, IpAddress ip);
// Checks that `ip` may be given to an ENI in `s`: inside the subnet, not
// reserved, not used by another ENI in the VPC.
Status CheckPrivateIpAvailable(const RegionState& r, const Subnet& s, IpAddress ip);
// A random free IPv4 in the subnet, or InsufficientFreeAddressesInSubnet.
// `taken` holds addresses already chosen in the current operation.
StatusOr<IpAddress> PickPrivateIp(RegionState& r, const Subnet& s,
                                  const std::vector<IpAddress>& taken = {});
// A random free IPv6 in the subnet's /64 (requires one).
StatusOr<IpAddress> PickIpv6(RegionState& r, const Subnet& s,
                             const std::vector<IpAddress>& taken = {});

}  // namespace minivpc
