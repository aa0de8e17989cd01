// A compact text dump of one region's networking state, with the fields the
// data plane reads, for the differential test's failure messages.
#pragma once

#include <string>

#include "vpc/region_state.h"

namespace minivpc::difftest {

// One line per VPC, subnet, route table, network ACL, security group,
// internet gateway and ENI (and one per route, entry and rule), indented.
// Caller holds the cloud lock (shared).
std::string DescribeRegion(const RegionState& r);

}  // namespace minivpc::difftest
