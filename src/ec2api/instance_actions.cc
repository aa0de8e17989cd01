// Instance actions: RunInstances, DescribeInstances, Start/Stop/Reboot/
// TerminateInstances, DescribeInstanceStatus. The attribute actions are in
// instance_attribute_actions.cc, DescribeInstanceTypes in
// instance_type_actions.cc.
#include <algorithm>

#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "ec2api/instance_shapes.h"
#include "ec2api/interface_shapes.h"
#include "vpc/regions.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kInstanceFilters = {
    {"affinity", "Placement.Affinity"},
    {"architecture", "Architecture"},
    {"availability-zone", "Placement.AvailabilityZone"},
    {"availability-zone-id", "Placement.AvailabilityZoneId"},
    {"client-token", "ClientToken"},
    {"dns-name", "PublicDnsName"},
    {"group-id", "SecurityGroups.GroupId"},
    {"group-name", "SecurityGroups.GroupName"},
    {"hypervisor", "Hypervisor"},
    {"image-id", "ImageId"},
    {"instance-id", "InstanceId"},
    {"instance-state-code", "State.Code"},
    {"instance-state-name", "State.Name"},
    {"instance-type", "InstanceType"},
    {"instance.group-id", "SecurityGroups.GroupId"},
    {"instance.group-name", "SecurityGroups.GroupName"},
    {"ip-address", "PublicIpAddress"},
    {"key-name", "KeyName"},
    {"launch-index", "AmiLaunchIndex"},
    {"launch-time", "LaunchTime"},
    {"monitoring-state", "Monitoring.State"},
    {"network-interface.addresses.association.ip-owner-id",
     "NetworkInterfaces.PrivateIpAddresses.Association.IpOwnerId"},
    {"network-interface.addresses.association.public-ip",
     "NetworkInterfaces.PrivateIpAddresses.Association.PublicIp"},
    {"network-interface.addresses.primary", "NetworkInterfaces.PrivateIpAddresses.Primary"},
    {"network-interface.addresses.private-ip-address",
     "NetworkInterfaces.PrivateIpAddresses.PrivateIpAddress"},
    {"network-interface.association.ip-owner-id", "NetworkInterfaces.Association.IpOwnerId"},
    {"network-interface.association.public-ip", "NetworkInterfaces.Association.PublicIp"},
    {"network-interface.association.allocation-id", "NetworkInterfaces.Association.AllocationId"},
    {"network-interface.association.association-id", "NetworkInterfaces.Association.AssociationId"},
    {"network-interface.attachment.attach-time", "NetworkInterfaces.Attachment.AttachTime"},
    {"network-interface.attachment.attachment-id", "NetworkInterfaces.Attachment.AttachmentId"},
    {"network-interface.attachment.delete-on-termination",
     "NetworkInterfaces.Attachment.DeleteOnTermination"},
    {"network-interface.attachment.device-index", "NetworkInterfaces.Attachment.DeviceIndex"},
    {"network-interface.attachment.instance-id", "NetworkInterfaces.Attachment.InstanceId"},
    {"network-interface.attachment.status", "NetworkInterfaces.Attachment.Status"},
    {"network-interface.description", "NetworkInterfaces.Description"},
    {"network-interface.group-id", "NetworkInterfaces.Groups.GroupId"},
    {"network-interface.group-name", "NetworkInterfaces.Groups.GroupName"},
    {"network-interface.ipv6-address", "NetworkInterfaces.Ipv6Addresses.Ipv6Address"},
    {"network-interface.ipv6-addresses.ipv6-address",
     "NetworkInterfaces.Ipv6Addresses.Ipv6Address"},
    {"network-interface.mac-address", "NetworkInterfaces.MacAddress"},
    {"network-interface.network-interface-id", "NetworkInterfaces.NetworkInterfaceId"},
    {"network-interface.owner-id", "NetworkInterfaces.OwnerId"},
    {"network-interface.private-dns-name", "NetworkInterfaces.PrivateDnsName"},
    {"network-interface.requester-managed", "NetworkInterfaces.RequesterManaged"},
    {"network-interface.source-dest-check", "NetworkInterfaces.SourceDestCheck"},
    {"network-interface.status", "NetworkInterfaces.Status"},
    {"network-interface.subnet-id", "NetworkInterfaces.SubnetId"},
    {"network-interface.vpc-id", "NetworkInterfaces.VpcId"},
    {"owner-id", "OwnerId"},
    {"placement-group-name", "Placement.GroupName"},
    {"platform-details", "PlatformDetails"},
    {"private-dns-name", "PrivateDnsName"},
    {"private-ip-address", "PrivateIpAddress"},
    {"reason", "StateTransitionReason"},
    {"reservation-id", "ReservationId"},
    {"root-device-name", "RootDeviceName"},
    {"root-device-type", "RootDeviceType"},
    {"source-dest-check", "SourceDestCheck"},
    {"state-reason-code", "StateReason.Code"},
    {"state-reason-message", "StateReason.Message"},
    {"subnet-id", "SubnetId"},
    {"tenancy", "Placement.Tenancy"},
    {"usage-operation", "UsageOperation"},
    {"virtualization-type", "VirtualizationType"},
    {"vpc-id", "VpcId"},
};

