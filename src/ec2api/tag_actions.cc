// CreateTags, DeleteTags, DescribeTags over every taggable resource kind.
#include <algorithm>

#include "ec2api/action.h"
#include "ec2api/handler_util.h"

namespace minivpc::ec2api {
namespace {

constexpr size_t kMaxTagsPerResource = 50;

// Calls `f(resource_type, tags)` on a copy of the resource's tags and stores
// the result; NotFound/Malformed errors for unknown ids.
template <typename F>
Status UpdateTags(RegionState& r, const std::string& id, F&& f) {
  auto on = [&](auto& table, const IdKind& kind, const char* type) -> Status {
    if (!table.Contains(id)) return IdError(kind, id);
    Status st;
    table.Update(id, [&](auto& row) { st = f(type, row.tags); });
    return st;
  };
  if (id.rfind("vpc-", 0) == 0) return on(r.vpcs, kVpcKind, "vpc");
  if (id.rfind("subnet-", 0) == 0) return on(r.subnets, kSubnetKind, "subnet");
  if (id.rfind("eni-", 0) == 0) return on(r.enis, kEniKind, "network-interface");
  if (id.rfind("i-", 0) == 0) return on(r.instances, kInstanceKind, "instance");
  if (id.rfind("sg-", 0) == 0) return on(r.security_groups, kGroupKind, "security-group");
  if (id.rfind("acl-", 0) == 0) return on(r.network_acls, kAclKind, "network-acl");
  if (id.rfind("rtb-", 0) == 0) return on(r.route_tables, kRouteTableKind, "route-table");
  if (id.rfind("igw-", 0) == 0) return on(r.internet_gateways, kIgwKind, "internet-gateway");
  if (id.rfind("eipalloc-", 0) == 0) return on(r.addresses, kAllocationKind, "elastic-ip");
  if (id.rfind("sgr-", 0) == 0) {
    auto owner = r.rule_owner.find(id);
    if (owner == r.rule_owner.end()) {
      return Status(err::kInvalidSecurityGroupRuleIdNotFound,
                    "The security group rule ID '" + id + "' does not exist");
    }
    Status st;
    r.security_groups.Update(owner->second, [&](SecurityGroup& g) {
      for (auto& rule : g.rules) {
        if (rule.id == id) st = f("security-group-rule", rule.tags);
      }
    });
    return st;
  }
  return Status(err::kInvalidIdMalformed, "The ID '" + id + "' is not valid");
}

StatusOr<json> CreateTagsHandler(Call& c) {
  std::vector<std::string> ids = GetStrings(c.input, "Resources");
  if (ids.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter ResourceId");
  }
  MINIVPC_ASSIGN_OR_RETURN(Tags tags, ParseTagList(c.input.value("Tags", json::array())));
  for (const auto& id : ids) {
    MINIVPC_RETURN_IF_ERROR(UpdateTags(c.region, id, [&](const char*, Tags& t) {
      for (const auto& [k, v] : tags) t[k] = v;
      if (t.size() > kMaxTagsPerResource) {
        return Status(err::kTagLimitExceeded,
                      "The maximum number of tags per resource (50) would be exceeded.");
      }
      return Status::Ok();
    }));
  }
  return ReturnTrue();
}

StatusOr<json> DeleteTagsHandler(Call& c) {
  std::vector<std::string> ids = GetStrings(c.input, "Resources");
  if (ids.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter ResourceId");
  }
  const json* list = c.input.contains("Tags") ? &c.input["Tags"] : nullptr;
  for (const auto& id : ids) {
    MINIVPC_RETURN_IF_ERROR(UpdateTags(c.region, id, [&](const char*, Tags& t) {
      if (!list) {
        t.clear();  // no tags given: delete every tag
        return Status::Ok();
      }
      for (const auto& tag : *list) {
        std::string key = GetString(tag, "Key");
        auto it = t.find(key);
        if (it == t.end()) continue;
        // With a value, only a tag whose value matches is deleted.
        if (auto v = GetOptString(tag, "Value"); v && *v != it->second) continue;
        t.erase(it);
      }
      return Status::Ok();
    }));
  }
  return ReturnTrue();
}

const FilterPaths kTagFilters = {
    {"key", "Key"},
    {"resource-id", "ResourceId"},
    {"resource-type", "ResourceType"},
    {"value", "Value"},
};

template <typename Table>
void CollectTags(const Table& table, const char* type, std::vector<json>& out) {
  for (const auto& [id, row] : table.rows()) {
    for (const auto& [k, v] : row.tags) {
      out.push_back({{"ResourceId", id}, {"ResourceType", type}, {"Key", k}, {"Value", v}});
    }
  }
}

StatusOr<json> DescribeTagsHandler(Call& c) {
  RegionState& r = c.region;
  std::vector<json> all;
  CollectTags(r.vpcs, "vpc", all);
  CollectTags(r.subnets, "subnet", all);
  CollectTags(r.enis, "network-interface", all);
  CollectTags(r.instances, "instance", all);
  CollectTags(r.security_groups, "security-group", all);
  CollectTags(r.network_acls, "network-acl", all);
  CollectTags(r.route_tables, "route-table", all);
  CollectTags(r.internet_gateways, "internet-gateway", all);
  CollectTags(r.addresses, "elastic-ip", all);
  for (const auto& [gid, g] : r.security_groups.rows()) {
    for (const auto& rule : g.rules) {
      for (const auto& [k, v] : rule.tags) {
        all.push_back({{"ResourceId", rule.id},
                       {"ResourceType", "security-group-rule"},
                       {"Key", k},
                       {"Value", v}});
      }
    }
  }
  std::sort(all.begin(), all.end(), [](const json& a, const json& b) {
    return std::tie(a["ResourceId"].get_ref<const std::string&>(),
                    a["Key"].get_ref<const std::string&>()) <
           std::tie(b["ResourceId"].get_ref<const std::string&>(),
                    b["Key"].get_ref<const std::string&>());
  });
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  std::vector<std::string> keys;
  json list = json::array();
  std::vector<json> matched;
  for (auto& item : all) {
    MINIVPC_ASSIGN_OR_RETURN(bool match, MatchesFilters(item, filters, kTagFilters));
    if (!match) continue;
    keys.push_back(item["ResourceId"].get<std::string>() + "\x1f" + item["Key"].get<std::string>());
    matched.push_back(std::move(item));
  }
  MINIVPC_ASSIGN_OR_RETURN(Page page, Paginate(c.input, keys, 5, 1000));
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(std::move(matched[i]));
  json out{{"Tags", std::move(list)}};
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

}  // namespace

void RegisterTagActions(ActionTable& t) {
  t["CreateTags"] = {Access::kWrite, CreateTagsHandler};
  t["DeleteTags"] = {Access::kWrite, DeleteTagsHandler};
  t["DescribeTags"] = {Access::kRead, DescribeTagsHandler};
}

}  // namespace minivpc::ec2api
