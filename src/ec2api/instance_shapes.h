// Instance output shapes shared by the instance action files, and the
// registrations RegisterInstanceActions pulls in: the attribute actions
// (instance_attribute_actions.cc) and DescribeInstanceTypes
// (instance_type_actions.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "ec2api/action.h"
#include "vpc/instances.h"
#include "vpc/region_state.h"

namespace minivpc::ec2api {

// The Instance output shape. Network details come from the attached ENIs:
// the primary ENI gives PrivateIpAddress, PublicIpAddress (its primary
// private IP's public mapping), SecurityGroups, SourceDestCheck, SubnetId
// and VpcId; a terminated instance has none. Items also carry
// "ReservationId" and "OwnerId" for the reservation-level filters (the
// encoder drops them: they are not Instance members).
nlohmann::json RenderInstance(const RegionState& r, const Instance& inst);

// InstanceStateChange items: {"InstanceId", "CurrentState", "PreviousState"}.
nlohmann::json RenderStateChanges(const std::vector<StateChange>& changes);

// {"Code", "Name"} for a state name.
nlohmann::json RenderState(const std::string& state);

void RegisterInstanceAttributeActions(ActionTable& t);
void RegisterInstanceTypeActions(ActionTable& t);

}  // namespace minivpc::ec2api