const FilterPaths kStatusFilters = {
    {"availability-zone", "AvailabilityZone"},
    {"availability-zone-id", "AvailabilityZoneId"},
    {"instance-state-code", "InstanceState.Code"},
    {"instance-state-name", "InstanceState.Name"},
    {"instance-status.reachability", "InstanceStatus.Details.Status"},
    {"instance-status.status", "InstanceStatus.Status"},
    {"system-status.reachability", "SystemStatus.Details.Status"},
    {"system-status.status", "SystemStatus.Status"},
};

std::optional<int> OptCount(const json& in, const char* member) {
  if (auto n = GetOptInt(in, member)) return static_cast<int>(*n);
  return std::nullopt;
}

Status Unsupported(const std::string& what) {
  return Status(err::kUnsupported, what + " is not supported by this emulator.");
}

StatusOr<LaunchInterface> ParseLaunchInterface(const json& item) {
  for (const char* member : {"Ipv4Prefixes", "Ipv4PrefixCount", "Ipv6Prefixes", "Ipv6PrefixCount",
                             "AssociateCarrierIpAddress"}) {
    if (item.contains(member)) return Unsupported(std::string("NetworkInterfaces.") + member);
  }
  std::string type = GetString(item, "InterfaceType", "interface");
  if (type != "interface" || GetOptInt(item, "NetworkCardIndex").value_or(0) != 0) {
    return Status(err::kInvalidParameterValue,
                  "Only network interfaces of type 'interface' on network card 0 are supported.");
  }
  LaunchInterface li;
  li.device_index = OptCount(item, "DeviceIndex");
  li.network_interface_id = GetString(item, "NetworkInterfaceId");
  li.subnet_id = GetString(item, "SubnetId");
  li.group_ids = GetStrings(item, "Groups");
  li.description = GetString(item, "Description");
  MINIVPC_ASSIGN_OR_RETURN(InterfaceAddresses a, ParseInterfaceAddresses(item));
  li.primary_ip = a.primary;
  li.secondary_ips = std::move(a.secondaries);
  li.ipv6_addresses = std::move(a.ipv6);
  li.secondary_count = OptCount(item, "SecondaryPrivateIpAddressCount");
  li.ipv6_count = OptCount(item, "Ipv6AddressCount");
  li.associate_public_ip = GetOptBool(item, "AssociatePublicIpAddress");
  li.delete_on_termination = GetOptBool(item, "DeleteOnTermination");
  return li;
}

// TagSpecifications of RunInstances: instance and network-interface tags
// (volume tags are accepted and dropped: minivpc has no volumes).
Status ParseLaunchTags(const json& in, RunInstancesArgs& a) {
  for (const auto& spec : in.value("TagSpecifications", json::array())) {
    std::string type = GetString(spec, "ResourceType");
    MINIVPC_ASSIGN_OR_RETURN(Tags tags, ParseTagList(spec.value("Tags", json::array())));
    if (type == "instance") {
      a.instance_tags.insert(tags.begin(), tags.end());
    } else if (type == "network-interface") {
      a.interface_tags.insert(tags.begin(), tags.end());
    } else if (type != "volume") {
      return Status(err::kInvalidParameterValue,
                    "'" + type + "' is not a valid taggable resource type for this operation.");
    }
  }
  return Status::Ok();
}

