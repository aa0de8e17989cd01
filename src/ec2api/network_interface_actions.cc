// Network interface actions: Create/Delete/DescribeNetworkInterfaces,
// Attach/DetachNetworkInterface, Modify/Describe/ResetNetworkInterfaceAttribute,
// Assign/UnassignPrivateIpAddresses, Assign/UnassignIpv6Addresses.
#include <optional>
#include <set>

#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "ec2api/interface_shapes.h"
#include "vpc/network_interfaces.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kEniFilters = {
    {"addresses.association.owner-id", "PrivateIpAddresses.Association.IpOwnerId"},
    {"addresses.association.public-ip", "PrivateIpAddresses.Association.PublicIp"},
    {"addresses.primary", "PrivateIpAddresses.Primary"},
    {"addresses.private-ip-address", "PrivateIpAddresses.PrivateIpAddress"},
    {"association.allocation-id", "Association.AllocationId"},
    {"association.association-id", "Association.AssociationId"},
    {"association.ip-owner-id", "Association.IpOwnerId"},
    {"association.public-dns-name", "Association.PublicDnsName"},
    {"association.public-ip", "Association.PublicIp"},
    {"attachment.attach-time", "Attachment.AttachTime"},
    {"attachment.attachment-id", "Attachment.AttachmentId"},
    {"attachment.delete-on-termination", "Attachment.DeleteOnTermination"},
    {"attachment.device-index", "Attachment.DeviceIndex"},
    {"attachment.instance-id", "Attachment.InstanceId"},
    {"attachment.instance-owner-id", "Attachment.InstanceOwnerId"},
    {"attachment.status", "Attachment.Status"},
    {"availability-zone", "AvailabilityZone"},
    {"availability-zone-id", "AvailabilityZoneId"},
    {"description", "Description"},
    {"group-id", "Groups.GroupId"},
    {"group-name", "Groups.GroupName"},
    {"interface-type", "InterfaceType"},
    {"ipv6-address", "Ipv6Addresses.Ipv6Address"},
    {"ipv6-addresses.ipv6-address", "Ipv6Addresses.Ipv6Address"},
    {"mac-address", "MacAddress"},
    {"network-interface-id", "NetworkInterfaceId"},
    {"owner-id", "OwnerId"},
    {"private-dns-name", "PrivateDnsName"},
    {"private-ip-address", "PrivateIpAddresses.PrivateIpAddress"},
    {"requester-managed", "RequesterManaged"},
    {"source-dest-check", "SourceDestCheck"},
    {"status", "Status"},
    {"subnet-id", "SubnetId"},
    {"vpc-id", "VpcId"},
};

Status RejectPrefixes(const json& in) {
  for (const char* member :
       {"Ipv4Prefixes", "Ipv4PrefixCount", "Ipv6Prefixes", "Ipv6PrefixCount"}) {
    if (in.contains(member)) {
      return Status(err::kUnsupported, std::string(member) +
                                           ": prefix delegation is not supported by this "
                                           "emulator.");
    }
  }
  return Status::Ok();
}

json RenderEni(Call& c, const std::string& id) {
  json eni = RenderNetworkInterface(c.region, *c.region.enis.Find(id));
  eni.erase("Tags");
  return eni;
}

StatusOr<json> CreateNetworkInterfaceHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "SubnetId", "SubnetId"));
  MINIVPC_RETURN_IF_ERROR(RejectPrefixes(c.input));
  std::string type = GetString(c.input, "InterfaceType", "interface");
  if (type != "interface") {
    return Status(err::kInvalidParameterValue,
                  "Value (" + type +
                      ") for parameter interfaceType is invalid. Only 'interface' "
                      "network interfaces are supported.");
  }
  CreateNetworkInterfaceArgs args;
  args.subnet_id = GetString(c.input, "SubnetId");
  args.description = GetString(c.input, "Description");
  MINIVPC_ASSIGN_OR_RETURN(InterfaceAddresses addresses, ParseInterfaceAddresses(c.input));
  args.primary_ip = addresses.primary;
  args.secondary_ips = std::move(addresses.secondaries);
  args.ipv6_addresses = std::move(addresses.ipv6);
  args.secondary_count =
      static_cast<int>(GetOptInt(c.input, "SecondaryPrivateIpAddressCount").value_or(0));
  if (auto n = GetOptInt(c.input, "Ipv6AddressCount")) args.ipv6_count = static_cast<int>(*n);
  args.group_ids = GetStrings(c.input, "Groups");
  MINIVPC_ASSIGN_OR_RETURN(args.tags, TagsFromSpecifications(c.input, "network-interface"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, CreateNetworkInterface(c.region, args));
  json out{{"NetworkInterface", RenderEni(c, id)}};
  if (auto token = GetOptString(c.input, "ClientToken")) out["ClientToken"] = *token;
  return out;
}

StatusOr<json> DeleteNetworkInterfaceHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  MINIVPC_RETURN_IF_ERROR(
      DeleteNetworkInterface(c.region, GetString(c.input, "NetworkInterfaceId")));
  return json::object();
}

