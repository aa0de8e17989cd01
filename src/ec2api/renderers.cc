#include "ec2api/renderers.h"

#include "ec2api/handler_util.h"
#include "vpc/regions.h"
#include "vpc/subnets.h"

namespace minivpc::ec2api {

json RenderVpcCidrAssociation(const CidrAssociation& a) {
  return {{"AssociationId", a.association_id},
          {"CidrBlock", a.cidr.ToString()},
          {"CidrBlockState", {{"State", a.state}}}};
}

json RenderVpcIpv6Association(const CidrAssociation& a) {
  return {{"AssociationId", a.association_id},
          {"Ipv6CidrBlock", a.cidr.ToString()},
          {"Ipv6CidrBlockState", {{"State", a.state}}},
          {"Ipv6Pool", "Amazon"},
          {"IpSource", "amazon"},
          {"Ipv6AddressAttribute", "public"}};
}

json RenderVpc(const RegionState& r, const Vpc& vpc) {
  json cidrs = json::array();
  for (const auto& a : vpc.cidrs) cidrs.push_back(RenderVpcCidrAssociation(a));
  json v6 = json::array();
  for (const auto& a : vpc.ipv6_cidrs) {
    json j = RenderVpcIpv6Association(a);
    j["NetworkBorderGroup"] = r.region;
    v6.push_back(std::move(j));
  }
  json out{{"OwnerId", vpc.owner_id},
           {"InstanceTenancy", vpc.tenancy},
           {"CidrBlockAssociationSet", std::move(cidrs)},
           {"IsDefault", vpc.is_default},
           {"VpcId", vpc.id},
           {"State", "available"},
           {"CidrBlock", vpc.cidr.ToString()},
           {"DhcpOptionsId", vpc.dhcp_options_id}};
  if (!v6.empty()) out["Ipv6CidrBlockAssociationSet"] = std::move(v6);
  if (!vpc.tags.empty()) out["Tags"] = TagsToJson(vpc.tags);
  return out;
}

json RenderSubnetIpv6Association(const CidrAssociation& a) {
  return {{"AssociationId", a.association_id},
          {"Ipv6CidrBlock", a.cidr.ToString()},
          {"Ipv6CidrBlockState", {{"State", a.state}}},
          {"IpSource", "amazon"},
          {"Ipv6AddressAttribute", "public"}};
}

json RenderSubnet(const RegionState& r, const Subnet& s) {
  json out{{"AvailabilityZoneId", ZoneId(s.availability_zone)},
           {"MapCustomerOwnedIpOnLaunch", false},
           {"OwnerId", s.owner_id},
           {"AssignIpv6AddressOnCreation", s.assign_ipv6_on_creation},
           {"Ipv6CidrBlockAssociationSet", json::array()},
           {"SubnetArn", "arn:aws:ec2:" + r.region + ":" + s.owner_id + ":subnet/" + s.id},
           {"EnableDns64", false},
           {"Ipv6Native", false},
           {"PrivateDnsNameOptionsOnLaunch",
            {{"HostnameType", "ip-name"},
             {"EnableResourceNameDnsARecord", false},
             {"EnableResourceNameDnsAAAARecord", false}}},
           {"SubnetId", s.id},
           {"State", "available"},
           {"VpcId", s.vpc_id},
           {"CidrBlock", s.cidr.ToString()},
           {"AvailableIpAddressCount", AvailableIpAddressCount(r, s)},
           {"AvailabilityZone", s.availability_zone},
           {"DefaultForAz", s.default_for_az},
           {"MapPublicIpOnLaunch", s.map_public_ip_on_launch}};
  if (s.ipv6) out["Ipv6CidrBlockAssociationSet"].push_back(RenderSubnetIpv6Association(*s.ipv6));
  if (!s.tags.empty()) out["Tags"] = TagsToJson(s.tags);
  return out;
}

}  // namespace minivpc::ec2api