StatusOr<std::string> PlacementZone(const RegionState& r, const json& in) {
  const json placement = in.value("Placement", json::object());
  std::string zone = GetString(placement, "AvailabilityZone");
  std::string zone_id = GetString(placement, "AvailabilityZoneId");
  if (zone_id.empty()) return zone;
  for (const auto& z : r.availability_zones()) {
    if (ZoneId(z) == zone_id && (zone.empty() || zone == z)) return z;
  }
  return Status(err::kInvalidParameterValue, "Invalid availability zone ID: [" + zone_id + "]");
}

StatusOr<RunInstancesArgs> ParseRunInstances(const RegionState& r, const json& in) {
  for (const char* member : {"LaunchTemplate", "InstanceMarketOptions", "ElasticGpuSpecification",
                             "SecondaryInterfaces"}) {
    if (in.contains(member)) return Unsupported(member);
  }
  RunInstancesArgs a;
  a.image_id = GetString(in, "ImageId");
  a.instance_type = GetString(in, "InstanceType");
  a.min_count = OptCount(in, "MinCount").value_or(1);
  a.max_count = OptCount(in, "MaxCount").value_or(a.min_count);
  a.subnet_id = GetString(in, "SubnetId");
  a.security_group_ids = GetStrings(in, "SecurityGroupIds");
  a.security_group_names = GetStrings(in, "SecurityGroups");
  MINIVPC_ASSIGN_OR_RETURN(InterfaceAddresses addresses, ParseInterfaceAddresses(in));
  a.private_ip = addresses.primary;
  a.ipv6_addresses = std::move(addresses.ipv6);
  a.ipv6_count = OptCount(in, "Ipv6AddressCount");
  for (const auto& item : in.value("NetworkInterfaces", json::array())) {
    MINIVPC_ASSIGN_OR_RETURN(LaunchInterface li, ParseLaunchInterface(item));
    a.network_interfaces.push_back(std::move(li));
  }
  MINIVPC_ASSIGN_OR_RETURN(a.availability_zone, PlacementZone(r, in));
  a.key_name = GetString(in, "KeyName");
  a.client_token = GetString(in, "ClientToken");
  a.disable_api_termination = GetBool(in, "DisableApiTermination");
  MINIVPC_RETURN_IF_ERROR(ParseLaunchTags(in, a));
  return a;
}

json Visible(json instance) {
  instance.erase("ReservationId");
  instance.erase("OwnerId");
  return instance;
}

StatusOr<json> RunInstancesHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(RunInstancesArgs args, ParseRunInstances(c.region, c.input));
  MINIVPC_ASSIGN_OR_RETURN(LaunchResult launched, RunInstances(c.region, args));
  json instances = json::array();
  for (const auto& id : launched.instance_ids) {
    json inst = Visible(RenderInstance(c.region, *c.region.instances.Find(id)));
    inst["State"] = RenderState("pending");
    instances.push_back(std::move(inst));
  }
  return json{{"ReservationId", launched.reservation_id},
              {"OwnerId", c.region.account_id},
              {"Groups", json::array()},
              {"Instances", std::move(instances)}};
}

// Instances in (reservation, instance id) order, so a page keeps each
// reservation's instances together.
StatusOr<json> DescribeInstancesHandler(Call& c) {
  std::vector<std::string> ids = GetStrings(c.input, "InstanceIds");
  if (!ids.empty() && c.input.contains("MaxResults")) {
    return Status(err::kInvalidParameterCombination,
                  "The parameter instancesSet cannot be used with the parameter maxResults");
  }
  std::vector<Instance> wanted;
  if (!ids.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(wanted, FindInstances(c.region, ids));
  } else {
    for (const auto& [id, inst] : c.region.instances.rows()) wanted.push_back(inst);
  }
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  MINIVPC_ASSIGN_OR_RETURN(FilterSet filter_set, FilterSet::Compile(filters, kInstanceFilters));
  std::vector<std::pair<std::string, json>> items;
  for (const auto& inst : wanted) {
    json item = RenderInstance(c.region, inst);
    if (filter_set.Matches(item)) items.emplace_back(inst.reservation_id + "/" + inst.id, item);
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> keys;
  for (const auto& item : items) keys.push_back(item.first);
  MINIVPC_ASSIGN_OR_RETURN(Page page, Paginate(c.input, keys, 5, 1000));
  json reservations = json::array();
  for (size_t i = page.begin; i < page.end; ++i) {
    json& inst = items[i].second;
    std::string rid = inst["ReservationId"];
    if (reservations.empty() || reservations.back()["ReservationId"] != rid) {
      reservations.push_back({{"ReservationId", rid},
                              {"OwnerId", inst["OwnerId"]},
                              {"Groups", json::array()},
                              {"Instances", json::array()}});
    }
    reservations.back()["Instances"].push_back(Visible(std::move(inst)));
  }
  json out{{"Reservations", std::move(reservations)}};
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

StatusOr<json> StartInstancesHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(auto changes,
                           StartInstances(c.region, GetStrings(c.input, "InstanceIds")));
  return json{{"StartingInstances", RenderStateChanges(changes)}};
}

StatusOr<json> StopInstancesHandler(Call& c) {
  if (GetBool(c.input, "Hibernate")) return Unsupported("Hibernate");
  MINIVPC_ASSIGN_OR_RETURN(auto changes,
                           StopInstances(c.region, GetStrings(c.input, "InstanceIds")));
  return json{{"StoppingInstances", RenderStateChanges(changes)}};
}

StatusOr<json> TerminateInstancesHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(auto changes,
                           TerminateInstances(c.region, GetStrings(c.input, "InstanceIds")));
  return json{{"TerminatingInstances", RenderStateChanges(changes)}};
}

