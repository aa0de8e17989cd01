// The address operations of an ENI: choosing addresses for a new ENI and
// assigning/unassigning secondary IPv4s and IPv6s later.
#include "vpc/network_interface_addresses.h"

#include <algorithm>

#include "common/error_codes.h"
#include "vpc/addresses.h"
#include "vpc/cloud.h"
#include "vpc/lookups.h"
#include "vpc/subnets.h"

namespace minivpc {
namespace {

bool Has(const std::vector<IpAddress>& v, IpAddress ip) {
  return std::find(v.begin(), v.end(), ip) != v.end();
}

Status Duplicate(IpAddress ip) {
  return Status(err::kInvalidParameterValue,
                "The address " + ip.ToString() + " is specified more than once.");
}

Status BadCount(const char* parameter, int64_t n) {
  return Status(err::kInvalidParameterValue, "Value (" + std::to_string(n) + ") for parameter " +
                                                 parameter +
                                                 " is invalid. Expected a positive integer.");
}

// Exactly one of explicit addresses or a count, as AWS requires.
Status CheckAddressesOrCount(bool has_addresses, std::optional<int> count, const char* list_name,
                             const char* count_name) {
  if (has_addresses && count) {
    return Status(err::kInvalidParameterCombination,
                  std::string("Specify either ") + list_name + " or " + count_name + ", not both.");
  }
  if (!has_addresses && !count) {
    return Status(err::kMissingParameter,
                  std::string("Either ") + list_name + " or " + count_name + " must be specified.");
  }
  if (count && *count <= 0) return BadCount(count_name, *count);
  return Status::Ok();
}

// The instance type of the instance `e` is attached to, or nullptr.
const InstanceTypeInfo* AttachedType(const RegionState& r, const NetworkInterface& e) {
  if (!e.attachment) return nullptr;
  const Instance* inst = r.instances.Find(e.attachment->instance_id);
  return inst ? FindInstanceType(inst->instance_type) : nullptr;
}

Status CheckIpv6InSubnet(const RegionState& r, const Subnet& s, IpAddress ip) {
  if (!ip.is_v6() || !s.ipv6->cidr.Contains(ip)) {
    return Status(err::kInvalidParameterValue, "Address " + ip.ToString() +
                                                   " does not fall within the subnet's IPv6 "
                                                   "address range");
  }
  uint128 offset = ip.value() - s.ipv6->cidr.base().value();
  if (offset <= 3 || ip == s.ipv6->cidr.Last()) {
    return Status(err::kInvalidParameterValue,
                  "Address " + ip.ToString() + " is reserved by AWS and cannot be assigned.");
  }
  if (r.address_owner.count({s.vpc_id, ip})) {
    return Status(err::kInvalidIpAddressInUse, "Address " + ip.ToString() + " is in use.");
  }
  return Status::Ok();
}

// Takes secondary `ip` away from ENI `from` for ENI `to`, returning its
// public IP mapping; elastic IP rows follow the address.
std::optional<PublicIpAssociation> MoveSecondary(RegionState& r, const std::string& from,
                                                 const std::string& to, IpAddress ip) {
  std::optional<PublicIpAssociation> assoc;
  r.enis.Update(from, [&](NetworkInterface& n) {
    auto it = std::find_if(n.private_ips.begin(), n.private_ips.end(),
                           [&](const PrivateIp& p) { return p.address == ip; });
    assoc = it->association;
    n.private_ips.erase(it);
  });
  std::vector<std::string> eips;
  for (const auto& [id, eip] : r.addresses.rows()) {
    if (eip.network_interface_id == from && eip.private_ip == ip) eips.push_back(id);
  }
  for (const auto& id : eips) {
    r.addresses.Update(id, [&](ElasticIp& e) { e.network_interface_id = to; });
  }
  return assoc;
}

// Checks an explicit secondary for AssignPrivateIpAddresses; returns the
// ENI currently holding it ("" if free).
StatusOr<std::string> CheckSecondary(const RegionState& r, const Subnet& s, const std::string& eni,
                                     IpAddress ip, bool allow_reassignment) {
  if (!ip.is_v4() || !s.cidr.Contains(ip) || IsReservedAddress(s, ip)) {
    return Status(err::kInvalidParameterValue,
                  "Address " + ip.ToString() + " does not fall within the subnet's address range");
  }
  auto owner = r.address_owner.find({s.vpc_id, ip});
  if (owner == r.address_owner.end()) return std::string();
  if (owner->second == eni) {
    return Status(err::kInvalidParameterValue,
                  "Address " + ip.ToString() + " is already assigned to " + eni + ".");
  }
  if (!allow_reassignment) {
    return Status(err::kInvalidIpAddressInUse, "Address " + ip.ToString() + " is in use.");
  }
  const NetworkInterface& other = *r.enis.Find(owner->second);
  if (other.primary_ip().address == ip) {
    return Status(err::kInvalidIpAddressInUse, "Address " + ip.ToString() +
                                                   " is the primary private IP address of " +
                                                   other.id + " and cannot be reassigned.");
  }
  return other.id;
}

}  // namespace

StatusOr<std::vector<PrivateIp>> ChooseIpv4Addresses(RegionState& r, const Subnet& s,
                                                     const CreateNetworkInterfaceArgs& args) {
  if (args.secondary_count < 0) {
    return BadCount("secondaryPrivateIpAddressCount", args.secondary_count);
  }
  std::vector<IpAddress> chosen;
  auto take = [&](IpAddress ip) -> Status {
    MINIVPC_RETURN_IF_ERROR(CheckPrivateIpAvailable(r, s, ip));
    if (Has(chosen, ip)) return Duplicate(ip);
    chosen.push_back(ip);
    return Status::Ok();
  };
  if (args.primary_ip) {
    MINIVPC_RETURN_IF_ERROR(take(*args.primary_ip));
  } else {
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, PickPrivateIp(r, s, args.secondary_ips));
    chosen.push_back(ip);
  }
  for (IpAddress ip : args.secondary_ips) MINIVPC_RETURN_IF_ERROR(take(ip));
  for (int i = 0; i < args.secondary_count; ++i) {
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, PickPrivateIp(r, s, chosen));
    chosen.push_back(ip);
  }
  std::vector<PrivateIp> out;
  for (size_t i = 0; i < chosen.size(); ++i) out.push_back(PrivateIp{chosen[i], i == 0, {}});
  return out;
}

