// Elastic network interfaces (ENIs): the addresses, security groups and
// attachment of a virtual NIC, with AWS's rules.
//
//   CreateNetworkInterfaceArgs a;
//   a.subnet_id = subnet;                    // primary IPv4 picked at random
//   MINIVPC_ASSIGN_OR_RETURN(std::string eni, CreateNetworkInterface(r, a));
//   MINIVPC_ASSIGN_OR_RETURN(std::string attach_id,
//                            AttachNetworkInterface(r, eni, instance, /*device_index=*/1));
//
// The rules, as AWS states them:
//  - An ENI lives in one subnet. Its primary private IPv4 comes from that
//    subnet (never one of the five reserved addresses, unique in the VPC) and
//    never changes for the ENI's life; it cannot be unassigned.
//  - Secondary IPv4s come from the same subnet. With AllowReassignment an
//    address held as a secondary by another ENI moves here (with its elastic
//    IP, as AWS moves it); without it that is InvalidIPAddress.InUse.
//  - IPv6 addresses come only from the subnet's /64.
//  - Each ENI has a unique MAC, 1..5 security groups of its own VPC (the
//    VPC's default group when none is given) and a source/destination check
//    flag (default true).
//  - An attached ENI obeys its instance type's per-interface address limits
//    (PrivateIpAddressLimitExceeded); an instance obeys its type's ENI count
//    limit (AttachmentLimitExceeded). ENI and instance share one AZ; the
//    device index is free; the primary ENI (device index 0) never detaches.
//
// Every function takes the region state and returns an error without
// partial-change guarantees: the caller rolls the journal back on error.
// Not thread safe (the Cloud's lock serialises callers).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/ip.h"
#include "vpc/instance_types.h"
#include "vpc/region_state.h"

