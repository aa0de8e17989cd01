// RunInstances: validating the request, planning the network interfaces
// and launching the instances of one reservation.
#include <algorithm>
#include <map>
#include <set>

#include "common/error_codes.h"
#include "vpc/instance_types.h"
#include "vpc/instances.h"
#include "vpc/lookups.h"
#include "vpc/network_interfaces.h"
#include "vpc/security_groups.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

// One interface of the launch, validated: new ENIs have their subnet and
// security groups resolved.
struct PlannedInterface {
  LaunchInterface spec;
  Subnet subnet;
  bool existing = false;
};

struct Plan {
  const InstanceTypeInfo* type = nullptr;
  std::vector<PlannedInterface> interfaces;  // by device index, primary first
  bool public_ip = false;
};

Status Combination(const std::string& message) {
  return Status(err::kInvalidParameterCombination, message);
}

Status Invalid(const std::string& message) { return Status(err::kInvalidParameterValue, message); }

Status CheckImageAndCounts(const RunInstancesArgs& a) {
  if (a.image_id.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter ImageId");
  }
  if (!IsWellFormedId(a.image_id, "ami")) {
    return Status(err::kInvalidAmiIdMalformed,
                  "Invalid id: \"" + a.image_id + "\" (expecting \"ami-...\")");
  }
  if (a.min_count < 1) {
    return Invalid("Value (" + std::to_string(a.min_count) +
                   ") for parameter minCount is invalid. Expected a positive integer.");
  }
  if (a.max_count < a.min_count) {
    return Invalid("Value (" + std::to_string(a.max_count) +
                   ") for parameter maxCount is invalid. Expected a value greater than or equal "
                   "to minCount (" +
                   std::to_string(a.min_count) + ").");
  }
  return Status::Ok();
}

// A default subnet of the default VPC: the one of zone `az`, or one of a
// zone picked at random, as EC2 picks one.
StatusOr<Subnet> DefaultSubnet(RegionState& r, const std::string& az) {
  std::string vpc_id = DefaultVpcId(r);
  if (vpc_id.empty()) return Status(err::kVpcIdNotSpecified, "No default VPC for this user");
  if (!az.empty() && !r.IsAvailabilityZone(az)) {
    return Invalid("Invalid availability zone: [" + az + "]");
  }
  std::vector<const Subnet*> candidates;
  if (auto it = r.subnets_by_vpc.find(vpc_id); it != r.subnets_by_vpc.end()) {
    for (const auto& id : it->second) {
      const Subnet* s = r.subnets.Find(id);
      if (s->default_for_az && (az.empty() || s->availability_zone == az)) candidates.push_back(s);
    }
  }
  if (candidates.empty()) {
    return Status(err::kMissingInput, "No subnets found for the default VPC '" + vpc_id +
                                          "'. Please specify a subnet.");
  }
  return *candidates[r.random().Uniform(candidates.size())];
}

StatusOr<Subnet> LaunchSubnet(RegionState& r, const std::string& subnet_id, const std::string& az) {
  if (subnet_id.empty()) return DefaultSubnet(r, az);
  MINIVPC_ASSIGN_OR_RETURN(const Subnet* s, Lookup(r.subnets, kSubnetKind, subnet_id));
  return *s;
}

// SecurityGroupIds plus SecurityGroups (names, which EC2 resolves only in
// the default VPC).
StatusOr<std::vector<std::string>> InstanceLevelGroups(const RegionState& r,
                                                       const RunInstancesArgs& a, const Subnet& s) {
  std::vector<std::string> ids = a.security_group_ids;
  if (!a.security_group_names.empty()) {
    if (!r.vpcs.Find(s.vpc_id)->is_default) {
      return Combination("The parameter groupName cannot be used with the parameter subnet");
    }
    for (const auto& name : a.security_group_names) {
      const SecurityGroup* g = FindGroupByName(r, s.vpc_id, name);
      if (g == nullptr) {
        return Status(
            err::kInvalidGroupNotFound,
            "The security group '" + name + "' does not exist in default VPC '" + s.vpc_id + "'");
      }
      if (std::find(ids.begin(), ids.end(), g->id) == ids.end()) ids.push_back(g->id);
    }
  }
  return ResolveSecurityGroups(r, s.vpc_id, ids);
}

