// Resource rows -> EC2 output shapes (JSON keyed by botocore member names).
#pragma once

#include <nlohmann/json.hpp>

#include "vpc/region_state.h"

namespace minivpc::ec2api {

nlohmann::json RenderVpc(const RegionState& r, const Vpc& vpc);
nlohmann::json RenderVpcCidrAssociation(const CidrAssociation& a);
nlohmann::json RenderVpcIpv6Association(const CidrAssociation& a);
nlohmann::json RenderSubnet(const RegionState& r, const Subnet& s);
nlohmann::json RenderSubnetIpv6Association(const CidrAssociation& a);

}  // namespace minivpc::ec2api
