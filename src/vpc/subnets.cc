#include "vpc/subnets.h"

#include <algorithm>

#include "common/error_codes.h"
#include "vpc/lookups.h"
#include "vpc/regions.h"

namespace minivpc {
namespace {

bool Contains(const std::vector<IpAddress>& v, IpAddress ip) {
  return std::find(v.begin(), v.end(), ip) != v.end();
}

StatusOr<std::string> ResolveZone(RegionState& r, const CreateSubnetArgs& args) {
  if (!args.availability_zone.empty() && !args.availability_zone_id.empty()) {
    return Status(err::kInvalidParameterCombination,
                  "Only one of AvailabilityZone or AvailabilityZoneId may be specified.");
  }
  if (!args.availability_zone_id.empty()) {
    for (const auto& z : r.availability_zones()) {
      if (ZoneId(z) == args.availability_zone_id) return z;
    }
    return Status(err::kInvalidParameterValue,
                  "Value (" + args.availability_zone_id +
                      ") for parameter availabilityZoneId is invalid. Subnets can currently only "
                      "be created in the following availability zones: " +
                      r.region + "...");
  }
  if (!args.availability_zone.empty()) {
    if (!r.IsAvailabilityZone(args.availability_zone)) {
      return Status(err::kInvalidParameterValue,
                    "Value (" + args.availability_zone +
                        ") for parameter availabilityZone is invalid. Subnets can currently only "
                        "be created in the following availability zones: " +
                        r.region + "...");
    }
    return args.availability_zone;
  }
  const auto& zones = r.availability_zones();
  return zones[r.random().Uniform(zones.size())];
}

StatusOr<Cidr> CheckIpv6Block(const RegionState& r, const Vpc& vpc, const std::string& text,
                              const std::string& except_subnet) {
  MINIVPC_ASSIGN_OR_RETURN(Cidr block, Cidr::Parse(text));
  bool inside = false;
  for (const auto& a : vpc.ipv6_cidrs) inside |= a.cidr.Contains(block);
  if (!block.is_v6() || block.prefix() != 64 || !inside) {
    return Status(err::kInvalidSubnetRange, "The IPv6 CIDR '" + text + "' is invalid.");
  }
  if (auto it = r.subnets_by_vpc.find(vpc.id); it != r.subnets_by_vpc.end()) {
    for (const auto& sid : it->second) {
      const Subnet* s = r.subnets.Find(sid);
      if (sid != except_subnet && s->ipv6 && s->ipv6->cidr.Overlaps(block)) {
        return Status(err::kInvalidSubnetConflict,
                      "The IPv6 CIDR '" + text + "' conflicts with another subnet");
      }
    }
  }
  return block;
}

}  // namespace

StatusOr<std::string> CreateSubnet(RegionState& r, const CreateSubnetArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, Lookup(r.vpcs, kVpcKind, args.vpc_id));
  MINIVPC_ASSIGN_OR_RETURN(Cidr cidr, Cidr::Parse(args.cidr_block));
  if (!cidr.is_v4() || cidr.prefix() < 16 || cidr.prefix() > 28) {
    return Status(err::kInvalidSubnetRange, "The CIDR '" + args.cidr_block + "' is invalid.");
  }
  bool inside = false;
  for (const auto& a : vpc->cidrs) inside |= a.cidr.Contains(cidr);
  if (!inside) {
    return Status(err::kInvalidSubnetRange, "The CIDR '" + args.cidr_block + "' is invalid.");
  }
  if (auto it = r.subnets_by_vpc.find(vpc->id); it != r.subnets_by_vpc.end()) {
    for (const auto& sid : it->second) {
      if (r.subnets.Find(sid)->cidr.Overlaps(cidr)) {
        return Status(err::kInvalidSubnetConflict,
                      "The CIDR '" + args.cidr_block + "' conflicts with another subnet");
      }
    }
  }
  MINIVPC_ASSIGN_OR_RETURN(std::string zone, ResolveZone(r, args));
  Subnet s;
  s.id = r.NewId("subnet");
  s.vpc_id = vpc->id;
  s.owner_id = r.account_id;
  s.availability_zone = zone;
  s.cidr = cidr;
  if (!args.ipv6_cidr_block.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(Cidr block, CheckIpv6Block(r, *vpc, args.ipv6_cidr_block, ""));
    s.ipv6 = CidrAssociation{r.NewId("subnet-cidr-assoc"), block, "associated"};
  }
  s.network_acl_id = vpc->default_acl_id;
  s.network_acl_association_id = r.NewId("aclassoc");
  s.tags = args.tags;
  std::string id = s.id;
  r.subnets.Put(std::move(s));
  return id;
}

Status DeleteSubnet(RegionState& r, const std::string& subnet_id) {
  MINIVPC_ASSIGN_OR_RETURN(const Subnet* s, Lookup(r.subnets, kSubnetKind, subnet_id));
  (void)s;
  if (r.enis_by_subnet.count(subnet_id)) {
    return Status(err::kDependencyViolation,
                  "The subnet '" + subnet_id + "' has dependencies and cannot be deleted.");
  }
  r.subnets.Erase(subnet_id);
  return Status::Ok();
}

