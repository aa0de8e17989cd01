// Elastic IP addresses: allocation from the emulated public pool, and the
// 1:1 mapping of an elastic IP to a private IPv4 of a network interface.
//
//   auto alloc = AllocateAddress(r, {});                       // "eipalloc-..."
//   AssociateAddressArgs a;
//   a.allocation_id = *alloc;
//   a.network_interface_id = eni_id;                          // primary IP by default
//   auto assoc = AssociateAddress(r, a);                      // "eipassoc-..."
//
// An association is stored twice, and the two are always changed together:
// on the ElasticIp row (network_interface_id, private_ip, association_id) and
// on the target PrivateIp of the ENI row (association = {public_ip,
// allocation_id, association_id}), so the data plane finds every public
// mapping on the ENI. A private IP maps at most one public IPv4: an elastic
// IP replaces an auto-assigned public IP (which is released) or another
// elastic IP (which stays allocated). Following AWS, when an elastic IP
// leaves the primary private IP of an instance's only interface and the
// instance was launched with an auto-assigned public IP and is pending or
// running, the instance receives a new auto-assigned public IPv4.
//
// Not thread safe (the Cloud's lock serialises callers); on error the caller
// rolls the journal back.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "vpc/lookups.h"
#include "vpc/region_state.h"

namespace minivpc {

// AWS's default quota of elastic IPs per region.
inline constexpr size_t kMaxElasticIpsPerRegion = 5;

inline constexpr IdKind kEipAssociationKind{"eipassoc", "association ID",
                                            err::kInvalidAssociationIdMalformed,
                                            err::kInvalidAssociationIdNotFound};

struct AllocateAddressArgs {
  std::string domain;                // "" or "vpc"
  std::string address;               // optional: recover this pool address
  std::string public_ipv4_pool;      // "" or "amazon"
  std::string network_border_group;  // "" or the region's name
  Tags tags;
};

// Returns the allocation id. Errors: InvalidParameterValue (domain, pool,
// border group, address text), AddressLimitExceeded, InvalidAddress.NotFound
// when `address` is outside the pool or taken.
StatusOr<std::string> AllocateAddress(RegionState& r, const AllocateAddressArgs& args);

// Errors: InvalidAllocationID.*, InvalidAddress.NotFound for a wrong
// `network_border_group`, InvalidIPAddress.InUse while associated with an
// interface outside the default VPC. In the default VPC an associated
// address is disassociated first, as AWS does.
Status ReleaseAddress(RegionState& r, const std::string& allocation_id,
                      const std::string& network_border_group = "");

struct AssociateAddressArgs {
  std::string allocation_id;
  // Exactly one of these. An instance must have exactly one interface.
  std::string instance_id;
  std::string network_interface_id;
  std::string private_ip_address;  // default: the interface's primary IPv4
  // Unset: reassociation is automatic (AWS's default in a VPC). false: fail
  // with Resource.AlreadyAssociated if the address is mapped elsewhere.
  std::optional<bool> allow_reassociation;
};

// Returns the association id. Errors: InvalidAllocationID.*, InvalidInstanceID.*,
// InvalidNetworkInterfaceID.*, MissingParameter/InvalidParameterCombination
// (not exactly one target), InvalidInstanceID (several interfaces),
// IncorrectInstanceState (no interface), InvalidParameterValue (private IP
// not on the interface), Gateway.NotAttached (the VPC has no internet
// gateway), Resource.AlreadyAssociated (see allow_reassociation).
// Associating again to the same private IP returns the existing association.
StatusOr<std::string> AssociateAddress(RegionState& r, const AssociateAddressArgs& args);

// Errors: InvalidAssociationID.NotFound/.Malformed.
Status DisassociateAddress(RegionState& r, const std::string& association_id);

// For operations that remove private IPs (DeleteNetworkInterface,
// UnassignPrivateIpAddresses, instance termination): disassociates every
// elastic IP mapped to `eni_id` (only the one on `private_ip` when given),
// clearing both the ElasticIp rows and the ENI's PrivateIp associations. No
// auto-assigned IP is given in exchange. Re-read the ENI row afterwards.
void DisassociateAddressesOfInterface(RegionState& r, const std::string& eni_id,
                                      std::optional<IpAddress> private_ip = std::nullopt);

// nullptr when no elastic IP of this region has that public IP / association.
const ElasticIp* FindAddressByPublicIp(const RegionState& r, IpAddress public_ip);
const ElasticIp* FindAddressByAssociation(const RegionState& r, const std::string& association_id);

}  // namespace minivpc
