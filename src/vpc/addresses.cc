#include "vpc/addresses.h"

#include "common/error_codes.h"
#include "vpc/cloud.h"
#include "vpc/internet_gateways.h"

namespace minivpc {
namespace {

Status BadValue(const std::string& member, const std::string& value) {
  return Status(err::kInvalidParameterValue,
                "Value (" + value + ") for parameter " + member + " is invalid.");
}

StatusOr<IpAddress> PickAddress(RegionState& r, const std::string& requested) {
  if (requested.empty()) return r.cloud->AllocatePublicIp();
  auto ip = IpAddress::ParseV4(requested);
  if (!ip.ok()) return BadValue("address", requested);
  if (!r.cloud->options().public_pool.Contains(*ip) || r.cloud->IsPublicIpUsed(*ip)) {
    return Status(err::kInvalidAddressNotFound, "Address '" + requested + "' not found.");
  }
  return *ip;
}

// AWS gives an instance a new public IPv4 when an elastic IP leaves the
// primary IP of its only (primary) interface, if it was launched with an
// auto-assigned public IP and is pending or running.
bool GetsNewPublicIp(const RegionState& r, const NetworkInterface& eni, IpAddress private_ip) {
  if (!eni.attachment || eni.attachment->device_index != 0) return false;
  if (eni.private_ips.empty() || eni.primary_ip().address != private_ip) return false;
  const Instance* inst = r.instances.Find(eni.attachment->instance_id);
  if (!inst || !inst->auto_public_ip) return false;
  if (inst->state != "pending" && inst->state != "running") return false;
  auto enis = r.enis_by_instance.find(inst->id);
  return enis != r.enis_by_instance.end() && enis->second.size() == 1;
}

// Removes the mapping of `eip` from both rows; with `restore_auto`, the
// private IP may receive a new auto-assigned public IP (GetsNewPublicIp).
void Unmap(RegionState& r, const ElasticIp& eip, bool restore_auto) {
  const NetworkInterface* eni = r.enis.Find(eip.network_interface_id);
  if (eni && eip.private_ip) {
    std::optional<PublicIpAssociation> replacement;
    if (restore_auto && GetsNewPublicIp(r, *eni, *eip.private_ip)) {
      // An exhausted pool leaves the instance without a public IP.
      if (auto ip = r.cloud->AllocatePublicIp(); ip.ok())
        replacement = PublicIpAssociation{*ip, "", ""};
    }
    r.enis.Update(eni->id, [&](NetworkInterface& e) {
      for (auto& p : e.private_ips) {
        if (p.association && p.association->allocation_id == eip.id) p.association = replacement;
      }
    });
  }
  r.addresses.Update(eip.id, [](ElasticIp& e) {
    e.association_id.clear();
    e.network_interface_id.clear();
    e.private_ip.reset();
  });
}

// The interface the request targets.
StatusOr<const NetworkInterface*> TargetInterface(const RegionState& r,
                                                  const AssociateAddressArgs& a) {
  if (a.instance_id.empty() == a.network_interface_id.empty()) {
    if (a.instance_id.empty()) {
      return Status(err::kMissingParameter,
                    "Either an instance ID or a network interface ID must be specified.");
    }
    return Status(err::kInvalidParameterCombination,
                  "You can specify either the instance ID or the network interface ID, but not "
                  "both.");
  }
  if (!a.network_interface_id.empty()) return Lookup(r.enis, kEniKind, a.network_interface_id);
  MINIVPC_ASSIGN_OR_RETURN(const Instance* inst, Lookup(r.instances, kInstanceKind, a.instance_id));
  auto enis = r.enis_by_instance.find(inst->id);
  if (enis == r.enis_by_instance.end() || inst->state == "terminated") {
    return Status(err::kIncorrectInstanceState,
                  "The instance '" + inst->id + "' is not in a valid state for this operation.");
  }
  if (enis->second.size() > 1) {
    return Status(err::kInvalidInstanceId,
                  "There are multiple interfaces attached to instance '" + inst->id +
                      "'. Please specify an interface ID for the operation instead.");
  }
  return Lookup(r.enis, kEniKind, *enis->second.begin());
}

StatusOr<IpAddress> TargetPrivateIp(const NetworkInterface& eni, const std::string& text) {
  if (text.empty()) return eni.primary_ip().address;
  auto ip = IpAddress::ParseV4(text);
  if (!ip.ok()) return BadValue("privateIpAddress", text);
  for (const auto& p : eni.private_ips) {
    if (p.address == *ip) return *ip;
  }
  return Status(
      err::kInvalidParameterValue,
      "The private IP address " + text + " is not assigned to network interface " + eni.id + ".");
}

}  // namespace

StatusOr<std::string> AllocateAddress(RegionState& r, const AllocateAddressArgs& args) {
  if (!args.domain.empty() && args.domain != "vpc") return BadValue("domain", args.domain);
  if (!args.public_ipv4_pool.empty() && args.public_ipv4_pool != "amazon") {
    return BadValue("publicIpv4Pool", args.public_ipv4_pool);
  }
  if (!args.network_border_group.empty() && args.network_border_group != r.region) {
    return BadValue("networkBorderGroup", args.network_border_group);
  }
  if (r.addresses.size() >= kMaxElasticIpsPerRegion) {
    return Status(err::kAddressLimitExceeded, "The maximum number of addresses has been reached.");
  }
  MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, PickAddress(r, args.address));
  ElasticIp eip;
  eip.id = r.NewId("eipalloc");
  eip.owner_id = r.account_id;
  eip.public_ip = ip;
  eip.network_border_group = r.region;
  eip.tags = args.tags;
  r.addresses.Put(eip);
  return eip.id;
}