StatusOr<Plan> PlanSingleInterface(RegionState& r, const RunInstancesArgs& a) {
  PlannedInterface p;
  MINIVPC_ASSIGN_OR_RETURN(p.subnet, LaunchSubnet(r, a.subnet_id, a.availability_zone));
  p.spec.device_index = 0;
  p.spec.subnet_id = p.subnet.id;
  MINIVPC_ASSIGN_OR_RETURN(p.spec.group_ids, InstanceLevelGroups(r, a, p.subnet));
  p.spec.primary_ip = a.private_ip;
  p.spec.ipv6_addresses = a.ipv6_addresses;
  p.spec.ipv6_count = a.ipv6_count;
  Plan plan;
  plan.public_ip = p.subnet.map_public_ip_on_launch;
  plan.interfaces.push_back(std::move(p));
  return plan;
}

Status CheckNoInstanceLevelNetwork(const RunInstancesArgs& a) {
  auto conflict = [](const std::string& what) {
    return Combination("Network interfaces and an instance-level " + what +
                       " may not be specified on the same request");
  };
  if (!a.subnet_id.empty()) return conflict("subnet ID");
  if (!a.security_group_ids.empty() || !a.security_group_names.empty()) {
    return conflict("security groups");
  }
  if (a.private_ip) return conflict("private IP address");
  if (!a.ipv6_addresses.empty() || a.ipv6_count) return conflict("IPv6 addresses");
  return Status::Ok();
}

// Device indexes present, unique and including 0; ENIs named once.
Status CheckDeviceIndexes(const std::vector<LaunchInterface>& list) {
  std::set<int> indexes;
  std::set<std::string> enis;
  for (const auto& i : list) {
    if (!i.device_index) return Invalid("Each network interface requires a device index.");
    if (*i.device_index < 0) {
      return Invalid("Invalid value '" + std::to_string(*i.device_index) + "' for deviceIndex.");
    }
    if (!indexes.insert(*i.device_index).second) {
      return Invalid("Each network interface requires a unique device index; " +
                     std::to_string(*i.device_index) + " is specified more than once.");
    }
    if (!i.network_interface_id.empty() && !enis.insert(i.network_interface_id).second) {
      return Invalid("Network interface " + i.network_interface_id +
                     " is specified more than once.");
    }
  }
  if (!indexes.count(0)) {
    return Invalid("When specifying network interfaces, you must include a device at index 0.");
  }
  return Status::Ok();
}

// AWS: a public IPv4 can be requested only for a single, new interface at
// device index 0.
Status CheckPublicIpRequest(const std::vector<LaunchInterface>& list) {
  for (const auto& i : list) {
    if (!i.associate_public_ip) continue;
    if (i.device_index.value_or(0) != 0) {
      return Combination(
          "The associatePublicIPAddress parameter can only be specified for the network "
          "interface with DeviceIndex 0.");
    }
    if (list.size() > 1) {
      return Combination(
          "The associatePublicIPAddress parameter cannot be specified when launching with "
          "multiple network interfaces.");
    }
    if (!i.network_interface_id.empty()) {
      return Combination(
          "The associatePublicIPAddress parameter cannot be specified for an existing network "
          "interface.");
    }
  }
  return Status::Ok();
}

bool HasNewInterfaceFields(const LaunchInterface& i) {
  return !i.subnet_id.empty() || !i.group_ids.empty() || !i.description.empty() || i.primary_ip ||
         !i.secondary_ips.empty() || i.secondary_count || !i.ipv6_addresses.empty() || i.ipv6_count;
}