StatusOr<json> RebootInstancesHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(RebootInstances(c.region, GetStrings(c.input, "InstanceIds")));
  return json::object();
}

json RenderStatus(const Instance& inst) {
  bool running = inst.state == "running";
  std::string status = running ? "ok" : "not-applicable";
  json summary{{"Status", status},
               {"Details", json::array({{{"Name", "reachability"},
                                         {"Status", running ? "passed" : "not-applicable"}}})}};
  return {{"AvailabilityZone", inst.availability_zone},
          {"AvailabilityZoneId", ZoneId(inst.availability_zone)},
          {"Events", json::array()},
          {"InstanceId", inst.id},
          {"InstanceState", RenderState(inst.state)},
          {"InstanceStatus", summary},
          {"SystemStatus", summary},
          {"AttachedEbsStatus", summary}};
}

// Running instances only, unless IncludeAllInstances.
StatusOr<json> DescribeInstanceStatusHandler(Call& c) {
  std::vector<std::string> ids = GetStrings(c.input, "InstanceIds");
  if (!ids.empty() && c.input.contains("MaxResults")) {
    return Status(err::kInvalidParameterCombination,
                  "The parameter instancesSet cannot be used with the parameter maxResults");
  }
  std::vector<Instance> wanted;
  if (!ids.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(wanted, FindInstances(c.region, ids));
    std::sort(wanted.begin(), wanted.end(),
              [](const Instance& a, const Instance& b) { return a.id < b.id; });
  } else {
    for (const auto& [id, inst] : c.region.instances.rows()) wanted.push_back(inst);
  }
  bool all = GetBool(c.input, "IncludeAllInstances");
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  MINIVPC_ASSIGN_OR_RETURN(FilterSet filter_set, FilterSet::Compile(filters, kStatusFilters));
  std::vector<std::string> keys;
  std::vector<json> items;
  for (const auto& inst : wanted) {
    if (!all && inst.state != "running") continue;
    json item = RenderStatus(inst);
    if (!filter_set.Matches(item)) continue;
    keys.push_back(inst.id);
    items.push_back(std::move(item));
  }
  MINIVPC_ASSIGN_OR_RETURN(Page page, Paginate(c.input, keys, 5, 1000));
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(std::move(items[i]));
  json out{{"InstanceStatuses", std::move(list)}};
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

}  // namespace

void RegisterInstanceActions(ActionTable& t) {
  t["RunInstances"] = {Access::kWrite, RunInstancesHandler};
  t["DescribeInstances"] = {Access::kRead, DescribeInstancesHandler};
  t["StartInstances"] = {Access::kWrite, StartInstancesHandler};
  t["StopInstances"] = {Access::kWrite, StopInstancesHandler};
  t["TerminateInstances"] = {Access::kWrite, TerminateInstancesHandler};
  t["RebootInstances"] = {Access::kWrite, RebootInstancesHandler};
  t["DescribeInstanceStatus"] = {Access::kRead, DescribeInstanceStatusHandler};
  RegisterInstanceAttributeActions(t);
  RegisterInstanceTypeActions(t);
}

}  // namespace minivpc::ec2api
