// The action table: every EC2 action minivpc serves, with its handler.
//
// A handler receives the decoded input (JSON keyed by botocore member names)
// and the region state, enforces the rules through the vpc/ operations and
// returns the output JSON (keyed by output member names) or an error Status.
// Handlers never lock, persist or roll back: the service does that around
// them. A handler that fails may leave partial changes; they are rolled back.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "vpc/region_state.h"

namespace minivpc::ec2api {

struct Call {
  RegionState& region;
  const nlohmann::json& input;
  const std::string& action;
};

using Handler = StatusOr<nlohmann::json> (*)(Call& call);

enum class Access { kRead, kWrite };

struct ActionSpec {
  Access access;
  Handler handler;
};

using ActionTable = std::unordered_map<std::string, ActionSpec>;

// All actions; built once, thread safe to read.
const ActionTable& Actions();

// Each area registers its actions (defined in *_actions.cc).
void RegisterVpcActions(ActionTable& t);
void RegisterSubnetActions(ActionTable& t);
void RegisterRegionActions(ActionTable& t);
void RegisterTagActions(ActionTable& t);
void RegisterNetworkInterfaceActions(ActionTable& t);
void RegisterInstanceActions(ActionTable& t);
void RegisterSecurityGroupActions(ActionTable& t);
void RegisterNetworkAclActions(ActionTable& t);
void RegisterRouteTableActions(ActionTable& t);
void RegisterInternetGatewayActions(ActionTable& t);
void RegisterAddressActions(ActionTable& t);
void RegisterNetworkInsightsActions(ActionTable& t);
void RegisterFlowLogActions(ActionTable& t);

}  // namespace minivpc::ec2api