StatusOr<PlannedInterface> PlanInterface(RegionState& r, const LaunchInterface& spec,
                                         const std::string& az) {
  PlannedInterface p;
  p.spec = spec;
  if (!spec.network_interface_id.empty()) {
    if (HasNewInterfaceFields(spec)) {
      return Combination(
          "A network interface ID cannot be specified together with a subnet, "
          "security groups, a description or addresses for that interface.");
    }
    if (spec.delete_on_termination.value_or(false)) {
      return Combination(
          "DeleteOnTermination can be true only for a network interface created "
          "at launch.");
    }
    MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* e,
                             Lookup(r.enis, kEniKind, spec.network_interface_id));
    if (e->in_use()) {
      return Status(err::kInvalidNetworkInterfaceInUse, "Interface: [" + e->id + "] in use.");
    }
    p.existing = true;
    p.subnet = *r.subnets.Find(e->subnet_id);
    return p;
  }
  MINIVPC_ASSIGN_OR_RETURN(p.subnet, LaunchSubnet(r, spec.subnet_id, az));
  p.spec.subnet_id = p.subnet.id;
  MINIVPC_ASSIGN_OR_RETURN(p.spec.group_ids,
                           ResolveSecurityGroups(r, p.subnet.vpc_id, spec.group_ids));
  return p;
}

StatusOr<Plan> PlanInterfaces(RegionState& r, const RunInstancesArgs& a) {
  MINIVPC_RETURN_IF_ERROR(CheckNoInstanceLevelNetwork(a));
  MINIVPC_RETURN_IF_ERROR(CheckPublicIpRequest(a.network_interfaces));
  MINIVPC_RETURN_IF_ERROR(CheckDeviceIndexes(a.network_interfaces));
  std::vector<LaunchInterface> specs = a.network_interfaces;
  std::sort(specs.begin(), specs.end(),
            [](const auto& x, const auto& y) { return *x.device_index < *y.device_index; });
  Plan plan;
  std::string az = a.availability_zone;
  for (const auto& spec : specs) {
    MINIVPC_ASSIGN_OR_RETURN(PlannedInterface p, PlanInterface(r, spec, az));
    if (az.empty()) az = p.subnet.availability_zone;  // later default subnets follow
    plan.interfaces.push_back(std::move(p));
  }
  const PlannedInterface& primary = plan.interfaces.front();
  plan.public_ip =
      specs.size() == 1 && !primary.existing &&
      primary.spec.associate_public_ip.value_or(primary.subnet.map_public_ip_on_launch);
  return plan;
}

Status CheckPlan(const Plan& plan, const RunInstancesArgs& a) {
  const Subnet& primary = plan.interfaces.front().subnet;
  if (!a.availability_zone.empty() && a.availability_zone != primary.availability_zone) {
    return Invalid("Value (" + a.availability_zone +
                   ") for parameter availabilityZone is invalid. Subnet '" + primary.id +
                   "' is in the availability zone " + primary.availability_zone);
  }
  bool fixed = false;
  for (const auto& p : plan.interfaces) {
    if (p.subnet.availability_zone != primary.availability_zone) {
      return Combination(
          "You may not attach a network interface to an instance if they are not "
          "in the same availability zone");
    }
    fixed |= p.existing || p.spec.primary_ip || !p.spec.secondary_ips.empty() ||
             !p.spec.ipv6_addresses.empty();
  }
  int max_enis = plan.type->max_network_interfaces;
  if (static_cast<int>(plan.interfaces.size()) > max_enis) {
    return Status(err::kAttachmentLimitExceeded,
                  "Interface count " + std::to_string(plan.interfaces.size()) +
                      " exceeds the limit for " + std::string(plan.type->name));
  }
  if (fixed && a.max_count > 1) {
    return Combination(
        "Specific private IP addresses or existing network interfaces cannot be "
        "used when launching more than one instance.");
  }
  return Status::Ok();
}

// How many instances the subnets' free addresses allow, up to max_count.
StatusOr<int> LaunchCount(const RegionState& r, const Plan& plan, const RunInstancesArgs& a) {
  std::map<std::string, int64_t> need;  // subnet -> IPv4s per instance
  for (const auto& p : plan.interfaces) {
    if (p.existing) continue;
    need[p.subnet.id] += 1 + static_cast<int64_t>(p.spec.secondary_ips.size()) +
                         std::max(0, p.spec.secondary_count.value_or(0));
  }
  int64_t count = a.max_count;
  for (const auto& [subnet_id, per_instance] : need) {
    int64_t fits = AvailableIpAddressCount(r, *r.subnets.Find(subnet_id)) / per_instance;
    if (fits < a.min_count) {
      return Status(err::kInsufficientFreeAddressesInSubnet,
                    "There are not enough free addresses in subnet '" + subnet_id +
                        "' to satisfy the requested number of instances.");
    }
    count = std::min(count, fits);
  }
  return static_cast<int>(count);
}

