#include "ec2api/interface_shapes.h"

#include "ec2api/handler_util.h"
#include "vpc/network_interfaces.h"
#include "vpc/regions.h"

namespace minivpc::ec2api {
namespace {

StatusOr<IpAddress> ParseIp(const std::string& text, bool v6, std::string_view member) {
  StatusOr<IpAddress> ip = v6 ? IpAddress::ParseV6(text) : IpAddress::ParseV4(text);
  if (!ip.ok()) {
    return Status(err::kInvalidParameterValue, "Value (" + text + ") for parameter " +
                                                   std::string(member) +
                                                   " is invalid. It is not a valid IP address.");
  }
  return ip;
}

json RenderPrivateIp(const RegionState& r, const NetworkInterface& e, const PrivateIp& p) {
  json out{{"PrivateIpAddress", p.address.ToString()},
           {"PrivateDnsName", PrivateDnsName(r.region, p.address)},
           {"Primary", p.primary}};
  if (p.association) out["Association"] = RenderPublicIp(r, e.vpc_id, *p.association);
  return out;
}

json RenderAttachment(const RegionState& r, const EniAttachment& a) {
  return {{"AttachTime", Timestamp(a.attach_time_ms)},
          {"AttachmentId", a.id},
          {"DeleteOnTermination", a.delete_on_termination},
          {"DeviceIndex", a.device_index},
          {"NetworkCardIndex", 0},
          {"InstanceId", a.instance_id},
          {"InstanceOwnerId", r.account_id},
          {"Status", a.status}};
}

}  // namespace

json RenderGroupIdentifiers(const RegionState& r, const std::vector<std::string>& ids) {
  json out = json::array();
  for (const auto& id : ids) {
    const SecurityGroup* g = r.security_groups.Find(id);
    out.push_back({{"GroupId", id}, {"GroupName", g ? g->name : ""}});
  }
  return out;
}

json RenderPublicIp(const RegionState& r, const std::string& vpc_id, const PublicIpAssociation& a) {
  bool elastic = !a.allocation_id.empty();
  json out{{"PublicIp", a.public_ip.ToString()}, {"IpOwnerId", elastic ? r.account_id : "amazon"}};
  const Vpc* vpc = r.vpcs.Find(vpc_id);
  if (vpc && vpc->enable_dns_hostnames) out["PublicDnsName"] = PublicDnsName(r.region, a.public_ip);
  if (elastic) {
    out["AllocationId"] = a.allocation_id;
    out["AssociationId"] = a.association_id;
  }
  return out;
}

json RenderNetworkInterface(const RegionState& r, const NetworkInterface& e) {
  json private_ips = json::array();
  for (const auto& p : e.private_ips) private_ips.push_back(RenderPrivateIp(r, e, p));
  json ipv6 = json::array();
  for (const auto& a : e.ipv6_addresses) {
    ipv6.push_back({{"Ipv6Address", a.ToString()}, {"IsPrimaryIpv6", false}});
  }
  const PrivateIp& primary = e.primary_ip();
  json out{{"AvailabilityZone", e.availability_zone},
           {"AvailabilityZoneId", ZoneId(e.availability_zone)},
           {"Description", e.description},
           {"Groups", RenderGroupIdentifiers(r, e.group_ids)},
           {"InterfaceType", e.interface_type},
           {"Ipv6Addresses", std::move(ipv6)},
           {"MacAddress", e.mac.ToString()},
           {"NetworkInterfaceId", e.id},
           {"OwnerId", e.owner_id},
           {"PrivateDnsName", PrivateDnsName(r.region, primary.address)},
           {"PrivateIpAddress", primary.address.ToString()},
           {"PrivateIpAddresses", std::move(private_ips)},
           {"RequesterManaged", false},
           {"SourceDestCheck", e.source_dest_check},
           {"Status", e.in_use() ? "in-use" : "available"},
           {"SubnetId", e.subnet_id},
           {"VpcId", e.vpc_id},
           {"TagSet", TagsToJson(e.tags)},
           {"Tags", TagsToJson(e.tags)}};
  if (primary.association) out["Association"] = RenderPublicIp(r, e.vpc_id, *primary.association);
  if (e.attachment) out["Attachment"] = RenderAttachment(r, *e.attachment);
  return out;
}

StatusOr<std::vector<IpAddress>> ParseAddressList(const json& in, std::string_view member,
                                                  bool v6) {
  std::vector<IpAddress> out;
  for (const auto& text : GetStrings(in, member)) {
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, ParseIp(text, v6, member));
    out.push_back(ip);
  }
  return out;
}

StatusOr<InterfaceAddresses> ParseInterfaceAddresses(const json& in) {
  InterfaceAddresses out;
  if (auto text = GetOptString(in, "PrivateIpAddress")) {
    MINIVPC_ASSIGN_OR_RETURN(out.primary, ParseIp(*text, false, "PrivateIpAddress"));
  }
  std::optional<IpAddress> listed_primary;
  for (const auto& item : in.value("PrivateIpAddresses", json::array())) {
    std::string text = GetString(item, "PrivateIpAddress");
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, ParseIp(text, false, "PrivateIpAddresses"));
    if (!GetBool(item, "Primary")) {
      out.secondaries.push_back(ip);
    } else if (listed_primary) {
      return Status(err::kInvalidParameterValue,
                    "Only one private IP address can be designated as primary.");
    } else {
      listed_primary = ip;
    }
  }
  if (listed_primary && out.primary && *listed_primary != *out.primary) {
    return Status(err::kInvalidParameterCombination,
                  "The primary private IP address given in PrivateIpAddress differs from the one "
                  "designated primary in PrivateIpAddresses.");
  }
  if (listed_primary) out.primary = listed_primary;
  for (const auto& item : in.value("Ipv6Addresses", json::array())) {
    std::string text = GetString(item, "Ipv6Address");
    MINIVPC_ASSIGN_OR_RETURN(IpAddress ip, ParseIp(text, true, "Ipv6Addresses"));
    out.ipv6.push_back(ip);
  }
  return out;
}

}  // namespace minivpc::ec2api
