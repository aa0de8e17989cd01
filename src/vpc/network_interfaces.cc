// ENI lifecycle: create, delete, attach, detach, attributes, groups and
// public IPs. The address operations live in network_interface_addresses.cc.
#include "vpc/network_interfaces.h"

#include <algorithm>

#include "common/error_codes.h"
#include "vpc/addresses.h"
#include "vpc/cloud.h"
#include "vpc/lookups.h"
#include "vpc/network_interface_addresses.h"
#include "vpc/security_groups.h"
#include "vpc/subnets.h"

namespace minivpc {
namespace {

std::string Dashed(IpAddress ip) {
  std::string text = ip.ToString();
  std::replace(text.begin(), text.end(), '.', '-');
  return text;
}

std::vector<const NetworkInterface*> EnisOfInstance(const RegionState& r,
                                                    const std::string& instance_id) {
  std::vector<const NetworkInterface*> out;
  auto it = r.enis_by_instance.find(instance_id);
  if (it == r.enis_by_instance.end()) return out;
  for (const auto& id : it->second) out.push_back(r.enis.Find(id));
  return out;
}

Status CheckAttachable(const RegionState& r, const NetworkInterface& e, const Instance& inst,
                       int device_index) {
  if (inst.state != "running" && inst.state != "stopped") {
    return Status(err::kIncorrectInstanceState,
                  "Instance '" + inst.id + "' is not 'running' or 'stopped'.");
  }
  if (e.in_use()) {
    return Status(err::kInvalidNetworkInterfaceInUse, "Interface: [" + e.id + "] in use.");
  }
  if (device_index < 0) {
    return Status(err::kInvalidParameterValue,
                  "Invalid value '" + std::to_string(device_index) + "' for deviceIndex.");
  }
  if (e.availability_zone != inst.availability_zone) {
    return Status(err::kInvalidParameterCombination,
                  "You may not attach a network interface to an instance if they are not in the "
                  "same availability zone");
  }
  std::vector<const NetworkInterface*> attached = EnisOfInstance(r, inst.id);
  for (const NetworkInterface* other : attached) {
    if (other->attachment->device_index == device_index) {
      return Status(err::kInvalidParameterValue,
                    "Instance '" + inst.id +
                        "' already has an interface attached at device index '" +
                        std::to_string(device_index) + "'.");
    }
  }
  const InstanceTypeInfo* type = FindInstanceType(inst.instance_type);
  if (type == nullptr) return Status::Ok();
  if (static_cast<int>(attached.size()) >= type->max_network_interfaces) {
    return Status(err::kAttachmentLimitExceeded,
                  "Interface count " + std::to_string(attached.size() + 1) +
                      " exceeds the limit for " + inst.instance_type);
  }
  return CheckInterfaceLimits(e, *type);
}

}  // namespace

StatusOr<std::vector<std::string>> ResolveSecurityGroups(
    const RegionState& r, const std::string& vpc_id, const std::vector<std::string>& group_ids) {
  if (group_ids.empty()) {
    const Vpc* vpc = r.vpcs.Find(vpc_id);
    if (vpc == nullptr || vpc->default_security_group_id.empty()) return group_ids;
    return std::vector<std::string>{vpc->default_security_group_id};
  }
  MINIVPC_RETURN_IF_ERROR(ValidateGroupsForEni(r, vpc_id, group_ids));
  return group_ids;
}

StatusOr<std::string> CreateNetworkInterface(RegionState& r,
                                             const CreateNetworkInterfaceArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const Subnet* found, Lookup(r.subnets, kSubnetKind, args.subnet_id));
  const Subnet subnet = *found;
  MINIVPC_ASSIGN_OR_RETURN(std::vector<std::string> groups,
                           ResolveSecurityGroups(r, subnet.vpc_id, args.group_ids));
  MINIVPC_ASSIGN_OR_RETURN(std::vector<PrivateIp> ipv4, ChooseIpv4Addresses(r, subnet, args));
  std::optional<int> v6_count = args.ipv6_count;
  if (!v6_count && args.ipv6_addresses.empty() && subnet.assign_ipv6_on_creation) v6_count = 1;
  MINIVPC_ASSIGN_OR_RETURN(
      std::vector<IpAddress> ipv6,
      ChooseIpv6Addresses(r, subnet, args.ipv6_addresses, v6_count.value_or(0)));
  NetworkInterface e;
  e.id = r.NewId("eni");
  e.subnet_id = subnet.id;
  e.vpc_id = subnet.vpc_id;
  e.availability_zone = subnet.availability_zone;
  e.owner_id = r.account_id;
  e.description = args.description;
  e.mac = r.cloud->AllocateMac();
  e.private_ips = std::move(ipv4);
  e.ipv6_addresses = std::move(ipv6);
  e.group_ids = std::move(groups);
  e.tags = args.tags;
  std::string id = e.id;
  r.enis.Put(std::move(e));
  return id;
}

