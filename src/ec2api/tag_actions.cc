// CreateTags, DeleteTags, DescribeTags over every taggable resource kind.
#include <algorithm>
#include <functional>
#include <optional>

#include "analysis/insights.h"
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "vpc/flow_logs.h"

namespace minivpc::ec2api {
namespace {

constexpr size_t kMaxTagsPerResource = 50;

// Calls `f(table, kind, resource_type)` for every taggable kind that has a
// table of its own: the resource-type is what DescribeTags reports and what
// TagSpecifications name. Security group rules live inside their group and
// are handled apart. Other ids minivpc issues (associations, attachments,
// reservations) are not taggable in EC2 either; a DHCP option set (dopt-)
// is, but minivpc has no table of them, so its id answers InvalidID.
template <typename F>
void ForEachTaggableTable(RegionState& r, F&& f) {
  f(r.vpcs, kVpcKind, "vpc");
  f(r.subnets, kSubnetKind, "subnet");
  f(r.enis, kEniKind, "network-interface");
  f(r.instances, kInstanceKind, "instance");
  f(r.security_groups, kGroupKind, "security-group");
  f(r.network_acls, kAclKind, "network-acl");
  f(r.route_tables, kRouteTableKind, "route-table");
  f(r.internet_gateways, kIgwKind, "internet-gateway");
  f(r.addresses, kAllocationKind, "elastic-ip");
  f(r.insights_paths, analysis::kInsightsPathKind, "network-insights-path");
  f(r.insights_analyses, analysis::kInsightsAnalysisKind, "network-insights-analysis");
  f(r.flow_logs, kFlowLogKind, "vpc-flow-log");
}

bool HasPrefix(std::string_view id, std::string_view prefix) {
  return id.size() > prefix.size() && id.substr(0, prefix.size()) == prefix &&
         id[prefix.size()] == '-';
}

Status UpdateRuleTags(RegionState& r, const std::string& id,
                      const std::function<Status(Tags&)>& f) {
  auto owner = r.rule_owner.find(id);
  if (owner == r.rule_owner.end()) {
    return Status(err::kInvalidSecurityGroupRuleIdNotFound,
                  "The security group rule ID '" + id + "' does not exist");
  }
  Status st;
  r.security_groups.Update(owner->second, [&](SecurityGroup& g) {
    for (auto& rule : g.rules) {
      if (rule.id == id) st = f(rule.tags);
    }
  });
  return st;
}

// Calls `f` on a copy of the resource's tags and stores the result;
// NotFound/Malformed errors for unknown ids, InvalidID for ids of no
// taggable kind.
Status UpdateTags(RegionState& r, const std::string& id, const std::function<Status(Tags&)>& f) {
  if (HasPrefix(id, "sgr")) return UpdateRuleTags(r, id, f);
  std::optional<Status> result;
  ForEachTaggableTable(r, [&](auto& table, const IdKind& kind, const char*) {
    if (result || !HasPrefix(id, kind.prefix)) return;
    if (!table.Contains(id)) {
      result = IdError(kind, id);
      return;
    }
    Status st;
    table.Update(id, [&](auto& row) { st = f(row.tags); });
    result = st;
  });
  if (result) return *result;
  return Status(err::kInvalidIdMalformed, "The ID '" + id + "' is not valid");
}

StatusOr<json> CreateTagsHandler(Call& c) {
  std::vector<std::string> ids = GetStrings(c.input, "Resources");
  if (ids.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter ResourceId");
  }
  MINIVPC_ASSIGN_OR_RETURN(Tags tags, ParseTagList(c.input.value("Tags", json::array())));
  for (const auto& id : ids) {
    MINIVPC_RETURN_IF_ERROR(UpdateTags(c.region, id, [&](Tags& t) {
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
    MINIVPC_RETURN_IF_ERROR(UpdateTags(c.region, id, [&](Tags& t) {
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
  ForEachTaggableTable(r, [&](const auto& table, const IdKind&, const char* type) {
    CollectTags(table, type, all);
  });
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
