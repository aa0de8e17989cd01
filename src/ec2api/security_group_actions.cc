// Security group actions: Create/Delete/DescribeSecurityGroups,
// Authorize/RevokeSecurityGroupIngress/Egress, DescribeSecurityGroupRules,
// ModifySecurityGroupRules. The rules themselves live in
// vpc/security_groups.h and vpc/security_group_rules.h, the output shapes
// and IpPermissions decoding in security_group_shapes.h.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "ec2api/security_group_shapes.h"
#include "vpc/security_group_rules.h"
#include "vpc/security_groups.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kGroupFilters = {
    {"description", "Description"},
    {"group-id", "GroupId"},
    {"group-name", "GroupName"},
    {"owner-id", "OwnerId"},
    {"vpc-id", "VpcId"},
    {"ip-permission.cidr", "IpPermissions.IpRanges.CidrIp"},
    {"ip-permission.ipv6-cidr", "IpPermissions.Ipv6Ranges.CidrIpv6"},
    {"ip-permission.from-port", "IpPermissions.FromPort"},
    {"ip-permission.to-port", "IpPermissions.ToPort"},
    {"ip-permission.protocol", "IpPermissions.IpProtocol"},
    {"ip-permission.group-id", "IpPermissions.UserIdGroupPairs.GroupId"},
    {"ip-permission.user-id", "IpPermissions.UserIdGroupPairs.UserId"},
    {"ip-permission.prefix-list-id", "IpPermissions.PrefixListIds.PrefixListId"},
    {"egress.ip-permission.cidr", "IpPermissionsEgress.IpRanges.CidrIp"},
    {"egress.ip-permission.ipv6-cidr", "IpPermissionsEgress.Ipv6Ranges.CidrIpv6"},
    {"egress.ip-permission.from-port", "IpPermissionsEgress.FromPort"},
    {"egress.ip-permission.to-port", "IpPermissionsEgress.ToPort"},
    {"egress.ip-permission.protocol", "IpPermissionsEgress.IpProtocol"},
    {"egress.ip-permission.group-id", "IpPermissionsEgress.UserIdGroupPairs.GroupId"},
    {"egress.ip-permission.user-id", "IpPermissionsEgress.UserIdGroupPairs.UserId"},
    {"egress.ip-permission.prefix-list-id", "IpPermissionsEgress.PrefixListIds.PrefixListId"},
};

const FilterPaths kRuleFilters = {
    {"group-id", "GroupId"},
    {"security-group-rule-id", "SecurityGroupRuleId"},
};

// The target group: GroupId, or GroupName in the default VPC (ingress only;
// the egress actions take only GroupId).
StatusOr<std::string> TargetGroup(const Call& c, bool egress) {
  if (egress) MINIVPC_RETURN_IF_ERROR(Require(c.input, "GroupId", "GroupId"));
  return ResolveGroup(c.region, GetString(c.input, "GroupId"),
                      egress ? "" : GetString(c.input, "GroupName"));
}

StatusOr<json> CreateSecurityGroupHandler(Call& c) {
  CreateSecurityGroupArgs args;
  args.name = GetString(c.input, "GroupName");
  args.description = GetString(c.input, "Description");
  args.vpc_id = GetString(c.input, "VpcId");
  MINIVPC_ASSIGN_OR_RETURN(args.tags, TagsFromSpecifications(c.input, "security-group"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, CreateSecurityGroup(c.region, args));
  json out{{"GroupId", id}, {"SecurityGroupArn", Ec2Arn(c.region, "security-group", id)}};
  if (!args.tags.empty()) out["Tags"] = TagsToJson(args.tags);
  return out;
}

StatusOr<json> DeleteSecurityGroupHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(std::string id, ResolveGroup(c.region, GetString(c.input, "GroupId"),
                                                        GetString(c.input, "GroupName")));
  MINIVPC_RETURN_IF_ERROR(DeleteSecurityGroup(c.region, id));
  return json{{"Return", true}, {"GroupId", id}};
}

StatusOr<json> DescribeSecurityGroupsHandler(Call& c) {
  static const DescribeSpec spec{&kGroupKind, "GroupIds", "SecurityGroups", &kGroupFilters};
  json in = c.input;
  for (const auto& name : GetStrings(c.input, "GroupNames")) {
    // Names resolve in the default VPC only; elsewhere use the group-name filter.
    MINIVPC_ASSIGN_OR_RETURN(std::string id, ResolveGroup(c.region, "", name));
    in["GroupIds"].push_back(id);
  }
  return Describe(c.region.security_groups, in, spec,
                  [&](const SecurityGroup& g) { return RenderSecurityGroup(c.region, g); });
}

StatusOr<json> Authorize(Call& c, bool egress) {
  MINIVPC_ASSIGN_OR_RETURN(std::string id, TargetGroup(c, egress));
  MINIVPC_ASSIGN_OR_RETURN(std::vector<IpPermissionSpec> perms, ParsePermissions(c.input));
  MINIVPC_ASSIGN_OR_RETURN(Tags tags, TagsFromSpecifications(c.input, "security-group-rule"));
  MINIVPC_ASSIGN_OR_RETURN(std::vector<SecurityGroupRule> added,
                           AuthorizeSecurityGroupRules(c.region, id, egress, perms, tags));
  const SecurityGroup& g = *c.region.security_groups.Find(id);
  json rules = json::array();
  for (const auto& rule : added) rules.push_back(RenderSecurityGroupRule(c.region, g, rule));
  return json{{"Return", true}, {"SecurityGroupRules", std::move(rules)}};
}

