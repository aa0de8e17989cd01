// Network ACL actions: Create/Delete/DescribeNetworkAcls,
// Create/Replace/DeleteNetworkAclEntry, ReplaceNetworkAclAssociation. The
// rules live in vpc/network_acls.h.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "vpc/network_acls.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kAclFilters = {
    {"association.association-id", "Associations.NetworkAclAssociationId"},
    {"association.network-acl-id", "Associations.NetworkAclId"},
    {"association.subnet-id", "Associations.SubnetId"},
    {"default", "IsDefault"},
    {"entry.cidr", "Entries.CidrBlock"},
    {"entry.ipv6-cidr", "Entries.Ipv6CidrBlock"},
    {"entry.egress", "Entries.Egress"},
    {"entry.icmp.code", "Entries.IcmpTypeCode.Code"},
    {"entry.icmp.type", "Entries.IcmpTypeCode.Type"},
    {"entry.port-range.from", "Entries.PortRange.From"},
    {"entry.port-range.to", "Entries.PortRange.To"},
    {"entry.protocol", "Entries.Protocol"},
    {"entry.rule-action", "Entries.RuleAction"},
    {"entry.rule-number", "Entries.RuleNumber"},
    {"network-acl-id", "NetworkAclId"},
    {"owner-id", "OwnerId"},
    {"vpc-id", "VpcId"},
};

json RenderEntry(const NetworkAclEntry& e) {
  json out{{"RuleNumber", e.rule_number},
           {"Egress", e.egress},
           {"Protocol", e.protocol},
           {"RuleAction", e.allow ? "allow" : "deny"}};
  if (e.cidr) out[e.cidr->is_v4() ? "CidrBlock" : "Ipv6CidrBlock"] = e.cidr->ToString();
  if (e.port_from && e.port_to) out["PortRange"] = {{"From", *e.port_from}, {"To", *e.port_to}};
  if (e.icmp_type && e.icmp_code) {
    out["IcmpTypeCode"] = {{"Type", *e.icmp_type}, {"Code", *e.icmp_code}};
  }
  return out;
}

json RenderAcl(const RegionState& r, const NetworkAcl& acl) {
  json associations = json::array();
  for (const Subnet* s : AssociatedSubnets(r, acl)) {
    associations.push_back({{"NetworkAclAssociationId", s->network_acl_association_id},
                            {"NetworkAclId", acl.id},
                            {"SubnetId", s->id}});
  }
  json entries = json::array();
  for (const auto& e : EffectiveEntries(r, acl)) entries.push_back(RenderEntry(e));
  json out{{"NetworkAclId", acl.id},
           {"VpcId", acl.vpc_id},
           {"OwnerId", acl.owner_id},
           {"IsDefault", acl.is_default},
           {"Associations", std::move(associations)},
           {"Entries", std::move(entries)},
           {"Tags", TagsToJson(acl.tags)}};
  return out;
}

NetworkAclEntrySpec ParseEntrySpec(const json& in) {
  NetworkAclEntrySpec spec;
  spec.rule_number = GetOptInt(in, "RuleNumber").value_or(0);
  spec.egress = GetBool(in, "Egress");
  spec.protocol = GetString(in, "Protocol");
  spec.rule_action = GetString(in, "RuleAction");
  spec.cidr_block = GetString(in, "CidrBlock");
  spec.ipv6_cidr_block = GetString(in, "Ipv6CidrBlock");
  if (in.contains("IcmpTypeCode")) {
    spec.icmp_type = GetOptInt(in["IcmpTypeCode"], "Type");
    spec.icmp_code = GetOptInt(in["IcmpTypeCode"], "Code");
  }
  if (in.contains("PortRange")) {
    spec.port_from = GetOptInt(in["PortRange"], "From");
    spec.port_to = GetOptInt(in["PortRange"], "To");
  }
  return spec;
}

