// Network interface shapes shared by the ENI and instance actions.
//
// RenderNetworkInterface builds the NetworkInterface output shape; the
// instance actions reuse it for InstanceNetworkInterface, whose members are
// a subset (the encoder drops the others). Items also carry a "Tags" copy of
// "TagSet" so the generic tag:/tag-key filters see an ENI's tags (the
// encoder drops that key too). The Parse* helpers read the address members
// that CreateNetworkInterface and RunInstances' NetworkInterfaces share.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "net/ip.h"
#include "vpc/region_state.h"

namespace minivpc::ec2api {

// [{"GroupId", "GroupName"}] for security group ids.
nlohmann::json RenderGroupIdentifiers(const RegionState& r, const std::vector<std::string>& ids);
// {"PublicIp", "IpOwnerId" ("amazon" when auto-assigned), "PublicDnsName"
// (when the VPC has DNS hostnames), "AllocationId"/"AssociationId" (EIPs)}.
nlohmann::json RenderPublicIp(const RegionState& r, const std::string& vpc_id,
                              const PublicIpAssociation& a);
nlohmann::json RenderNetworkInterface(const RegionState& r, const NetworkInterface& e);

// The addresses of a new interface: PrivateIpAddress, PrivateIpAddresses
// ([{PrivateIpAddress, Primary}]) and Ipv6Addresses ([{Ipv6Address}]).
struct InterfaceAddresses {
  std::optional<IpAddress> primary;
  std::vector<IpAddress> secondaries;
  std::vector<IpAddress> ipv6;
};
// Errors: InvalidParameterValue for malformed text or two primaries,
// InvalidParameterCombination when PrivateIpAddress and a different
// Primary=true address are both given.
StatusOr<InterfaceAddresses> ParseInterfaceAddresses(const nlohmann::json& in);

// A list of address strings (input member `member`, IPv4 or IPv6 per `v6`).
StatusOr<std::vector<IpAddress>> ParseAddressList(const nlohmann::json& in, std::string_view member,
                                                  bool v6);

}  // namespace minivpc::ec2api