namespace minivpc {

struct CreateNetworkInterfaceArgs {
  std::string subnet_id;
  std::string description;
  std::optional<IpAddress> primary_ip;   // picked at random when absent
  std::vector<IpAddress> secondary_ips;  // explicit secondary IPv4s
  int secondary_count = 0;               // plus this many picked at random
  std::vector<IpAddress> ipv6_addresses;
  // IPv6 addresses picked from the subnet's /64. Absent (and no explicit
  // addresses): one when the subnet assigns IPv6 on creation, else none.
  std::optional<int> ipv6_count;
  std::vector<std::string> group_ids;  // empty: the VPC's default group
  Tags tags;
};

// Returns the new ENI's id (status "available"). Errors:
// InvalidSubnetID.*, InvalidParameterValue (address outside the subnet or
// reserved, IPv6 without a subnet /64, bad counts), InvalidIPAddress.InUse,
// InsufficientFreeAddressesInSubnet, group errors (ResolveSecurityGroups).
StatusOr<std::string> CreateNetworkInterface(RegionState& r,
                                             const CreateNetworkInterfaceArgs& args);

// InvalidNetworkInterface.InUse while attached. Elastic IPs associated with
// the ENI are disassociated; auto-assigned public IPs are released.
Status DeleteNetworkInterface(RegionState& r, const std::string& eni_id);

// Attaches an available ENI to a running or stopped instance at
// `device_index`; returns the attachment id (eni-attach-...).
// DeleteOnTermination starts false. Errors: IncorrectInstanceState,
// InvalidNetworkInterface.InUse, InvalidParameterCombination (different
// AZ), InvalidParameterValue (device index taken or negative),
// AttachmentLimitExceeded, PrivateIpAddressLimitExceeded.
StatusOr<std::string> AttachNetworkInterface(RegionState& r, const std::string& eni_id,
                                             const std::string& instance_id, int device_index);

// Detaches by attachment id. InvalidAttachmentID.NotFound for an unknown
// id; OperationNotPermitted for the primary ENI (device index 0), with or
// without `force` (AWS's Force skips the guest's cooperation, not the rule).
Status DetachNetworkInterface(RegionState& r, const std::string& attachment_id, bool force);

// Attaches without the checks; used by RunInstances after it validated.
std::string AttachUnchecked(RegionState& r, const std::string& eni_id,
                            const std::string& instance_id, int device_index,
                            bool delete_on_termination);
// Clears the attachment and releases auto-assigned public IPv4s (an ENI
// that leaves its instance keeps only elastic IPs). No-op if detached.
void DetachUnchecked(RegionState& r, const std::string& eni_id);

// ModifyNetworkInterfaceAttribute: exactly one attribute per call, as AWS
// requires (InvalidParameterCombination otherwise). `attachment_id` must be
// the ENI's current attachment (InvalidAttachmentID.NotFound).
struct ModifyNetworkInterfaceArgs {
  std::optional<std::string> description;
  std::optional<bool> source_dest_check;
  std::optional<std::vector<std::string>> group_ids;
  std::optional<std::string> attachment_id;
  std::optional<bool> delete_on_termination;
};
Status ModifyNetworkInterfaceAttribute(RegionState& r, const std::string& eni_id,
                                       const ModifyNetworkInterfaceArgs& args);

// Adds secondary IPv4s: the given `addresses`, or `count` picked at random
// (exactly one of the two). Returns the addresses assigned.
StatusOr<std::vector<IpAddress>> AssignPrivateIpAddresses(RegionState& r, const std::string& eni_id,
                                                          const std::vector<IpAddress>& addresses,
                                                          std::optional<int> count,
                                                          bool allow_reassignment);
// Removes secondary IPv4s (their elastic IPs are disassociated).
// InvalidParameterValue for the primary or an address the ENI lacks.
Status UnassignPrivateIpAddresses(RegionState& r, const std::string& eni_id,
                                  const std::vector<IpAddress>& addresses);
// Adds IPv6s from the subnet's /64: the given ones or `count` at random.
StatusOr<std::vector<IpAddress>> AssignIpv6Addresses(RegionState& r, const std::string& eni_id,
                                                     const std::vector<IpAddress>& addresses,
                                                     std::optional<int> count);
StatusOr<std::vector<IpAddress>> UnassignIpv6Addresses(RegionState& r, const std::string& eni_id,
                                                       const std::vector<IpAddress>& addresses);

// The security groups of a new ENI in `vpc_id`: the given ones, validated by
// ValidateGroupsForEni (security_groups.h: 1..5 distinct groups of that
// VPC), or the VPC's default group when none is given.
StatusOr<std::vector<std::string>> ResolveSecurityGroups(const RegionState& r,
                                                         const std::string& vpc_id,
                                                         const std::vector<std::string>& group_ids);

// PrivateIpAddressLimitExceeded / InvalidParameterValue when `eni` holds
// more IPv4 / IPv6 addresses than one interface of type `t` may.
Status CheckInterfaceLimits(const NetworkInterface& eni, const InstanceTypeInfo& t);

// Maps a new auto-assigned public IPv4 to the ENI's primary private IP,
// unless that address already has a public IP (an elastic IP stays). The
// new address lies outside the VPC's IPv4 blocks and differs from `avoid`
// (the one released at the last stop). AddressLimitExceeded when the
// public pool has no such address.
Status AssignAutoPublicIp(RegionState& r, const std::string& eni_id,
                          std::optional<IpAddress> avoid = std::nullopt);
// Removes auto-assigned public IPv4s (allocation id empty) from the ENI.
void ReleaseAutoPublicIps(RegionState& r, const std::string& eni_id);

// EC2's DNS names: "ip-10-0-1-5.ec2.internal" in us-east-1, else
// "ip-10-0-1-5.<region>.compute.internal"; "ec2-198-18-0-5.compute-1.
// amazonaws.com" in us-east-1, else "ec2-...<region>.compute.amazonaws.com".
std::string PrivateDnsName(const std::string& region, IpAddress ip);
std::string PublicDnsName(const std::string& region, IpAddress ip);

}  // namespace minivpc