Status ModifySubnetAttribute(RegionState& r, const std::string& subnet_id,
                             std::optional<bool> map_public_ip_on_launch,
                             std::optional<bool> assign_ipv6_address_on_creation) {
  MINIVPC_ASSIGN_OR_RETURN(const Subnet* s, Lookup(r.subnets, kSubnetKind, subnet_id));
  if (map_public_ip_on_launch.has_value() == assign_ipv6_address_on_creation.has_value()) {
    return Status(err::kInvalidParameterCombination,
                  "Specify exactly one attribute: MapPublicIpOnLaunch or "
                  "AssignIpv6AddressOnCreation.");
  }
  if (assign_ipv6_address_on_creation.value_or(false) && !s->ipv6) {
    return Status(err::kInvalidParameterValue,
                  "Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set "
                  "assignIpv6AddressOnCreation to true unless the subnet (" +
                      subnet_id + ") has an IPv6 CIDR block associated with it.");
  }
  r.subnets.Update(subnet_id, [&](Subnet& sub) {
    if (map_public_ip_on_launch) sub.map_public_ip_on_launch = *map_public_ip_on_launch;
    if (assign_ipv6_address_on_creation) {
      sub.assign_ipv6_on_creation = *assign_ipv6_address_on_creation;
    }
  });
  return Status::Ok();
}

StatusOr<CidrAssociation> AssociateSubnetCidrBlock(RegionState& r, const std::string& subnet_id,
                                                   const std::string& ipv6_cidr_block) {
  MINIVPC_ASSIGN_OR_RETURN(const Subnet* s, Lookup(r.subnets, kSubnetKind, subnet_id));
  if (s->ipv6) {
    return Status(err::kInvalidParameterValue,
                  "The subnet '" + subnet_id + "' already has an IPv6 CIDR block.");
  }
  const Vpc& vpc = *r.vpcs.Find(s->vpc_id);
  MINIVPC_ASSIGN_OR_RETURN(Cidr block, CheckIpv6Block(r, vpc, ipv6_cidr_block, subnet_id));
  CidrAssociation assoc{r.NewId("subnet-cidr-assoc"), block, "associated"};
  r.subnets.Update(subnet_id, [&](Subnet& sub) { sub.ipv6 = assoc; });
  return assoc;
}

StatusOr<std::pair<std::string, CidrAssociation>> DisassociateSubnetCidrBlock(
    RegionState& r, const std::string& association_id) {
  for (const auto& [id, s] : r.subnets.rows()) {
    if (!s.ipv6 || s.ipv6->association_id != association_id) continue;
    if (auto it = r.enis_by_subnet.find(id); it != r.enis_by_subnet.end()) {
      for (const auto& eni_id : it->second) {
        if (!r.enis.Find(eni_id)->ipv6_addresses.empty()) {
          return Status(err::kInvalidCidrBlockInUse,
                        "The subnet CIDR block with association ID " + association_id +
                            " may not be disassociated. It has allocated IPv6 addresses.");
        }
      }
    }
    CidrAssociation assoc = *s.ipv6;
    assoc.state = "disassociating";
    std::string sid = id;
    r.subnets.Update(sid, [](Subnet& sub) {
      sub.ipv6.reset();
      sub.assign_ipv6_on_creation = false;
    });
    return std::make_pair(sid, assoc);
  }
  return Status(err::kInvalidSubnetCidrBlockAssociationIdNotFound,
                "The subnet CIDR block association ID '" + association_id + "' does not exist");
}

int64_t AvailableIpAddressCount(const RegionState& r, const Subnet& s) {
  int64_t total = static_cast<int64_t>(s.cidr.Size()) - 5;
  auto it = r.ipv4_used_by_subnet.find(s.id);
  return total - (it == r.ipv4_used_by_subnet.end() ? 0 : it->second);
}

bool IsReservedAddress(const Subnet& s, IpAddress ip) {
  uint128 offset = ip.value() - s.cidr.base().value();
  return offset <= 3 || ip == s.cidr.Last();
}

Status CheckPrivateIpAvailable(const RegionState& r, const Subnet& s, IpAddress ip) {
  if (!ip.is_v4() || !s.cidr.Contains(ip) || IsReservedAddress(s, ip)) {
    return Status(err::kInvalidParameterValue,
                  "Address " + ip.ToString() + " does not fall within the subnet's address range");
  }
  if (r.address_owner.count({s.vpc_id, ip})) {
    return Status(err::kInvalidIpAddressInUse, "Address " + ip.ToString() + " is in use.");
  }
  return Status::Ok();
}

StatusOr<IpAddress> PickPrivateIp(RegionState& r, const Subnet& s,
                                  const std::vector<IpAddress>& taken) {
  uint64_t usable = static_cast<uint64_t>(s.cidr.Size()) - 5;
  auto free = [&](IpAddress ip) {
    return !r.address_owner.count({s.vpc_id, ip}) && !Contains(taken, ip);
  };
  // Random probing while the subnet is sparse, as EC2 hands out addresses
  // in no particular order; a scan when it fills up.
  for (int attempt = 0; attempt < 32; ++attempt) {
    IpAddress ip = s.cidr.base().Plus(4 + r.random().Uniform(usable));
    if (free(ip)) return ip;
  }
  for (uint64_t i = 0; i < usable; ++i) {
    IpAddress ip = s.cidr.base().Plus(4 + i);
    if (free(ip)) return ip;
  }
  return Status(err::kInsufficientFreeAddressesInSubnet,
                "There are not enough free addresses in subnet '" + s.id +
                    "' to satisfy the requested number of instances.");
}

StatusOr<IpAddress> PickIpv6(RegionState& r, const Subnet& s, const std::vector<IpAddress>& taken) {
  if (!s.ipv6) {
    return Status(err::kInvalidParameterValue,
                  "The subnet '" + s.id + "' does not have an IPv6 CIDR block.");
  }
  for (;;) {
    IpAddress ip = s.ipv6->cidr.base().Plus(4 + r.random().Next() % ((uint64_t{1} << 63) - 8));
    if (!r.address_owner.count({s.vpc_id, ip}) && !Contains(taken, ip)) return ip;
  }
}

}  // namespace minivpc
