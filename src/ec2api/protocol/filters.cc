#include "ec2api/protocol/filters.h"

#include <algorithm>
#include <charconv>

#include "common/error_codes.h"

namespace minivpc::ec2api {
namespace {

using json = nlohmann::json;

constexpr std::string_view kTagPrefix = "tag:";

Status InvalidFilter(std::string_view name) {
  return Status(err::kInvalidParameterValue, "The filter '" + std::string(name) + "' is invalid");
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segs;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    segs.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) return segs;
    start = dot + 1;
  }
}

// Calls `fn` with the text of `leaf` (a string, boolean or number); false for
// other JSON types.
template <typename Fn>
bool WithLeafText(const json& leaf, const Fn& fn) {
  if (leaf.is_string()) return fn(leaf.get_ref<const std::string&>());
  if (leaf.is_boolean()) return fn(leaf.get<bool>() ? "true" : "false");
  if (leaf.is_number_float()) return fn(leaf.dump());
  if (!leaf.is_number()) return false;
  char buf[24];
  auto [end, ec] = leaf.is_number_unsigned()
                       ? std::to_chars(buf, buf + sizeof(buf), leaf.get<uint64_t>())
                       : std::to_chars(buf, buf + sizeof(buf), leaf.get<int64_t>());
  return fn(std::string_view(buf, static_cast<size_t>(end - buf)));
}

// Whether `fn` holds for any leaf reached from `node` along segs[i..],
// flattening arrays at every step.
template <typename Fn>
bool AnyLeaf(const json& node, const std::vector<std::string>& segs, size_t i, const Fn& fn) {
  if (node.is_array()) {
    for (const json& e : node) {
      if (AnyLeaf(e, segs, i, fn)) return true;
    }
    return false;
  }
  if (i == segs.size()) return WithLeafText(node, fn);
  if (!node.is_object()) return false;
  auto it = node.find(segs[i]);
  return it != node.end() && AnyLeaf(*it, segs, i + 1, fn);
}

// Whether `fn(key, value)` holds for any of the item's tags.
template <typename Fn>
bool AnyTag(const json& item, const Fn& fn) {
  auto tags = item.find("Tags");
  if (tags == item.end() || !tags->is_array()) return false;
  for (const json& tag : *tags) {
    if (!tag.is_object()) continue;
    auto k = tag.find("Key");
    auto v = tag.find("Value");
    const std::string_view key =
        k != tag.end() && k->is_string() ? k->get_ref<const std::string&>() : std::string_view();
    const std::string_view value =
        v != tag.end() && v->is_string() ? v->get_ref<const std::string&>() : std::string_view();
    if (fn(key, value)) return true;
  }
  return false;
}

}  // namespace

StatusOr<std::vector<Filter>> ParseFilters(const json& input) {
  std::vector<Filter> filters;
  if (!input.is_object()) return filters;
  auto list = input.find("Filters");
  if (list == input.end() || !list->is_array()) return filters;
  for (const json& f : *list) {
    auto name = f.is_object() ? f.find("Name") : f.end();
    if (!f.is_object() || name == f.end() || !name->is_string()) return InvalidFilter("null");
    Filter& out = filters.emplace_back();
    out.name = name->get<std::string>();
    auto values = f.find("Values");
    if (values == f.end() || !values->is_array()) continue;
    for (const json& v : *values) {
      if (v.is_string()) out.values.push_back(v.get<std::string>());
    }
  }
  return filters;
}

StatusOr<FilterSet> FilterSet::Compile(const std::vector<Filter>& filters,
                                       const FilterPaths& paths) {
  FilterSet set;
  for (const Filter& f : filters) {
    Compiled c;
    auto path =
        std::find_if(paths.begin(), paths.end(), [&](const auto& p) { return p.first == f.name; });
    if (path != paths.end()) {
      c.path = SplitPath(path->second);
    } else if (f.name.starts_with(kTagPrefix)) {
      c.kind = Kind::kTag;
      c.tag_key = f.name.substr(kTagPrefix.size());
    } else if (f.name == "tag-key") {
      c.kind = Kind::kTagKey;
    } else if (f.name == "tag-value") {
      c.kind = Kind::kTagValue;
    } else {
      return InvalidFilter(f.name);
    }
    c.patterns.reserve(f.values.size());
    for (const std::string& v : f.values) c.patterns.emplace_back(v);
    set.filters_.push_back(std::move(c));
  }
  return set;
}

bool FilterSet::AnyPatternMatches(const Compiled& f, std::string_view text) const {
  for (const WildcardPattern& p : f.patterns) {
    if (p.Matches(text)) return true;
  }
  return false;
}

bool FilterSet::MatchesOne(const Compiled& f, const json& item) const {
  const auto matches = [&](std::string_view text) { return AnyPatternMatches(f, text); };
  switch (f.kind) {
    case Kind::kPath:
      return AnyLeaf(item, f.path, 0, matches);
    case Kind::kTag:
      return AnyTag(item, [&](std::string_view k, std::string_view v) {
        return k == f.tag_key && matches(v);
      });
    case Kind::kTagKey:
      return AnyTag(item, [&](std::string_view k, std::string_view) { return matches(k); });
    case Kind::kTagValue:
      return AnyTag(item, [&](std::string_view, std::string_view v) { return matches(v); });
  }
  return false;
}

bool FilterSet::Matches(const json& item) const {
  for (const Compiled& f : filters_) {
    if (!MatchesOne(f, item)) return false;
  }
  return true;
}

StatusOr<bool> MatchesFilters(const json& item, const std::vector<Filter>& filters,
                              const FilterPaths& paths) {
  MINIVPC_ASSIGN_OR_RETURN(FilterSet set, FilterSet::Compile(filters, paths));
  return set.Matches(item);
}

}  // namespace minivpc::ec2api