Status ReleaseAddress(RegionState& r, const std::string& allocation_id,
                      const std::string& network_border_group) {
  MINIVPC_ASSIGN_OR_RETURN(const ElasticIp* eip,
                           Lookup(r.addresses, kAllocationKind, allocation_id));
  if (!network_border_group.empty() && network_border_group != eip->network_border_group) {
    return Status(err::kInvalidAddressNotFound, "Address '" + eip->public_ip.ToString() +
                                                    "' not found in network border group " +
                                                    network_border_group + ".");
  }
  if (!eip->association_id.empty()) {
    const NetworkInterface* eni = r.enis.Find(eip->network_interface_id);
    const Vpc* vpc = eni ? r.vpcs.Find(eni->vpc_id) : nullptr;
    if (!vpc || !vpc->is_default) {
      return Status(err::kInvalidIpAddressInUse, "Address " + eip->public_ip.ToString() +
                                                     " is in use (association " +
                                                     eip->association_id + ").");
    }
    Unmap(r, *eip, /*restore_auto=*/true);
  }
  r.addresses.Erase(allocation_id);
  return Status::Ok();
}

StatusOr<std::string> AssociateAddress(RegionState& r, const AssociateAddressArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const ElasticIp* eip,
                           Lookup(r.addresses, kAllocationKind, args.allocation_id));
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* eni, TargetInterface(r, args));
  MINIVPC_ASSIGN_OR_RETURN(IpAddress private_ip, TargetPrivateIp(*eni, args.private_ip_address));
  if (!AttachedInternetGateway(r, eni->vpc_id)) {
    return Status(err::kGatewayNotAttached,
                  "Network " + eni->vpc_id + " is not attached to any internet gateway");
  }
  std::string eni_id = eni->id;
  if (!eip->association_id.empty()) {
    if (eip->network_interface_id == eni_id && eip->private_ip == private_ip) {
      return eip->association_id;  // already mapped there: idempotent
    }
    if (args.allow_reassociation == false) {
      return Status(err::kResourceAlreadyAssociated,
                    "resource " + eip->id + " is already associated with associate-id " +
                        eip->association_id);
    }
    Unmap(r, *eip, /*restore_auto=*/true);
  }
  // An elastic IP already on the target private IP is displaced (it stays
  // allocated); an auto-assigned one is released by the ENI row's hook.
  std::string displaced;
  for (const auto& p : r.enis.Find(eni_id)->private_ips) {
    if (p.address == private_ip && p.association) displaced = p.association->allocation_id;
  }
  if (const ElasticIp* other = displaced.empty() ? nullptr : r.addresses.Find(displaced)) {
    Unmap(r, *other, /*restore_auto=*/false);
  }
  PublicIpAssociation assoc{eip->public_ip, eip->id, r.NewId(kEipAssociationKind.prefix)};
  r.enis.Update(eni_id, [&](NetworkInterface& e) {
    for (auto& p : e.private_ips) {
      if (p.address == private_ip) p.association = assoc;
    }
  });
  r.addresses.Update(eip->id, [&](ElasticIp& e) {
    e.association_id = assoc.association_id;
    e.network_interface_id = eni_id;
    e.private_ip = private_ip;
  });
  return assoc.association_id;
}

Status DisassociateAddress(RegionState& r, const std::string& association_id) {
  const ElasticIp* eip = FindAddressByAssociation(r, association_id);
  if (!eip) return IdError(kEipAssociationKind, association_id);
  Unmap(r, *eip, /*restore_auto=*/true);
  return Status::Ok();
}

void DisassociateAddressesOfInterface(RegionState& r, const std::string& eni_id,
                                      std::optional<IpAddress> private_ip) {
  std::vector<std::string> ids;
  for (const auto& [id, eip] : r.addresses.rows()) {
    if (eip.network_interface_id != eni_id) continue;
    if (private_ip && eip.private_ip != private_ip) continue;
    ids.push_back(id);
  }
  for (const auto& id : ids) Unmap(r, *r.addresses.Find(id), /*restore_auto=*/false);
}

const ElasticIp* FindAddressByPublicIp(const RegionState& r, IpAddress public_ip) {
  for (const auto& [id, eip] : r.addresses.rows()) {
    if (eip.public_ip == public_ip) return &eip;
  }
  return nullptr;
}

const ElasticIp* FindAddressByAssociation(const RegionState& r, const std::string& association_id) {
  if (association_id.empty()) return nullptr;
  for (const auto& [id, eip] : r.addresses.rows()) {
    if (eip.association_id == association_id) return &eip;
  }
  return nullptr;
}

}  // namespace minivpc