// The members every entry action needs (the decoder also checks the
// model's required members; this keeps the handler honest on its own).
Status RequireEntryMembers(const json& in, bool full) {
  MINIVPC_RETURN_IF_ERROR(Require(in, "NetworkAclId", "networkAclId"));
  MINIVPC_RETURN_IF_ERROR(Require(in, "RuleNumber", "ruleNumber"));
  MINIVPC_RETURN_IF_ERROR(Require(in, "Egress", "egress"));
  if (!full) return Status::Ok();
  MINIVPC_RETURN_IF_ERROR(Require(in, "Protocol", "protocol"));
  return Require(in, "RuleAction", "ruleAction");
}

StatusOr<json> CreateNetworkAclHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "VpcId", "VpcId"));
  MINIVPC_ASSIGN_OR_RETURN(Tags tags, TagsFromSpecifications(c.input, "network-acl"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id,
                           CreateNetworkAcl(c.region, GetString(c.input, "VpcId"), tags));
  json out{{"NetworkAcl", RenderAcl(c.region, *c.region.network_acls.Find(id))}};
  if (auto token = GetOptString(c.input, "ClientToken")) out["ClientToken"] = *token;
  return out;
}

StatusOr<json> DeleteNetworkAclHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkAclId", "NetworkAclId"));
  MINIVPC_RETURN_IF_ERROR(DeleteNetworkAcl(c.region, GetString(c.input, "NetworkAclId")));
  return json::object();
}

StatusOr<json> DescribeNetworkAclsHandler(Call& c) {
  static const DescribeSpec spec{&kAclKind, "NetworkAclIds", "NetworkAcls", &kAclFilters};
  return Describe(c.region.network_acls, c.input, spec,
                  [&](const NetworkAcl& acl) { return RenderAcl(c.region, acl); });
}

StatusOr<json> CreateNetworkAclEntryHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(RequireEntryMembers(c.input, true));
  MINIVPC_RETURN_IF_ERROR(
      CreateNetworkAclEntry(c.region, GetString(c.input, "NetworkAclId"), ParseEntrySpec(c.input)));
  return json::object();
}

StatusOr<json> ReplaceNetworkAclEntryHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(RequireEntryMembers(c.input, true));
  MINIVPC_RETURN_IF_ERROR(ReplaceNetworkAclEntry(c.region, GetString(c.input, "NetworkAclId"),
                                                 ParseEntrySpec(c.input)));
  return json::object();
}

StatusOr<json> DeleteNetworkAclEntryHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(RequireEntryMembers(c.input, false));
  MINIVPC_RETURN_IF_ERROR(DeleteNetworkAclEntry(c.region, GetString(c.input, "NetworkAclId"),
                                                GetOptInt(c.input, "RuleNumber").value_or(0),
                                                GetBool(c.input, "Egress")));
  return json::object();
}

StatusOr<json> ReplaceNetworkAclAssociationHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "AssociationId", "AssociationId"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkAclId", "NetworkAclId"));
  MINIVPC_ASSIGN_OR_RETURN(
      std::string id, ReplaceNetworkAclAssociation(c.region, GetString(c.input, "AssociationId"),
                                                   GetString(c.input, "NetworkAclId")));
  return json{{"NewAssociationId", id}};
}

}  // namespace

void RegisterNetworkAclActions(ActionTable& t) {
  t["CreateNetworkAcl"] = {Access::kWrite, CreateNetworkAclHandler};
  t["DeleteNetworkAcl"] = {Access::kWrite, DeleteNetworkAclHandler};
  t["DescribeNetworkAcls"] = {Access::kRead, DescribeNetworkAclsHandler};
  t["CreateNetworkAclEntry"] = {Access::kWrite, CreateNetworkAclEntryHandler};
  t["ReplaceNetworkAclEntry"] = {Access::kWrite, ReplaceNetworkAclEntryHandler};
  t["DeleteNetworkAclEntry"] = {Access::kWrite, DeleteNetworkAclEntryHandler};
  t["ReplaceNetworkAclAssociation"] = {Access::kWrite, ReplaceNetworkAclAssociationHandler};
}

}  // namespace minivpc::ec2api