Status DeleteNetworkInterface(RegionState& r, const std::string& eni_id) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* e, Lookup(r.enis, kEniKind, eni_id));
  if (e->in_use()) {
    return Status(err::kInvalidNetworkInterfaceInUse,
                  "The network interface '" + eni_id + "' is currently in use.");
  }
  DisassociateAddressesOfInterface(r, eni_id);
  r.enis.Erase(eni_id);
  return Status::Ok();
}

StatusOr<std::string> AttachNetworkInterface(RegionState& r, const std::string& eni_id,
                                             const std::string& instance_id, int device_index) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* e, Lookup(r.enis, kEniKind, eni_id));
  MINIVPC_ASSIGN_OR_RETURN(const Instance* inst, Lookup(r.instances, kInstanceKind, instance_id));
  MINIVPC_RETURN_IF_ERROR(CheckAttachable(r, *e, *inst, device_index));
  return AttachUnchecked(r, eni_id, instance_id, device_index, false);
}

std::string AttachUnchecked(RegionState& r, const std::string& eni_id,
                            const std::string& instance_id, int device_index,
                            bool delete_on_termination) {
  EniAttachment a;
  a.id = r.NewId("eni-attach");
  a.instance_id = instance_id;
  a.device_index = device_index;
  a.attach_time_ms = r.now_ms();
  a.delete_on_termination = delete_on_termination;
  r.enis.Update(eni_id, [&](NetworkInterface& e) { e.attachment = a; });
  return a.id;
}

void DetachUnchecked(RegionState& r, const std::string& eni_id) {
  const NetworkInterface* e = r.enis.Find(eni_id);
  if (e == nullptr || !e->attachment) return;
  r.enis.Update(eni_id, [](NetworkInterface& n) { n.attachment.reset(); });
  ReleaseAutoPublicIps(r, eni_id);
}

Status DetachNetworkInterface(RegionState& r, const std::string& attachment_id, bool force) {
  (void)force;  // Force skips the guest OS, never the primary-interface rule.
  auto it = r.attachment_owner.find(attachment_id);
  if (it == r.attachment_owner.end()) {
    return Status(err::kInvalidAttachmentIdNotFound,
                  "The network interface attachment ID '" + attachment_id + "' does not exist");
  }
  std::string eni_id = it->second;
  if (r.enis.Find(eni_id)->attachment->device_index == 0) {
    return Status(err::kOperationNotPermitted,
                  "The network interface at device index 0 cannot be detached.");
  }
  DetachUnchecked(r, eni_id);
  return Status::Ok();
}

Status ModifyNetworkInterfaceAttribute(RegionState& r, const std::string& eni_id,
                                       const ModifyNetworkInterfaceArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* e, Lookup(r.enis, kEniKind, eni_id));
  bool attachment = args.attachment_id || args.delete_on_termination;
  int given = args.description.has_value() + args.source_dest_check.has_value() +
              args.group_ids.has_value() + attachment;
  if (given == 0) {
    return Status(err::kMissingParameter,
                  "You must specify one attribute: description, sourceDestCheck, groupSet or "
                  "attachment.");
  }
  if (given > 1) {
    return Status(err::kInvalidParameterCombination,
                  "Fields for multiple attribute types specified: only one attribute of a network "
                  "interface can be modified per request.");
  }
  std::vector<std::string> groups;
  if (args.group_ids) {
    if (args.group_ids->empty()) {
      return Status(err::kMissingParameter, "The request must contain the parameter groupSet");
    }
    MINIVPC_ASSIGN_OR_RETURN(groups, ResolveSecurityGroups(r, e->vpc_id, *args.group_ids));
  }
  if (attachment) {
    if (!args.attachment_id || !args.delete_on_termination) {
      return Status(err::kMissingParameter,
                    "The request must contain the parameters Attachment.AttachmentId and "
                    "Attachment.DeleteOnTermination");
    }
    if (!e->attachment || e->attachment->id != *args.attachment_id) {
      return Status(
          err::kInvalidAttachmentIdNotFound,
          "The network interface attachment ID '" + *args.attachment_id + "' does not exist");
    }
  }
  r.enis.Update(eni_id, [&](NetworkInterface& n) {
    if (args.description) n.description = *args.description;
    if (args.source_dest_check) n.source_dest_check = *args.source_dest_check;
    if (args.group_ids) n.group_ids = groups;
    if (attachment) n.attachment->delete_on_termination = *args.delete_on_termination;
  });
  return Status::Ok();
}

