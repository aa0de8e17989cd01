#include "ec2api/handler_util.h"

#include "common/random.h"

namespace minivpc::ec2api {
namespace {

const json* Member(const json& in, std::string_view key) {
  if (!in.is_object()) return nullptr;
  auto it = in.find(key);
  if (it == in.end() || it->is_null()) return nullptr;
  return &*it;
}

Status BadTag(const std::string& msg) { return Status(err::kInvalidParameterValue, msg); }

}  // namespace

std::string GetString(const json& in, std::string_view key, std::string_view def) {
  const json* m = Member(in, key);
  if (m && m->is_string()) return m->get<std::string>();
  return std::string(def);
}

std::optional<std::string> GetOptString(const json& in, std::string_view key) {
  const json* m = Member(in, key);
  if (m && m->is_string()) return m->get<std::string>();
  return std::nullopt;
}

std::optional<bool> GetOptBool(const json& in, std::string_view key) {
  const json* m = Member(in, key);
  if (!m) return std::nullopt;
  if (m->is_boolean()) return m->get<bool>();
  if (m->is_object()) return GetOptBool(*m, "Value");
  return std::nullopt;
}

bool GetBool(const json& in, std::string_view key, bool def) {
  return GetOptBool(in, key).value_or(def);
}

std::optional<int64_t> GetOptInt(const json& in, std::string_view key) {
  const json* m = Member(in, key);
  if (m && m->is_number_integer()) return m->get<int64_t>();
  return std::nullopt;
}

std::vector<std::string> GetStrings(const json& in, std::string_view key) {
  std::vector<std::string> out;
  const json* m = Member(in, key);
  if (!m || !m->is_array()) return out;
  for (const auto& v : *m) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

Status Require(const json& in, std::string_view key, std::string_view wire_name) {
  const json* m = Member(in, key);
  if (!m || (m->is_string() && m->get_ref<const std::string&>().empty())) {
    return Status(err::kMissingParameter,
                  "The request must contain the parameter " + std::string(wire_name));
  }
  return Status::Ok();
}

StatusOr<Tags> ParseTagList(const json& list) {
  Tags tags;
  if (!list.is_array()) return tags;
  for (const auto& t : list) {
    std::string key = GetString(t, "Key");
    std::string value = GetString(t, "Value");
    if (key.empty() || key.size() > 128) {
      return BadTag("Tag keys must be between 1 and 128 characters");
    }
    if (key.rfind("aws:", 0) == 0) {
      return Status(err::kInvalidParameterValue,
                    "Tag keys starting with 'aws:' are reserved for internal use");
    }
    if (value.size() > 256) return BadTag("Tag values must be at most 256 characters");
    tags[key] = value;
  }
  if (tags.size() > 50) {
    return Status(err::kTagLimitExceeded, "The maximum number of tags per resource is 50.");
  }
  return tags;
}

StatusOr<Tags> TagsFromSpecifications(const json& in, std::string_view resource_type) {
  Tags tags;
  const json* specs = Member(in, "TagSpecifications");
  if (!specs || !specs->is_array()) return tags;
  for (const auto& spec : *specs) {
    std::string type = GetString(spec, "ResourceType");
    if (type != resource_type) {
      return Status(err::kInvalidParameterValue,
                    "'" + type + "' is not a valid taggable resource type for this operation.");
    }
    const json* list = Member(spec, "Tags");
    if (!list) continue;
    MINIVPC_ASSIGN_OR_RETURN(Tags more, ParseTagList(*list));
    for (auto& [k, v] : more) tags[k] = v;
  }
  return tags;
}

json TagsToJson(const Tags& tags) {
  json out = json::array();
  for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

json ReturnTrue() { return json{{"Return", true}}; }

std::string Timestamp(int64_t ms) { return FormatIso8601(ms); }

}  // namespace minivpc::ec2api
