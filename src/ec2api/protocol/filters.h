// Generic Describe* filters.
//
//   const FilterPaths kVpcPaths = {
//       {"vpc-id", "VpcId"},
//       {"cidr-block-association.cidr-block", "CidrBlockAssociationSet.CidrBlock"},
//       {"is-default", "IsDefault"}};
//   MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(input));
//   MINIVPC_ASSIGN_OR_RETURN(FilterSet set, FilterSet::Compile(filters, kVpcPaths));
//   for (const nlohmann::json& vpc : all) if (set.Matches(vpc)) out.push_back(vpc);
//
// Items are the output JSON of the resource (keyed by member names, as
// ApiModel::EncodeOutput takes them). A filter name maps to a dotted path of
// member names; arrays met on the way are flattened at every step, and the
// leaves reached are compared as text (booleans "true"/"false", numbers in
// decimal) against the filter's values, which may hold wildcards
// (wildcard.h). Every resource also gets the tag filters: tag:<Key> (a tag
// with exactly that key whose value matches), tag-key and tag-value, read
// from the item's "Tags" array of {"Key", "Value"}. A FilterPaths entry with
// the same name overrides a built-in.
//
// Semantics, as EC2: filters AND together, a filter's values OR together; a
// filter given without values matches nothing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ec2api/protocol/wildcard.h"

namespace minivpc::ec2api {

struct Filter {
  std::string name;
  std::vector<std::string> values;
};

// Filter name -> dotted member path within an item, e.g.
// {"cidr-block-association.cidr-block", "CidrBlockAssociationSet.CidrBlock"}.
using FilterPaths = std::vector<std::pair<std::string, std::string>>;

// Reads input["Filters"] as DecodeInput produces it (an array of
// {"Name", "Values"}). Missing Filters: no filters. Error:
// InvalidParameterValue "The filter 'null' is invalid" for a filter without
// a Name, as EC2 words it.
StatusOr<std::vector<Filter>> ParseFilters(const nlohmann::json& input);

// Filters compiled once per request: paths split, patterns compiled.
// Immutable after Compile(); Matches() is thread safe.
class FilterSet {
 public:
  FilterSet() = default;  // matches everything

  // Error: InvalidParameterValue "The filter 'NAME' is invalid" for a name
  // that is neither in `paths` nor a tag filter.
  static StatusOr<FilterSet> Compile(const std::vector<Filter>& filters, const FilterPaths& paths);

  bool Matches(const nlohmann::json& item) const;
  bool empty() const { return filters_.empty(); }

 private:
  enum class Kind { kPath, kTag, kTagKey, kTagValue };
  struct Compiled {
    Kind kind = Kind::kPath;
    std::vector<std::string> path;  // kPath: member names
    std::string tag_key;            // kTag
    std::vector<WildcardPattern> patterns;
  };

  bool AnyPatternMatches(const Compiled& f, std::string_view text) const;
  bool MatchesOne(const Compiled& f, const nlohmann::json& item) const;

  std::vector<Compiled> filters_;
};

// FilterSet::Compile(filters, paths) then Matches(item), for one-off checks.
StatusOr<bool> MatchesFilters(const nlohmann::json& item, const std::vector<Filter>& filters,
                              const FilterPaths& paths);

}  // namespace minivpc::ec2api
