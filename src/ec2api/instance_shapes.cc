#include "ec2api/instance_shapes.h"

#include "ec2api/handler_util.h"
#include "ec2api/interface_shapes.h"
#include "vpc/instance_types.h"
#include "vpc/network_interfaces.h"
#include "vpc/regions.h"

namespace minivpc::ec2api {
namespace {

using nlohmann::json;

// The fixed parts of an instance: an EBS-backed HVM Linux AMI with EC2's
// defaults for the options minivpc does not model.
json StaticMembers(const Instance& inst) {
  return {{"Architecture", "x86_64"},
          {"BlockDeviceMappings", json::array()},
          {"EbsOptimized", false},
          {"Hypervisor", "xen"},
          {"RootDeviceName", "/dev/xvda"},
          {"RootDeviceType", "ebs"},
          {"VirtualizationType", "hvm"},
          {"Monitoring", {{"State", "disabled"}}},
          {"ProductCodes", json::array()},
          {"CapacityReservationSpecification", {{"CapacityReservationPreference", "open"}}},
          {"HibernationOptions", {{"Configured", false}}},
          {"MetadataOptions",
           {{"State", "applied"},
            {"HttpTokens", "required"},
            {"HttpPutResponseHopLimit", 2},
            {"HttpEndpoint", "enabled"},
            {"HttpProtocolIpv6", "disabled"},
            {"InstanceMetadataTags", "disabled"}}},
          {"EnclaveOptions", {{"Enabled", false}}},
          {"PlatformDetails", "Linux/UNIX"},
          {"UsageOperation", "RunInstances"},
          {"UsageOperationUpdateTime", Timestamp(inst.launch_time_ms)},
          {"PrivateDnsNameOptions",
           {{"HostnameType", "ip-name"},
            {"EnableResourceNameDnsARecord", false},
            {"EnableResourceNameDnsAAAARecord", false}}},
          {"MaintenanceOptions", {{"AutoRecovery", "default"}}},
          {"CurrentInstanceBootMode", "legacy-bios"}};
}

void AddNetworkMembers(const RegionState& r, const Instance& inst, json& out) {
  std::vector<const NetworkInterface*> enis = AttachedInterfaces(r, inst);
  json nics = json::array();
  for (const NetworkInterface* e : enis) {
    json nic = RenderNetworkInterface(r, *e);
    nic.erase("Tags");
    nics.push_back(std::move(nic));
  }
  out["NetworkInterfaces"] = std::move(nics);
  out["SecurityGroups"] = json::array();
  out["PrivateDnsName"] = "";
  out["PublicDnsName"] = "";
  const NetworkInterface* primary = PrimaryInterface(r, inst);
  if (primary == nullptr) return;
  const PrivateIp& ip = primary->primary_ip();
  out["PrivateIpAddress"] = ip.address.ToString();
  out["PrivateDnsName"] = PrivateDnsName(r.region, ip.address);
  out["SecurityGroups"] = RenderGroupIdentifiers(r, primary->group_ids);
  out["SourceDestCheck"] = primary->source_dest_check;
  out["SubnetId"] = primary->subnet_id;
  out["VpcId"] = primary->vpc_id;
  if (ip.association) {
    json pub = RenderPublicIp(r, primary->vpc_id, *ip.association);
    out["PublicIpAddress"] = pub["PublicIp"];
    if (pub.contains("PublicDnsName")) out["PublicDnsName"] = pub["PublicDnsName"];
  }
}

}  // namespace

json RenderState(const std::string& state) { return {{"Code", StateCode(state)}, {"Name", state}}; }

json RenderInstance(const RegionState& r, const Instance& inst) {
  json out = StaticMembers(inst);
  const InstanceTypeInfo* type = FindInstanceType(inst.instance_type);
  out["AmiLaunchIndex"] = inst.ami_launch_index;
  out["ImageId"] = inst.image_id;
  out["InstanceId"] = inst.id;
  out["InstanceType"] = inst.instance_type;
  out["LaunchTime"] = Timestamp(inst.launch_time_ms);
  out["Placement"] = {{"AvailabilityZone", inst.availability_zone},
                      {"AvailabilityZoneId", ZoneId(inst.availability_zone)},
                      {"GroupName", ""},
                      {"Tenancy", "default"}};
  out["State"] = RenderState(inst.state);
  out["StateTransitionReason"] = inst.state_transition_reason;
  out["ClientToken"] = inst.client_token;
  out["EnaSupport"] = type != nullptr && type->ena_support != "unsupported";
  if (type != nullptr) {
    out["CpuOptions"] = {{"CoreCount", type->default_cores},
                         {"ThreadsPerCore", type->threads_per_core}};
  }
  if (!inst.key_name.empty()) out["KeyName"] = inst.key_name;
  if (inst.state == "stopped" || inst.state == "terminated") {
    out["StateReason"] = {{"Code", "Client.UserInitiatedShutdown"},
                          {"Message", "Client.UserInitiatedShutdown: User initiated shutdown"}};
  }
  AddNetworkMembers(r, inst, out);
  if (!inst.tags.empty()) out["Tags"] = TagsToJson(inst.tags);
  out["ReservationId"] = inst.reservation_id;
  out["OwnerId"] = inst.owner_id;
  return out;
}

json RenderStateChanges(const std::vector<StateChange>& changes) {
  json out = json::array();
  for (const auto& c : changes) {
    out.push_back({{"InstanceId", c.instance_id},
                   {"CurrentState", RenderState(c.current)},
                   {"PreviousState", RenderState(c.previous)}});
  }
  return out;
}

}  // namespace minivpc::ec2api
