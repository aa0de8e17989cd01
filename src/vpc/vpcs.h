// VPC operations: create (with its main route table, default network ACL and
// default security group), delete, attributes, CIDR blocks, and the default
// VPC every region starts with.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc {

struct CreateVpcArgs {
  std::string cidr_block;             // "10.0.0.0/16"; /16 to /28
  bool amazon_provided_ipv6 = false;  // adds an Amazon-provided /56
  std::string instance_tenancy = "default";
  Tags tags;
};

// Returns the new VPC's id. Errors: InvalidParameterValue (bad CIDR),
// InvalidVpc.Range (prefix outside /16../28).
StatusOr<std::string> CreateVpc(RegionState& r, const CreateVpcArgs& args);

// Errors: InvalidVpcID.NotFound, DependencyViolation while subnets,
// non-default groups, custom route tables or ACLs, gateways or ENIs remain.
Status DeleteVpc(RegionState& r, const std::string& vpc_id);

// Exactly one of the attributes is set, as AWS requires.
Status ModifyVpcAttribute(RegionState& r, const std::string& vpc_id,
                          std::optional<bool> enable_dns_support,
                          std::optional<bool> enable_dns_hostnames);

struct VpcCidrResult {
  std::string vpc_id;
  CidrAssociation association;
  bool ipv6 = false;
};
// Adds a secondary IPv4 block, or the Amazon-provided IPv6 /56. Local routes
// for the block are added to every route table of the VPC.
StatusOr<VpcCidrResult> AssociateVpcCidrBlock(RegionState& r, const std::string& vpc_id,
                                              const std::string& cidr_block, bool amazon_ipv6);
StatusOr<VpcCidrResult> DisassociateVpcCidrBlock(RegionState& r, const std::string& association_id);

// Creates the default VPC as AWS lays it out: 172.31.0.0/16, one /20 default
// subnet per zone mapping public IPs on launch, an attached internet gateway
// and a 0.0.0.0/0 route to it. Returns the VPC id.
StatusOr<std::string> CreateDefaultVpc(RegionState& r);

// The region's default VPC id, or "".
std::string DefaultVpcId(const RegionState& r);

}  // namespace minivpc
