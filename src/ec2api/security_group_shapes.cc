#include "ec2api/security_group_shapes.h"

#include <algorithm>
#include <tuple>

#include "ec2api/handler_util.h"

namespace minivpc::ec2api {
namespace {

constexpr const char* kLegacyMembers[] = {"CidrIp",
                                          "IpProtocol",
                                          "FromPort",
                                          "ToPort",
                                          "SourceSecurityGroupName",
                                          "SourceSecurityGroupOwnerId"};

bool ProtocolHasPorts(const std::string& protocol) {
  return protocol == "tcp" || protocol == "udp" || protocol == "icmp" || protocol == "icmpv6";
}

void AddPeer(json& perm, const SecurityGroupRule& rule) {
  json peer = json::object();
  if (!rule.description.empty()) peer["Description"] = rule.description;
  if (rule.cidr && rule.cidr->is_v4()) {
    peer["CidrIp"] = rule.cidr->ToString();
    perm["IpRanges"].push_back(std::move(peer));
  } else if (rule.cidr) {
    peer["CidrIpv6"] = rule.cidr->ToString();
    perm["Ipv6Ranges"].push_back(std::move(peer));
  } else {
    peer["GroupId"] = rule.referenced_group_id;
    peer["UserId"] = rule.referenced_owner_id;
    perm["UserIdGroupPairs"].push_back(std::move(peer));
  }
}

json EmptyPermission(const SecurityGroupRule& rule) {
  json perm{{"IpProtocol", rule.ip_protocol},
            {"IpRanges", json::array()},
            {"Ipv6Ranges", json::array()},
            {"PrefixListIds", json::array()},
            {"UserIdGroupPairs", json::array()}};
  if (ProtocolHasPorts(rule.ip_protocol)) {
    perm["FromPort"] = rule.from_port;
    perm["ToPort"] = rule.to_port;
  }
  return perm;
}

json RenderPermissions(const std::vector<SecurityGroupRule>& rules, bool egress) {
  json out = json::array();
  std::vector<std::tuple<std::string, int, int>> keys;
  for (const auto& rule : rules) {
    if (rule.is_egress != egress) continue;
    auto key = std::make_tuple(rule.ip_protocol, rule.from_port, rule.to_port);
    size_t i = std::find(keys.begin(), keys.end(), key) - keys.begin();
    if (i == keys.size()) {
      keys.push_back(key);
      out.push_back(EmptyPermission(rule));
    }
    AddPeer(out[i], rule);
  }
  return out;
}

// The peer and description of a rule shape; a referenced group is
// ReferencedGroupId in RevokedSecurityGroupRule, ReferencedGroupInfo elsewhere.
void AddRulePeer(json& out, const SecurityGroupRule& rule, bool group_as_id) {
  if (rule.cidr) {
    out[rule.cidr->is_v4() ? "CidrIpv4" : "CidrIpv6"] = rule.cidr->ToString();
  } else if (group_as_id) {
    out["ReferencedGroupId"] = rule.referenced_group_id;
  } else {
    out["ReferencedGroupInfo"] = {{"GroupId", rule.referenced_group_id},
                                  {"UserId", rule.referenced_owner_id}};
  }
  if (!rule.description.empty()) out["Description"] = rule.description;
}

IpPermissionSpec ParsePermission(const json& p) {
  IpPermissionSpec spec;
  spec.ip_protocol = GetString(p, "IpProtocol");
  spec.from_port = GetOptInt(p, "FromPort");
  spec.to_port = GetOptInt(p, "ToPort");
  auto each = [&](const char* list, auto&& set) {
    if (!p.contains(list) || !p[list].is_array()) return;
    for (const auto& item : p[list]) {
      PermissionPeer peer;
      peer.description = GetString(item, "Description");
      set(item, peer);
      spec.peers.push_back(std::move(peer));
    }
  };
  each("IpRanges",
       [](const json& i, PermissionPeer& peer) { peer.cidr_ipv4 = GetString(i, "CidrIp"); });
  each("Ipv6Ranges",
       [](const json& i, PermissionPeer& peer) { peer.cidr_ipv6 = GetString(i, "CidrIpv6"); });
  each("PrefixListIds", [](const json& i, PermissionPeer& peer) {
    peer.prefix_list_id = GetString(i, "PrefixListId");
  });
  each("UserIdGroupPairs", [](const json& i, PermissionPeer& peer) {
    peer.group_id = GetString(i, "GroupId");
    peer.group_name = GetString(i, "GroupName");
    peer.user_id = GetString(i, "UserId");
  });
  return spec;
}

std::vector<IpPermissionSpec> LegacyPermissions(const json& in) {
  IpPermissionSpec spec;
  spec.ip_protocol = GetString(in, "IpProtocol");
  spec.from_port = GetOptInt(in, "FromPort");
  spec.to_port = GetOptInt(in, "ToPort");
  PermissionPeer peer;
  peer.cidr_ipv4 = GetString(in, "CidrIp");
  peer.group_name = GetString(in, "SourceSecurityGroupName");
  peer.user_id = GetString(in, "SourceSecurityGroupOwnerId");
  if (!peer.cidr_ipv4.empty() || !peer.group_name.empty() || !peer.user_id.empty()) {
    spec.peers.push_back(peer);
  }
  if (peer.group_name.empty() || !spec.ip_protocol.empty()) return {spec};
  return {{"icmp", -1, -1, {peer}}, {"tcp", 0, 65535, {peer}}, {"udp", 0, 65535, {peer}}};
}

bool HasLegacyMembers(const json& in) {
  return std::any_of(std::begin(kLegacyMembers), std::end(kLegacyMembers),
                     [&](const char* m) { return in.contains(m) && !in[m].is_null(); });
}

bool HasIpPermissions(const json& in) {
  return in.contains("IpPermissions") && in["IpPermissions"].is_array() &&
         !in["IpPermissions"].empty();
}

}  // namespace

std::string Ec2Arn(const RegionState& r, const std::string& kind, const std::string& id) {
  return "arn:aws:ec2:" + r.region + ":" + r.account_id + ":" + kind + "/" + id;
}

json RenderSecurityGroup(const RegionState& r, const SecurityGroup& g) {
  json out{{"GroupId", g.id},
           {"GroupName", g.name},
           {"Description", g.description},
           {"OwnerId", g.owner_id},
           {"VpcId", g.vpc_id},
           {"SecurityGroupArn", Ec2Arn(r, "security-group", g.id)},
           {"IpPermissions", RenderPermissions(g.rules, false)},
           {"IpPermissionsEgress", RenderPermissions(g.rules, true)}};
  if (!g.tags.empty()) out["Tags"] = TagsToJson(g.tags);
  return out;
}

json RenderSecurityGroupRule(const RegionState& r, const SecurityGroup& g,
                             const SecurityGroupRule& rule) {
  json out{{"SecurityGroupRuleId", rule.id},
           {"GroupId", g.id},
           {"GroupOwnerId", g.owner_id},
           {"IsEgress", rule.is_egress},
           {"IpProtocol", rule.ip_protocol},
           {"FromPort", rule.from_port},
           {"ToPort", rule.to_port},
           {"SecurityGroupRuleArn", Ec2Arn(r, "security-group-rule", rule.id)},
           {"Tags", TagsToJson(rule.tags)}};
  AddRulePeer(out, rule, /*group_as_id=*/false);
  return out;
}

json RenderRevokedRule(const std::string& group_id, const SecurityGroupRule& rule) {
  json out{{"SecurityGroupRuleId", rule.id}, {"GroupId", group_id},
           {"IsEgress", rule.is_egress},     {"IpProtocol", rule.ip_protocol},
           {"FromPort", rule.from_port},     {"ToPort", rule.to_port}};
  AddRulePeer(out, rule, /*group_as_id=*/true);
  return out;
}

json RenderIpPermission(const SecurityGroupRule& rule) {
  json perm = EmptyPermission(rule);
  AddPeer(perm, rule);
  return perm;
}

bool HasPermissionMembers(const json& in) { return HasIpPermissions(in) || HasLegacyMembers(in); }

StatusOr<std::vector<IpPermissionSpec>> ParsePermissions(const json& in) {
  bool legacy = HasLegacyMembers(in);
  if (legacy && HasIpPermissions(in)) {
    return Status(err::kInvalidParameterCombination,
                  "The parameter 'IpPermissions' may not be used in combination with 'CidrIp', "
                  "'IpProtocol', 'FromPort', 'ToPort' or 'SourceSecurityGroupName'.");
  }
  if (legacy) {
    if (!GetString(in, "CidrIp").empty() && !GetString(in, "SourceSecurityGroupName").empty()) {
      return Status(err::kInvalidParameterCombination,
                    "The parameter 'CidrIp' may not be used in combination with "
                    "'SourceSecurityGroupName'.");
    }
    return LegacyPermissions(in);
  }
  if (!HasIpPermissions(in)) {
    return Status(err::kMissingParameter, "The request must contain the parameter ipPermissions");
  }
  std::vector<IpPermissionSpec> out;
  for (const auto& p : in["IpPermissions"]) out.push_back(ParsePermission(p));
  return out;
}

}  // namespace minivpc::ec2api
