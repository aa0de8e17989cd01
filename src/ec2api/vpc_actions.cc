// VPC actions: CreateVpc, DeleteVpc, DescribeVpcs, Modify/DescribeVpcAttribute,
// Associate/DisassociateVpcCidrBlock, CreateDefaultVpc.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "ec2api/renderers.h"
#include "vpc/vpcs.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kVpcFilters = {
    {"cidr", "CidrBlock"},
    {"cidr-block-association.cidr-block", "CidrBlockAssociationSet.CidrBlock"},
    {"cidr-block-association.association-id", "CidrBlockAssociationSet.AssociationId"},
    {"cidr-block-association.state", "CidrBlockAssociationSet.CidrBlockState.State"},
    {"dhcp-options-id", "DhcpOptionsId"},
    {"ipv6-cidr-block-association.ipv6-cidr-block", "Ipv6CidrBlockAssociationSet.Ipv6CidrBlock"},
    {"ipv6-cidr-block-association.ipv6-pool", "Ipv6CidrBlockAssociationSet.Ipv6Pool"},
    {"ipv6-cidr-block-association.association-id", "Ipv6CidrBlockAssociationSet.AssociationId"},
    {"ipv6-cidr-block-association.state", "Ipv6CidrBlockAssociationSet.Ipv6CidrBlockState.State"},
    {"is-default", "IsDefault"},
    {"owner-id", "OwnerId"},
    {"state", "State"},
    {"vpc-id", "VpcId"},
};

StatusOr<json> CreateVpcHandler(Call& c) {
  CreateVpcArgs args;
  args.cidr_block = GetString(c.input, "CidrBlock");
  if (args.cidr_block.empty()) {
    return Status(err::kMissingParameter,
                  "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
  }
  args.amazon_provided_ipv6 = GetBool(c.input, "AmazonProvidedIpv6CidrBlock");
  args.instance_tenancy = GetString(c.input, "InstanceTenancy", "default");
  MINIVPC_ASSIGN_OR_RETURN(args.tags, TagsFromSpecifications(c.input, "vpc"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, CreateVpc(c.region, args));
  json vpc = RenderVpc(c.region, *c.region.vpcs.Find(id));
  vpc["State"] = "pending";
  return json{{"Vpc", vpc}};
}

StatusOr<json> DeleteVpcHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "VpcId", "VpcId"));
  MINIVPC_RETURN_IF_ERROR(DeleteVpc(c.region, GetString(c.input, "VpcId")));
  return json::object();
}

StatusOr<json> DescribeVpcsHandler(Call& c) {
  static const DescribeSpec spec{&kVpcKind, "VpcIds", "Vpcs", &kVpcFilters};
  return Describe(c.region.vpcs, c.input, spec,
                  [&](const Vpc& v) { return RenderVpc(c.region, v); });
}

StatusOr<json> ModifyVpcAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "VpcId", "VpcId"));
  MINIVPC_RETURN_IF_ERROR(ModifyVpcAttribute(c.region, GetString(c.input, "VpcId"),
                                             GetOptBool(c.input, "EnableDnsSupport"),
                                             GetOptBool(c.input, "EnableDnsHostnames")));
  return json::object();
}

StatusOr<json> DescribeVpcAttributeHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "VpcId", "VpcId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "Attribute", "Attribute"));
  std::string id = GetString(c.input, "VpcId");
  MINIVPC_ASSIGN_OR_RETURN(const Vpc* vpc, Lookup(c.region.vpcs, kVpcKind, id));
  std::string attr = GetString(c.input, "Attribute");
  json out{{"VpcId", id}};
  if (attr == "enableDnsSupport") {
    out["EnableDnsSupport"] = {{"Value", vpc->enable_dns_support}};
  } else if (attr == "enableDnsHostnames") {
    out["EnableDnsHostnames"] = {{"Value", vpc->enable_dns_hostnames}};
  } else if (attr == "enableNetworkAddressUsageMetrics") {
    out["EnableNetworkAddressUsageMetrics"] = {{"Value", false}};
  } else {
    return Status(err::kInvalidParameterValue,
                  "Value (" + attr + ") for parameter attribute is invalid. Unknown attribute.");
  }
  return out;
}

json RenderCidrResult(const VpcCidrResult& r) {
  json out{{"VpcId", r.vpc_id}};
  if (r.ipv6) {
    out["Ipv6CidrBlockAssociation"] = RenderVpcIpv6Association(r.association);
  } else {
    out["CidrBlockAssociation"] = RenderVpcCidrAssociation(r.association);
  }
  return out;
}

StatusOr<json> AssociateVpcCidrBlockHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "VpcId", "VpcId"));
  MINIVPC_ASSIGN_OR_RETURN(
      VpcCidrResult r,
      AssociateVpcCidrBlock(c.region, GetString(c.input, "VpcId"), GetString(c.input, "CidrBlock"),
                            GetBool(c.input, "AmazonProvidedIpv6CidrBlock")));
  if (r.ipv6) r.association.state = "associating";
  return RenderCidrResult(r);
}

StatusOr<json> DisassociateVpcCidrBlockHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "AssociationId", "AssociationId"));
  MINIVPC_ASSIGN_OR_RETURN(VpcCidrResult r,
                           DisassociateVpcCidrBlock(c.region, GetString(c.input, "AssociationId")));
  return RenderCidrResult(r);
}

StatusOr<json> CreateDefaultVpcHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(std::string id, CreateDefaultVpc(c.region));
  return json{{"Vpc", RenderVpc(c.region, *c.region.vpcs.Find(id))}};
}

}  // namespace

void RegisterVpcActions(ActionTable& t) {
  t["CreateVpc"] = {Access::kWrite, CreateVpcHandler};
  t["DeleteVpc"] = {Access::kWrite, DeleteVpcHandler};
  t["DescribeVpcs"] = {Access::kRead, DescribeVpcsHandler};
  t["ModifyVpcAttribute"] = {Access::kWrite, ModifyVpcAttributeHandler};
  t["DescribeVpcAttribute"] = {Access::kRead, DescribeVpcAttributeHandler};
  t["AssociateVpcCidrBlock"] = {Access::kWrite, AssociateVpcCidrBlockHandler};
  t["DisassociateVpcCidrBlock"] = {Access::kWrite, DisassociateVpcCidrBlockHandler};
  t["CreateDefaultVpc"] = {Access::kWrite, CreateDefaultVpcHandler};
}

}  // namespace minivpc::ec2api