StatusOr<std::vector<IpAddress>> ChooseIpv6Addresses(
    RegionState& r, const Subnet& s, const std::vector<IpAddress>& explicit_addresses, int count) {
  if (count < 0) return BadCount("ipv6AddressCount", count);
  if (count == 0 && explicit_addresses.empty()) return std::vector<IpAddress>{};
  if (!s.ipv6) {
    return Status(err::kInvalidParameterValue,
                  "You may not assign IPv6 addresses to a network interface in subnet '" + s.id +
                      "': the subnet has no IPv6 CIDR block.");
  }
  std::vector<IpAddress> chosen;
  for (IpAddress ip : explicit_addresses) {
    MINIVPC_RETURN_IF_ERROR(CheckIpv6InSubnet(r, s, ip));
    if (Has(chosen, ip)) return Duplicate(ip);
    chosen.push_back(ip);
  }
  for (int i = 0; i < count; ++i) {
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, PickIpv6(r, s, chosen));
    chosen.push_back(ip);
  }
  return chosen;
}

StatusOr<std::vector<IpAddress>> AssignPrivateIpAddresses(RegionState& r, const std::string& eni_id,
                                                          const std::vector<IpAddress>& addresses,
                                                          std::optional<int> count,
                                                          bool allow_reassignment) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* found, Lookup(r.enis, kEniKind, eni_id));
  const NetworkInterface e = *found;
  MINIVPC_RETURN_IF_ERROR(CheckAddressesOrCount(!addresses.empty(), count, "PrivateIpAddresses",
                                                "SecondaryPrivateIpAddressCount"));
  const Subnet s = *r.subnets.Find(e.subnet_id);
  size_t adding = count ? static_cast<size_t>(*count) : addresses.size();
  if (const InstanceTypeInfo* t = AttachedType(r, e)) {
    if (e.private_ips.size() + adding > static_cast<size_t>(t->ipv4_per_interface)) {
      return Status(err::kPrivateIpAddressLimitExceeded,
                    "Number of private addresses will exceed limit: an interface of instance "
                    "type " +
                        std::string(t->name) + " may hold " +
                        std::to_string(t->ipv4_per_interface) + " private IPv4 addresses.");
    }
  }
  std::vector<PrivateIp> added;
  std::vector<IpAddress> chosen;
  for (IpAddress ip : addresses) {
    if (Has(chosen, ip)) return Duplicate(ip);
    MINIVPC_ASSIGN_OR_RETURN(std::string holder,
                             CheckSecondary(r, s, eni_id, ip, allow_reassignment));
    std::optional<PublicIpAssociation> assoc;
    if (!holder.empty()) assoc = MoveSecondary(r, holder, eni_id, ip);
    chosen.push_back(ip);
    added.push_back(PrivateIp{ip, false, assoc});
  }
  for (int i = 0; i < count.value_or(0); ++i) {
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, PickPrivateIp(r, s, chosen));
    chosen.push_back(ip);
    added.push_back(PrivateIp{ip, false, {}});
  }
  r.enis.Update(eni_id, [&](NetworkInterface& n) {
    n.private_ips.insert(n.private_ips.end(), added.begin(), added.end());
  });
  return chosen;
}

