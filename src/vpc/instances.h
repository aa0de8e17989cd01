// EC2 instances as the VPC sees them: a launch that creates and attaches
// network interfaces, and a state machine that moves public IPv4s.
//
//   RunInstancesArgs a;
//   a.image_id = "ami-12345678";
//   a.subnet_id = subnet;  // or a.network_interfaces = {...}
//   MINIVPC_ASSIGN_OR_RETURN(LaunchResult launched, RunInstances(r, a));
//   MINIVPC_ASSIGN_OR_RETURN(auto changes, StopInstances(r, launched.instance_ids));
//
// Model. Transitions are immediate: a launched instance is stored running
// (RunInstances answers "pending"), StopInstances stores stopped (answers
// "stopping"), StartInstances running ("pending"), TerminateInstances
// terminated ("shutting-down"). Terminated instances stay visible, as AWS
// keeps them for about an hour, and cannot be started.
//
// Public IPv4 (the VPC rule the seeds state): a launch with a single new
// network interface gets an auto-assigned public IPv4 on that primary ENI's
// primary private IP when its subnet maps public IPs on launch or the
// interface asks for one (AssociatePublicIpAddress, explicit false wins).
// It is not static: stop releases it, start assigns a new, different one.
// Elastic IPs (allocation id set) survive stop/start and are never removed
// here. Launching with several interfaces or an existing ENI assigns none.
//
// Multi-instance calls (Start/Stop/Reboot/Terminate) are atomic: any unknown
// id or refused transition fails the call and the caller's rollback leaves
// every instance unchanged. Not thread safe (the Cloud's lock serialises).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "net/ip.h"
#include "vpc/region_state.h"

namespace minivpc {

// RunInstances without InstanceType. AWS documents m1.small, a previous
// generation type the catalogue (instance_types.h) does not carry; t2.micro
// is the smallest general purpose type it has and the console's default.
inline constexpr std::string_view kDefaultInstanceType = "t2.micro";

// One NetworkInterfaces item of RunInstances: an existing ENI
// (network_interface_id) or the description of a new one.
struct LaunchInterface {
  std::optional<int> device_index;
  std::string network_interface_id;
  std::string subnet_id;
  std::vector<std::string> group_ids;
  std::string description;
  std::optional<IpAddress> primary_ip;
  std::vector<IpAddress> secondary_ips;
  std::optional<int> secondary_count;
  std::vector<IpAddress> ipv6_addresses;
  std::optional<int> ipv6_count;
  std::optional<bool> associate_public_ip;
  std::optional<bool> delete_on_termination;  // default: true for new ENIs
};

struct RunInstancesArgs {
  std::string image_id;       // ami- + 8 or 17 hex digits
  std::string instance_type;  // "" = kDefaultInstanceType
  int min_count = 1;
  int max_count = 1;
  // Instance-level network settings (the primary interface), exclusive
  // with network_interfaces.
  std::string subnet_id;  // "" = a default subnet of the default VPC
  std::vector<std::string> security_group_ids;
  std::vector<std::string> security_group_names;  // default VPC only
  std::optional<IpAddress> private_ip;
  std::vector<IpAddress> ipv6_addresses;
  std::optional<int> ipv6_count;
  std::vector<LaunchInterface> network_interfaces;
  std::string availability_zone;  // Placement.AvailabilityZone
  std::string key_name;
  std::string client_token;
  bool disable_api_termination = false;
  Tags instance_tags;
  Tags interface_tags;  // for the network interfaces created at launch
};

struct LaunchResult {
  std::string reservation_id;
  std::vector<std::string> instance_ids;  // in launch index order
};

// Launches between min_count and max_count instances (as many as the
// subnets' free addresses allow) in one reservation. Errors:
// MissingParameter, InvalidAMIID.Malformed, InvalidParameterValue (unknown
// instance type, counts, device indexes, zone), InvalidParameterCombination
// (conflicting parameters, AssociatePublicIpAddress misuse, ENIs in
// different zones), VPCIdNotSpecified / MissingInput (no default VPC or
// subnet), InsufficientFreeAddressesInSubnet (fewer than min_count fit),
// AttachmentLimitExceeded, PrivateIpAddressLimitExceeded,
// InvalidNetworkInterface.InUse, and the subnet/group/ENI lookup errors.
StatusOr<LaunchResult> RunInstances(RegionState& r, const RunInstancesArgs& args);

struct StateChange {
  std::string instance_id;
  std::string previous;
  std::string current;
};

// EC2's state codes: 0 pending, 16 running, 32 shutting-down, 48
// terminated, 64 stopping, 80 stopped.
int StateCode(std::string_view state);

// Each takes the ids in request order; InvalidInstanceID.NotFound/Malformed
// for an unknown id, IncorrectInstanceState for a refused transition
// (starting or stopping a terminated instance), OperationNotPermitted for
// terminating an instance with termination protection.
StatusOr<std::vector<StateChange>> StartInstances(RegionState& r,
                                                  const std::vector<std::string>& ids);
StatusOr<std::vector<StateChange>> StopInstances(RegionState& r,
                                                 const std::vector<std::string>& ids);
StatusOr<std::vector<StateChange>> TerminateInstances(RegionState& r,
                                                      const std::vector<std::string>& ids);
// Running instances stay running; terminated ones are ignored, as AWS
// ignores them; stopped ones are IncorrectInstanceState.
Status RebootInstances(RegionState& r, const std::vector<std::string>& ids);

// ModifyInstanceAttribute: one attribute per call. source_dest_check and
// group_ids act on the primary ENI; instance_type needs a stopped instance
// and a type whose limits fit the attached ENIs.
struct ModifyInstanceArgs {
  std::optional<bool> source_dest_check;
  std::optional<std::vector<std::string>> group_ids;
  std::optional<std::string> instance_type;
  std::optional<bool> disable_api_termination;
};
Status ModifyInstanceAttribute(RegionState& r, const std::string& instance_id,
                               const ModifyInstanceArgs& args);

// The named instances, each once, in request order. MissingParameter for
// no ids; InvalidInstanceID.Malformed, or InvalidInstanceID.NotFound naming
// every unknown id ("The instance IDs 'i-1, i-2' do not exist").
StatusOr<std::vector<Instance>> FindInstances(const RegionState& r,
                                              const std::vector<std::string>& ids);

// The instance's primary ENI (device index 0), or nullptr once terminated.
const NetworkInterface* PrimaryInterface(const RegionState& r, const Instance& inst);
// The instance's attached ENIs ordered by device index.
std::vector<const NetworkInterface*> AttachedInterfaces(const RegionState& r, const Instance& inst);

}  // namespace minivpc