// With a "subnet-id" filter of exact values, the ENIs of those subnets from
// the index: a superset of the matches (every filter still applies), so a
// describe of one subnet costs that subnet's ENIs, not the account's.
std::optional<std::set<std::string>> SubnetCandidates(const RegionState& r,
                                                      const std::vector<Filter>& filters) {
  for (const auto& f : filters) {
    if (f.name != "subnet-id") continue;
    std::set<std::string> out;
    for (const auto& v : f.values) {
      if (v.find_first_of("*?\\") != std::string::npos) return std::nullopt;  // a wildcard
      auto it = r.enis_by_subnet.find(v);
      if (it != r.enis_by_subnet.end()) out.insert(it->second.begin(), it->second.end());
    }
    return out;
  }
  return std::nullopt;
}

StatusOr<json> DescribeNetworkInterfacesHandler(Call& c) {
  static const DescribeSpec spec{&kEniKind, "NetworkInterfaceIds", "NetworkInterfaces",
                                 &kEniFilters};
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  std::optional<std::set<std::string>> candidates = SubnetCandidates(c.region, filters);
  MINIVPC_ASSIGN_OR_RETURN(json out,
                           Describe(
                               c.region.enis, c.input, spec,
                               [&](const auto& e) { return RenderNetworkInterface(c.region, e); },
                               candidates ? &*candidates : nullptr));
  for (auto& eni : out["NetworkInterfaces"]) eni.erase("Tags");
  return out;
}

StatusOr<json> AttachNetworkInterfaceHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "InstanceId", "InstanceId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "DeviceIndex", "DeviceIndex"));
  if (GetOptInt(c.input, "NetworkCardIndex").value_or(0) != 0) {
    return Status(err::kInvalidParameterValue,
                  "Value for parameter networkCardIndex is invalid. The instance type supports "
                  "one network card (index 0).");
  }
  MINIVPC_ASSIGN_OR_RETURN(
      std::string id,
      AttachNetworkInterface(c.region, GetString(c.input, "NetworkInterfaceId"),
                             GetString(c.input, "InstanceId"),
                             static_cast<int>(GetOptInt(c.input, "DeviceIndex").value_or(-1))));
  return json{{"AttachmentId", id}, {"NetworkCardIndex", 0}};
}

StatusOr<json> DetachNetworkInterfaceHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "AttachmentId", "AttachmentId"));
  MINIVPC_RETURN_IF_ERROR(DetachNetworkInterface(c.region, GetString(c.input, "AttachmentId"),
                                                 GetBool(c.input, "Force")));
  return json::object();
}

StatusOr<json> ModifyNetworkInterfaceAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  for (const char* member : {"AssociatePublicIpAddress", "EnablePrimaryIpv6", "EnaSrdSpecification",
                             "ConnectionTrackingSpecification", "AssociatedSubnetIds"}) {
    if (c.input.contains(member)) {
      return Status(err::kUnsupported, std::string(member) + " is not supported by this emulator.");
    }
  }
  ModifyNetworkInterfaceArgs args;
  if (c.input.contains("Description")) {
    args.description = GetString(c.input["Description"], "Value");
  }
  args.source_dest_check = GetOptBool(c.input, "SourceDestCheck");
  if (c.input.contains("Groups")) args.group_ids = GetStrings(c.input, "Groups");
  if (c.input.contains("Attachment")) {
    const json& a = c.input["Attachment"];
    args.attachment_id = GetOptString(a, "AttachmentId");
    args.delete_on_termination = GetOptBool(a, "DeleteOnTermination");
    if (!args.attachment_id && !args.delete_on_termination) args.attachment_id = "";
  }
  MINIVPC_RETURN_IF_ERROR(
      ModifyNetworkInterfaceAttribute(c.region, GetString(c.input, "NetworkInterfaceId"), args));
  return json::object();
}

StatusOr<json> DescribeNetworkInterfaceAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "Attribute", "Attribute"));
  std::string id = GetString(c.input, "NetworkInterfaceId");
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* e, Lookup(c.region.enis, kEniKind, id));
  json eni = RenderNetworkInterface(c.region, *e);
  std::string attr = GetString(c.input, "Attribute");
  json out{{"NetworkInterfaceId", id}};
  if (attr == "description") {
    out["Description"] = {{"Value", e->description}};
  } else if (attr == "groupSet") {
    out["Groups"] = eni["Groups"];
  } else if (attr == "sourceDestCheck") {
    out["SourceDestCheck"] = {{"Value", e->source_dest_check}};
  } else if (attr == "attachment") {
    if (eni.contains("Attachment")) out["Attachment"] = eni["Attachment"];
  } else if (attr == "associatePublicIpAddress") {
    out["AssociatePublicIpAddress"] = e->primary_ip().association.has_value();
  } else {
    return Status(err::kInvalidParameterValue,
                  "Value (" + attr + ") for parameter attribute is invalid. Unknown attribute.");
  }
  return out;
}

StatusOr<json> ResetNetworkInterfaceAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  if (!c.input.contains("SourceDestCheck")) {
    return Status(err::kMissingParameter,
                  "The request must contain the parameter SourceDestCheck: it is the only "
                  "attribute that can be reset.");
  }
  ModifyNetworkInterfaceArgs args;
  args.source_dest_check = true;
  MINIVPC_RETURN_IF_ERROR(
      ModifyNetworkInterfaceAttribute(c.region, GetString(c.input, "NetworkInterfaceId"), args));
  return json::object();
}

std::optional<int> OptCount(const json& in, const char* member) {
  if (auto n = GetOptInt(in, member)) return static_cast<int>(*n);
  return std::nullopt;
}

StatusOr<json> AssignPrivateIpAddressesHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  MINIVPC_RETURN_IF_ERROR(RejectPrefixes(c.input));
  std::string id = GetString(c.input, "NetworkInterfaceId");
  MINIVPC_ASSIGN_OR_RETURN(std::vector<IpAddress> wanted,
                           ParseAddressList(c.input, "PrivateIpAddresses", false));
  MINIVPC_ASSIGN_OR_RETURN(
      std::vector<IpAddress> assigned,
      AssignPrivateIpAddresses(c.region, id, wanted,
                               OptCount(c.input, "SecondaryPrivateIpAddressCount"),
                               GetBool(c.input, "AllowReassignment")));
  json list = json::array();
  for (IpAddress ip : assigned) list.push_back({{"PrivateIpAddress", ip.ToString()}});
  return json{{"NetworkInterfaceId", id}, {"AssignedPrivateIpAddresses", std::move(list)}};
}

StatusOr<json> UnassignPrivateIpAddressesHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  MINIVPC_RETURN_IF_ERROR(RejectPrefixes(c.input));
  MINIVPC_ASSIGN_OR_RETURN(std::vector<IpAddress> addresses,
                           ParseAddressList(c.input, "PrivateIpAddresses", false));
  MINIVPC_RETURN_IF_ERROR(
      UnassignPrivateIpAddresses(c.region, GetString(c.input, "NetworkInterfaceId"), addresses));
  return json::object();
}

json AddressStrings(const std::vector<IpAddress>& ips) {
  json out = json::array();
  for (IpAddress ip : ips) out.push_back(ip.ToString());
  return out;
}

StatusOr<json> AssignIpv6AddressesHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  MINIVPC_RETURN_IF_ERROR(RejectPrefixes(c.input));
  std::string id = GetString(c.input, "NetworkInterfaceId");
  MINIVPC_ASSIGN_OR_RETURN(std::vector<IpAddress> wanted,
                           ParseAddressList(c.input, "Ipv6Addresses", true));
  MINIVPC_ASSIGN_OR_RETURN(
      std::vector<IpAddress> assigned,
      AssignIpv6Addresses(c.region, id, wanted, OptCount(c.input, "Ipv6AddressCount")));
  return json{{"NetworkInterfaceId", id}, {"AssignedIpv6Addresses", AddressStrings(assigned)}};
}

StatusOr<json> UnassignIpv6AddressesHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInterfaceId", "NetworkInterfaceId"));
  MINIVPC_RETURN_IF_ERROR(RejectPrefixes(c.input));
  std::string id = GetString(c.input, "NetworkInterfaceId");
  MINIVPC_ASSIGN_OR_RETURN(std::vector<IpAddress> wanted,
                           ParseAddressList(c.input, "Ipv6Addresses", true));
  MINIVPC_ASSIGN_OR_RETURN(std::vector<IpAddress> removed,
                           UnassignIpv6Addresses(c.region, id, wanted));
  return json{{"NetworkInterfaceId", id}, {"UnassignedIpv6Addresses", AddressStrings(removed)}};
}

}  // namespace

void RegisterNetworkInterfaceActions(ActionTable& t) {
  t["CreateNetworkInterface"] = {Access::kWrite, CreateNetworkInterfaceHandler};
  t["DeleteNetworkInterface"] = {Access::kWrite, DeleteNetworkInterfaceHandler};
  t["DescribeNetworkInterfaces"] = {Access::kRead, DescribeNetworkInterfacesHandler};
  t["AttachNetworkInterface"] = {Access::kWrite, AttachNetworkInterfaceHandler};
  t["DetachNetworkInterface"] = {Access::kWrite, DetachNetworkInterfaceHandler};
  t["ModifyNetworkInterfaceAttribute"] = {Access::kWrite, ModifyNetworkInterfaceAttributeHandler};
  t["DescribeNetworkInterfaceAttribute"] = {Access::kRead,
                                            DescribeNetworkInterfaceAttributeHandler};
  t["ResetNetworkInterfaceAttribute"] = {Access::kWrite, ResetNetworkInterfaceAttributeHandler};
  t["AssignPrivateIpAddresses"] = {Access::kWrite, AssignPrivateIpAddressesHandler};
  t["UnassignPrivateIpAddresses"] = {Access::kWrite, UnassignPrivateIpAddressesHandler};
  t["AssignIpv6Addresses"] = {Access::kWrite, AssignIpv6AddressesHandler};
  t["UnassignIpv6Addresses"] = {Access::kWrite, UnassignIpv6AddressesHandler};
}

}  // namespace minivpc::ec2api