Status CheckInterfaceLimits(const NetworkInterface& eni, const InstanceTypeInfo& t) {
  const std::string type(t.name);
  if (static_cast<int>(eni.private_ips.size()) > t.ipv4_per_interface) {
    return Status(err::kPrivateIpAddressLimitExceeded,
                  "Number of private addresses will exceed limit: an interface of instance type " +
                      type + " may hold " + std::to_string(t.ipv4_per_interface) +
                      " private IPv4 addresses, and " + eni.id + " holds " +
                      std::to_string(eni.private_ips.size()) + ".");
  }
  int v6 = static_cast<int>(eni.ipv6_addresses.size());
  if (v6 > 0 && (!t.ipv6_supported || v6 > t.ipv6_per_interface)) {
    return Status(err::kInvalidParameterValue,
                  "Number of IPv6 addresses will exceed limit: an interface of instance type " +
                      type + " may hold " + std::to_string(t.ipv6_per_interface) +
                      " IPv6 addresses, and " + eni.id + " holds " + std::to_string(v6) + ".");
  }
  return Status::Ok();
}

Status AssignAutoPublicIp(RegionState& r, const std::string& eni_id,
                          std::optional<IpAddress> avoid) {
  const NetworkInterface* e = r.enis.Find(eni_id);
  if (e == nullptr || e->primary_ip().association) return Status::Ok();
  const Vpc* vpc = r.vpcs.Find(e->vpc_id);
  // A public IP never falls inside the VPC (whose owner may use any range)
  // and differs from the one released at the last stop (free again, so it
  // may be drawn again).
  auto usable = [&](IpAddress ip) {
    if (avoid == ip) return false;
    for (const auto& block : vpc ? vpc->cidrs : std::vector<CidrAssociation>{}) {
      if (block.cidr.Contains(ip)) return false;
    }
    return true;
  };
  for (int attempt = 0; attempt < 256; ++attempt) {
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, r.cloud->AllocatePublicIp());
    if (!usable(ip)) continue;
    r.enis.Update(eni_id, [&](NetworkInterface& n) {
      n.private_ips.front().association = PublicIpAssociation{ip, "", ""};
    });
    return Status::Ok();
  }
  return Status(err::kAddressLimitExceeded,
                "No public IPv4 address outside the VPC's ranges is available.");
}

void ReleaseAutoPublicIps(RegionState& r, const std::string& eni_id) {
  const NetworkInterface* e = r.enis.Find(eni_id);
  if (e == nullptr) return;
  bool any = false;
  for (const auto& p : e->private_ips) any |= p.association && p.association->allocation_id.empty();
  if (!any) return;
  r.enis.Update(eni_id, [](NetworkInterface& n) {
    for (auto& p : n.private_ips) {
      if (p.association && p.association->allocation_id.empty()) p.association.reset();
    }
  });
}

std::string PrivateDnsName(const std::string& region, IpAddress ip) {
  std::string suffix = region == "us-east-1" ? ".ec2.internal" : "." + region + ".compute.internal";
  return "ip-" + Dashed(ip) + suffix;
}

std::string PublicDnsName(const std::string& region, IpAddress ip) {
  std::string suffix =
      region == "us-east-1" ? ".compute-1.amazonaws.com" : "." + region + ".compute.amazonaws.com";
  return "ec2-" + Dashed(ip) + suffix;
}

}  // namespace minivpc
