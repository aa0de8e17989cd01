// Helpers shared by the action handlers: reading decoded input, tags, and
// the generic Describe pipeline (ids -> NotFound, filters, pagination).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error_codes.h"
#include "common/status.h"
#include "ec2api/protocol/filters.h"
#include "ec2api/protocol/pagination.h"
#include "vpc/lookups.h"
#include "vpc/resources.h"
#include "vpc/table.h"

namespace minivpc::ec2api {

using nlohmann::json;

// Input accessors. Absent members give the default / nullopt / empty.
std::string GetString(const json& in, std::string_view key, std::string_view def = "");
std::optional<std::string> GetOptString(const json& in, std::string_view key);
// Accepts a JSON boolean or an AttributeBooleanValue ({"Value": bool}).
std::optional<bool> GetOptBool(const json& in, std::string_view key);
bool GetBool(const json& in, std::string_view key, bool def = false);
std::optional<int64_t> GetOptInt(const json& in, std::string_view key);
std::vector<std::string> GetStrings(const json& in, std::string_view key);
// MissingParameter "The request must contain the parameter <wire_name>".
Status Require(const json& in, std::string_view key, std::string_view wire_name);

// Tags from TagSpecifications for `resource_type` ("vpc", "subnet", ...).
// A specification for another type is InvalidParameterValue, as in EC2.
StatusOr<Tags> TagsFromSpecifications(const json& in, std::string_view resource_type);
// [{"Key": k, "Value": v}, ...] -> Tags, validating keys (1..128 chars, no
// "aws:" prefix) and values (<= 256 chars).
StatusOr<Tags> ParseTagList(const json& list);
json TagsToJson(const Tags& tags);

// {"Return": true}: the answer of actions whose output is a bare boolean.
json ReturnTrue();

// Milliseconds since epoch -> EC2 timestamp text.
std::string Timestamp(int64_t ms);

struct DescribeSpec {
  const IdKind* kind;              // for NotFound errors on requested ids
  std::string_view ids_member;     // "VpcIds"; "" if the action takes none
  std::string_view result_member;  // "Vpcs"
  const FilterPaths* filters;
  int min_results = 5;
  int max_results = 1000;
  bool paginated = true;
};

// Runs the Describe pipeline over `table`: requested ids must exist
// (NotFound otherwise), `render` turns a row into its output JSON, filters
// apply to that JSON, and MaxResults/NextToken page over the ids in order.
// `candidates`, when given, limits the scan (an index lookup, e.g. the ENIs
// of one subnet) and must contain every row that could match.
template <typename T, typename Render>
StatusOr<json> Describe(const Table<T>& table, const json& in, const DescribeSpec& spec,
                        Render&& render, const std::set<std::string>* candidates = nullptr) {
  std::vector<std::string> wanted;
  if (!spec.ids_member.empty()) wanted = GetStrings(in, spec.ids_member);
  std::set<std::string> ids;
  for (const auto& id : wanted) {
    if (!table.Contains(id)) return IdError(*spec.kind, id);
    ids.insert(id);
  }
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(in));
  MINIVPC_ASSIGN_OR_RETURN(FilterSet filter_set, FilterSet::Compile(filters, *spec.filters));
  std::vector<std::string> keys;
  std::vector<json> items;
  auto consider = [&](const T& row) -> Status {
    json item = render(row);
    if (filter_set.Matches(item)) {
      keys.push_back(row.id);
      items.push_back(std::move(item));
    }
    return Status::Ok();
  };
  if (!ids.empty()) {
    for (const auto& id : ids) MINIVPC_RETURN_IF_ERROR(consider(*table.Find(id)));
  } else if (candidates) {
    for (const auto& id : *candidates) {
      if (const T* row = table.Find(id)) MINIVPC_RETURN_IF_ERROR(consider(*row));
    }
  } else {
    for (const auto& [id, row] : table.rows()) MINIVPC_RETURN_IF_ERROR(consider(row));
  }
  json out = json::object();
  json& list = out[std::string(spec.result_member)] = json::array();
  if (!spec.paginated) {
    for (auto& item : items) list.push_back(std::move(item));
    return out;
  }
  MINIVPC_ASSIGN_OR_RETURN(Page page, Paginate(in, keys, spec.min_results, spec.max_results));
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(std::move(items[i]));
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

}  // namespace minivpc::ec2api
