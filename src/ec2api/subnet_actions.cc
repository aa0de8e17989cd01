// Subnet actions: CreateSubnet, DeleteSubnet, DescribeSubnets,
// ModifySubnetAttribute, Associate/DisassociateSubnetCidrBlock.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "ec2api/renderers.h"
#include "vpc/subnets.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kSubnetFilters = {
    {"availability-zone", "AvailabilityZone"},
    {"availabilityZone", "AvailabilityZone"},
    {"availability-zone-id", "AvailabilityZoneId"},
    {"availabilityZoneId", "AvailabilityZoneId"},
    {"available-ip-address-count", "AvailableIpAddressCount"},
    {"cidr-block", "CidrBlock"},
    {"cidr", "CidrBlock"},
    {"cidrBlock", "CidrBlock"},
    {"default-for-az", "DefaultForAz"},
    {"defaultForAz", "DefaultForAz"},
    {"ipv6-cidr-block-association.ipv6-cidr-block", "Ipv6CidrBlockAssociationSet.Ipv6CidrBlock"},
    {"ipv6-cidr-block-association.association-id", "Ipv6CidrBlockAssociationSet.AssociationId"},
    {"ipv6-cidr-block-association.state", "Ipv6CidrBlockAssociationSet.Ipv6CidrBlockState.State"},
    {"ipv6-native", "Ipv6Native"},
    {"map-public-ip-on-launch", "MapPublicIpOnLaunch"},
    {"owner-id", "OwnerId"},
    {"state", "State"},
    {"subnet-arn", "SubnetArn"},
    {"subnet-id", "SubnetId"},
    {"vpc-id", "VpcId"},
};

StatusOr<json> CreateSubnetHandler(Call& c) {
  CreateSubnetArgs args;
  args.vpc_id = GetString(c.input, "VpcId");
  args.cidr_block = GetString(c.input, "CidrBlock");
  if (args.cidr_block.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter CidrBlock");
  }
  args.ipv6_cidr_block = GetString(c.input, "Ipv6CidrBlock");
  args.availability_zone = GetString(c.input, "AvailabilityZone");
  args.availability_zone_id = GetString(c.input, "AvailabilityZoneId");
  MINIVPC_ASSIGN_OR_RETURN(args.tags, TagsFromSpecifications(c.input, "subnet"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, CreateSubnet(c.region, args));
  json subnet = RenderSubnet(c.region, *c.region.subnets.Find(id));
  subnet["State"] = "pending";
  return json{{"Subnet", subnet}};
}

StatusOr<json> DeleteSubnetHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "SubnetId", "SubnetId"));
  MINIVPC_RETURN_IF_ERROR(DeleteSubnet(c.region, GetString(c.input, "SubnetId")));
  return json::object();
}

StatusOr<json> DescribeSubnetsHandler(Call& c) {
  static const DescribeSpec spec{&kSubnetKind, "SubnetIds", "Subnets", &kSubnetFilters};
  return Describe(c.region.subnets, c.input, spec,
                  [&](const Subnet& s) { return RenderSubnet(c.region, s); });
}

StatusOr<json> ModifySubnetAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "SubnetId", "SubnetId"));
  MINIVPC_RETURN_IF_ERROR(ModifySubnetAttribute(
      c.region, GetString(c.input, "SubnetId"), GetOptBool(c.input, "MapPublicIpOnLaunch"),
      GetOptBool(c.input, "AssignIpv6AddressOnCreation")));
  return json::object();
}

StatusOr<json> AssociateSubnetCidrBlockHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "SubnetId", "SubnetId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "Ipv6CidrBlock", "Ipv6CidrBlock"));
  std::string id = GetString(c.input, "SubnetId");
  MINIVPC_ASSIGN_OR_RETURN(
      CidrAssociation a,
      AssociateSubnetCidrBlock(c.region, id, GetString(c.input, "Ipv6CidrBlock")));
  a.state = "associating";
  return json{{"SubnetId", id}, {"Ipv6CidrBlockAssociation", RenderSubnetIpv6Association(a)}};
}

StatusOr<json> DisassociateSubnetCidrBlockHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "AssociationId", "AssociationId"));
  MINIVPC_ASSIGN_OR_RETURN(
      auto result, DisassociateSubnetCidrBlock(c.region, GetString(c.input, "AssociationId")));
  return json{{"SubnetId", result.first},
              {"Ipv6CidrBlockAssociation", RenderSubnetIpv6Association(result.second)}};
}

}  // namespace

void RegisterSubnetActions(ActionTable& t) {
  t["CreateSubnet"] = {Access::kWrite, CreateSubnetHandler};
  t["DeleteSubnet"] = {Access::kWrite, DeleteSubnetHandler};
  t["DescribeSubnets"] = {Access::kRead, DescribeSubnetsHandler};
  t["ModifySubnetAttribute"] = {Access::kWrite, ModifySubnetAttributeHandler};
  t["AssociateSubnetCidrBlock"] = {Access::kWrite, AssociateSubnetCidrBlockHandler};
  t["DisassociateSubnetCidrBlock"] = {Access::kWrite, DisassociateSubnetCidrBlockHandler};
}

}  // namespace minivpc::ec2api
