#include "vpc/regions.h"

namespace minivpc {

const std::vector<RegionInfo>& AllRegions() {
  static const std::vector<RegionInfo> kRegions = {
      {"ap-northeast-1", "apne1", "acd"}, {"ap-south-1", "aps1", "abc"},
      {"ap-southeast-1", "apse1", "abc"}, {"ap-southeast-2", "apse2", "abc"},
      {"ca-central-1", "cac1", "abd"},    {"eu-central-1", "euc1", "abc"},
      {"eu-north-1", "eun1", "abc"},      {"eu-west-1", "euw1", "abc"},
      {"eu-west-2", "euw2", "abc"},       {"eu-west-3", "euw3", "abc"},
      {"sa-east-1", "sae1", "abc"},       {"us-east-1", "use1", "abcdef"},
      {"us-east-2", "use2", "abc"},       {"us-west-1", "usw1", "ac"},
      {"us-west-2", "usw2", "abcd"},
  };
  return kRegions;
}

const RegionInfo* FindRegion(std::string_view name) {
  for (const auto& r : AllRegions()) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<std::string> ZoneNames(std::string_view region) {
  std::vector<std::string> out;
  const RegionInfo* r = FindRegion(region);
  if (!r) return out;
  for (char c : r->zone_letters) out.push_back(std::string(region) + c);
  return out;
}

std::string ZoneId(std::string_view zone_name) {
  if (zone_name.size() < 2) return "";
  const RegionInfo* r = FindRegion(zone_name.substr(0, zone_name.size() - 1));
  if (!r) return "";
  size_t pos = r->zone_letters.find(zone_name.back());
  if (pos == std::string_view::npos) return "";
  return std::string(r->zone_id_prefix) + "-az" + std::to_string(pos + 1);
}

}  // namespace minivpc