Status UnassignPrivateIpAddresses(RegionState& r, const std::string& eni_id,
                                  const std::vector<IpAddress>& addresses) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* e, Lookup(r.enis, kEniKind, eni_id));
  if (addresses.empty()) {
    return Status(err::kMissingParameter,
                  "The request must contain the parameter privateIpAddress");
  }
  for (IpAddress ip : addresses) {
    auto it = std::find_if(e->private_ips.begin(), e->private_ips.end(),
                           [&](const PrivateIp& p) { return p.address == ip; });
    if (it == e->private_ips.end()) {
      return Status(err::kInvalidParameterValue,
                    "Some of the specified addresses are not assigned to interface " + eni_id);
    }
    if (it->primary) {
      return Status(err::kInvalidParameterValue, "The primary private IP address " + ip.ToString() +
                                                     " of interface " + eni_id +
                                                     " cannot be unassigned.");
    }
  }
  for (IpAddress ip : addresses) DisassociateAddressesOfInterface(r, eni_id, ip);
  r.enis.Update(eni_id, [&](NetworkInterface& n) {
    std::erase_if(n.private_ips, [&](const PrivateIp& p) { return Has(addresses, p.address); });
  });
  return Status::Ok();
}

StatusOr<std::vector<IpAddress>> AssignIpv6Addresses(RegionState& r, const std::string& eni_id,
                                                     const std::vector<IpAddress>& addresses,
                                                     std::optional<int> count) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* found, Lookup(r.enis, kEniKind, eni_id));
  const NetworkInterface e = *found;
  MINIVPC_RETURN_IF_ERROR(
      CheckAddressesOrCount(!addresses.empty(), count, "Ipv6Addresses", "Ipv6AddressCount"));
  const Subnet s = *r.subnets.Find(e.subnet_id);
  MINIVPC_ASSIGN_OR_RETURN(std::vector<IpAddress> chosen,
                           ChooseIpv6Addresses(r, s, addresses, count.value_or(0)));
  NetworkInterface after = e;
  after.ipv6_addresses.insert(after.ipv6_addresses.end(), chosen.begin(), chosen.end());
  if (const InstanceTypeInfo* t = AttachedType(r, e)) {
    MINIVPC_RETURN_IF_ERROR(CheckInterfaceLimits(after, *t));
  }
  r.enis.Put(std::move(after));
  return chosen;
}

StatusOr<std::vector<IpAddress>> UnassignIpv6Addresses(RegionState& r, const std::string& eni_id,
                                                       const std::vector<IpAddress>& addresses) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* e, Lookup(r.enis, kEniKind, eni_id));
  if (addresses.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter ipv6Addresses");
  }
  for (IpAddress ip : addresses) {
    if (!Has(e->ipv6_addresses, ip)) {
      return Status(err::kInvalidParameterValue,
                    "Some of the specified addresses are not assigned to interface " + eni_id);
    }
  }
  r.enis.Update(eni_id, [&](NetworkInterface& n) {
    std::erase_if(n.ipv6_addresses, [&](IpAddress a) { return Has(addresses, a); });
  });
  return addresses;
}

}  // namespace minivpc