StatusOr<json> Revoke(Call& c, bool egress) {
  MINIVPC_ASSIGN_OR_RETURN(std::string id, TargetGroup(c, egress));
  std::vector<std::string> rule_ids = GetStrings(c.input, "SecurityGroupRuleIds");
  bool by_permission = HasPermissionMembers(c.input);
  if (!rule_ids.empty() && by_permission) {
    return Status(err::kInvalidParameterCombination,
                  "The parameter 'SecurityGroupRuleIds' may not be used in combination with "
                  "'IpPermissions'.");
  }
  RevokeResult result;
  if (!rule_ids.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(result, RevokeSecurityGroupRuleIds(c.region, id, egress, rule_ids));
  } else {
    MINIVPC_ASSIGN_OR_RETURN(std::vector<IpPermissionSpec> perms, ParsePermissions(c.input));
    MINIVPC_ASSIGN_OR_RETURN(result, RevokeSecurityGroupRules(c.region, id, egress, perms));
  }
  json out{{"Return", true}, {"RevokedSecurityGroupRules", json::array()}};
  for (const auto& rule : result.revoked) {
    out["RevokedSecurityGroupRules"].push_back(RenderRevokedRule(id, rule));
  }
  if (!result.unknown.empty()) {
    out["UnknownIpPermissions"] = json::array();
    for (const auto& rule : result.unknown) {
      out["UnknownIpPermissions"].push_back(RenderIpPermission(rule));
    }
  }
  return out;
}

StatusOr<json> AuthorizeIngressHandler(Call& c) { return Authorize(c, false); }
StatusOr<json> AuthorizeEgressHandler(Call& c) { return Authorize(c, true); }
StatusOr<json> RevokeIngressHandler(Call& c) { return Revoke(c, false); }
StatusOr<json> RevokeEgressHandler(Call& c) { return Revoke(c, true); }

StatusOr<json> DescribeSecurityGroupRulesHandler(Call& c) {
  const RegionState& r = c.region;
  std::vector<std::string> wanted = GetStrings(c.input, "SecurityGroupRuleIds");
  for (const auto& id : wanted) {
    if (!r.rule_owner.count(id)) return SecurityGroupRuleIdError(id);
  }
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  MINIVPC_ASSIGN_OR_RETURN(FilterSet filter_set, FilterSet::Compile(filters, kRuleFilters));
  std::vector<std::string> keys;
  std::vector<json> items;
  for (const auto& [rule_id, group_id] : r.rule_owner) {  // ordered by rule id
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), rule_id) == wanted.end()) {
      continue;
    }
    const SecurityGroup& g = *r.security_groups.Find(group_id);
    for (const auto& rule : g.rules) {
      if (rule.id != rule_id) continue;
      json item = RenderSecurityGroupRule(r, g, rule);
      if (!filter_set.Matches(item)) continue;
      keys.push_back(rule_id);
      items.push_back(std::move(item));
    }
  }
  MINIVPC_ASSIGN_OR_RETURN(Page page, Paginate(c.input, keys, 5, 1000));
  json out{{"SecurityGroupRules", json::array()}};
  for (size_t i = page.begin; i < page.end; ++i) {
    out["SecurityGroupRules"].push_back(std::move(items[i]));
  }
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

StatusOr<json> ModifySecurityGroupRulesHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "GroupId", "GroupId"));
  const json list = c.input.value("SecurityGroupRules", json::array());
  if (!list.is_array() || list.empty()) {
    return Status(err::kMissingParameter,
                  "The request must contain the parameter SecurityGroupRule");
  }
  std::vector<RuleUpdate> updates;
  for (const auto& item : list) {
    MINIVPC_RETURN_IF_ERROR(Require(item, "SecurityGroupRuleId", "SecurityGroupRuleId"));
    MINIVPC_RETURN_IF_ERROR(Require(item, "SecurityGroupRule", "SecurityGroupRule"));
    const json& req = item["SecurityGroupRule"];
    RuleUpdate u;
    u.rule_id = GetString(item, "SecurityGroupRuleId");
    u.rule.ip_protocol = GetString(req, "IpProtocol");
    u.rule.from_port = GetOptInt(req, "FromPort");
    u.rule.to_port = GetOptInt(req, "ToPort");
    PermissionPeer peer;
    peer.cidr_ipv4 = GetString(req, "CidrIpv4");
    peer.cidr_ipv6 = GetString(req, "CidrIpv6");
    peer.prefix_list_id = GetString(req, "PrefixListId");
    peer.group_id = GetString(req, "ReferencedGroupId");
    peer.description = GetString(req, "Description");
    u.rule.peers.push_back(peer);
    updates.push_back(std::move(u));
  }
  MINIVPC_RETURN_IF_ERROR(
      ModifySecurityGroupRules(c.region, GetString(c.input, "GroupId"), updates));
  return ReturnTrue();
}

}  // namespace

void RegisterSecurityGroupActions(ActionTable& t) {
  t["CreateSecurityGroup"] = {Access::kWrite, CreateSecurityGroupHandler};
  t["DeleteSecurityGroup"] = {Access::kWrite, DeleteSecurityGroupHandler};
  t["DescribeSecurityGroups"] = {Access::kRead, DescribeSecurityGroupsHandler};
  t["AuthorizeSecurityGroupIngress"] = {Access::kWrite, AuthorizeIngressHandler};
  t["AuthorizeSecurityGroupEgress"] = {Access::kWrite, AuthorizeEgressHandler};
  t["RevokeSecurityGroupIngress"] = {Access::kWrite, RevokeIngressHandler};
  t["RevokeSecurityGroupEgress"] = {Access::kWrite, RevokeEgressHandler};
  t["DescribeSecurityGroupRules"] = {Access::kRead, DescribeSecurityGroupRulesHandler};
  t["ModifySecurityGroupRules"] = {Access::kWrite, ModifySecurityGroupRulesHandler};
}

}  // namespace minivpc::ec2api