StatusOr<std::string> LaunchOne(RegionState& r, const RunInstancesArgs& a, const Plan& plan,
                                const std::string& reservation_id, int index) {
  const Subnet& subnet = plan.interfaces.front().subnet;
  Instance inst;
  inst.id = r.NewId("i");
  inst.owner_id = r.account_id;
  inst.reservation_id = reservation_id;
  inst.image_id = a.image_id;
  inst.instance_type = std::string(plan.type->name);
  inst.subnet_id = subnet.id;
  inst.vpc_id = subnet.vpc_id;
  inst.availability_zone = subnet.availability_zone;
  inst.key_name = a.key_name;
  inst.client_token = a.client_token;
  inst.state = "running";
  inst.launch_time_ms = r.now_ms();
  inst.ami_launch_index = index;
  inst.disable_api_termination = a.disable_api_termination;
  inst.tags = a.instance_tags;
  r.instances.Put(inst);
  std::string primary_eni;
  for (const auto& p : plan.interfaces) {
    std::string eni_id = p.spec.network_interface_id;
    if (!p.existing) {
      CreateNetworkInterfaceArgs c;
      c.subnet_id = p.subnet.id;
      c.description = p.spec.description;
      c.primary_ip = p.spec.primary_ip;
      c.secondary_ips = p.spec.secondary_ips;
      c.secondary_count = p.spec.secondary_count.value_or(0);
      c.ipv6_addresses = p.spec.ipv6_addresses;
      c.ipv6_count = p.spec.ipv6_count;
      c.group_ids = p.spec.group_ids;
      c.tags = a.interface_tags;
      MINIVPC_ASSIGN_OR_RETURN(eni_id, CreateNetworkInterface(r, c));
    }
    MINIVPC_RETURN_IF_ERROR(CheckInterfaceLimits(*r.enis.Find(eni_id), *plan.type));
    int device_index = *p.spec.device_index;
    AttachUnchecked(r, eni_id, inst.id, device_index,
                    p.spec.delete_on_termination.value_or(!p.existing));
    if (device_index == 0) primary_eni = eni_id;
  }
  if (plan.public_ip) MINIVPC_RETURN_IF_ERROR(AssignAutoPublicIp(r, primary_eni));
  r.instances.Update(inst.id, [&](Instance& i) {
    i.primary_eni_id = primary_eni;
    i.auto_public_ip = plan.public_ip;
  });
  return inst.id;
}

}  // namespace

StatusOr<LaunchResult> RunInstances(RegionState& r, const RunInstancesArgs& a) {
  MINIVPC_RETURN_IF_ERROR(CheckImageAndCounts(a));
  std::string type_name =
      a.instance_type.empty() ? std::string(kDefaultInstanceType) : a.instance_type;
  const InstanceTypeInfo* type = FindInstanceType(type_name);
  if (type == nullptr) return Invalid("Invalid value '" + type_name + "' for InstanceType.");
  Plan plan;
  if (a.network_interfaces.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(plan, PlanSingleInterface(r, a));
  } else {
    MINIVPC_ASSIGN_OR_RETURN(plan, PlanInterfaces(r, a));
  }
  plan.type = type;
  MINIVPC_RETURN_IF_ERROR(CheckPlan(plan, a));
  MINIVPC_ASSIGN_OR_RETURN(int count, LaunchCount(r, plan, a));
  LaunchResult result;
  result.reservation_id = r.NewId("r");
  for (int i = 0; i < count; ++i) {
    MINIVPC_ASSIGN_OR_RETURN(std::string id, LaunchOne(r, a, plan, result.reservation_id, i));
    result.instance_ids.push_back(std::move(id));
  }
  return result;
}

}  // namespace minivpc
