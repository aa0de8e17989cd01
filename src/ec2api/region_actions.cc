// Account and region metadata: DescribeAvailabilityZones, DescribeRegions,
// DescribeAccountAttributes.
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "vpc/regions.h"
#include "vpc/vpcs.h"

namespace minivpc::ec2api {
namespace {

const FilterPaths kZoneFilters = {
    {"group-name", "GroupName"},
    {"message", "Messages.Message"},
    {"opt-in-status", "OptInStatus"},
    {"region-name", "RegionName"},
    {"state", "State"},
    {"zone-id", "ZoneId"},
    {"zone-name", "ZoneName"},
    {"zone-type", "ZoneType"},
    {"network-border-group", "NetworkBorderGroup"},
};

const FilterPaths kRegionFilters = {
    {"endpoint", "Endpoint"},
    {"opt-in-status", "OptInStatus"},
    {"region-name", "RegionName"},
};

StatusOr<json> DescribeAvailabilityZonesHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  std::vector<std::string> names = GetStrings(c.input, "ZoneNames");
  std::vector<std::string> ids = GetStrings(c.input, "ZoneIds");
  json zones = json::array();
  for (const auto& zone : c.region.availability_zones()) {
    std::string zone_id = ZoneId(zone);
    bool named = names.empty() && ids.empty();
    for (const auto& n : names) named |= n == zone;
    for (const auto& i : ids) named |= i == zone_id;
    if (!named) continue;
    json z{{"OptInStatus", "opt-in-not-required"},
           {"Messages", json::array()},
           {"RegionName", c.region.region},
           {"ZoneName", zone},
           {"ZoneId", zone_id},
           {"GroupName", c.region.region + "-zg-1"},
           {"NetworkBorderGroup", c.region.region},
           {"ZoneType", "availability-zone"},
           {"GroupLongName", c.region.region},
           {"State", "available"}};
    MINIVPC_ASSIGN_OR_RETURN(bool match, MatchesFilters(z, filters, kZoneFilters));
    if (match) zones.push_back(std::move(z));
  }
  for (const auto& n : names) {
    if (!c.region.IsAvailabilityZone(n)) {
      return Status(err::kInvalidParameterValue, "Invalid availability zone: [" + n + "]");
    }
  }
  return json{{"AvailabilityZones", std::move(zones)}};
}

StatusOr<json> DescribeRegionsHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(std::vector<Filter> filters, ParseFilters(c.input));
  std::vector<std::string> names = GetStrings(c.input, "RegionNames");
  json regions = json::array();
  for (const auto& info : AllRegions()) {
    std::string name(info.name);
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    json r{{"OptInStatus", "opt-in-not-required"},
           {"RegionName", name},
           {"Endpoint", "ec2." + name + ".amazonaws.com"}};
    MINIVPC_ASSIGN_OR_RETURN(bool match, MatchesFilters(r, filters, kRegionFilters));
    if (match) regions.push_back(std::move(r));
  }
  for (const auto& n : names) {
    if (!FindRegion(n)) {
      return Status(err::kInvalidParameterValue, "Invalid region name: " + n);
    }
  }
  return json{{"Regions", std::move(regions)}};
}

StatusOr<json> DescribeAccountAttributesHandler(Call& c) {
  std::string default_vpc = DefaultVpcId(c.region);
  std::vector<std::pair<std::string, std::vector<std::string>>> attrs = {
      {"supported-platforms", {"VPC"}},
      {"default-vpc", {default_vpc.empty() ? "none" : default_vpc}},
      {"max-instances", {"20"}},
      {"vpc-max-security-groups-per-interface", {"5"}},
      {"max-elastic-ips", {"5"}},
      {"vpc-max-elastic-ips", {"5"}},
  };
  std::vector<std::string> wanted = GetStrings(c.input, "AttributeNames");
  json out = json::array();
  for (const auto& [name, values] : attrs) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    json vals = json::array();
    for (const auto& v : values) vals.push_back({{"AttributeValue", v}});
    out.push_back({{"AttributeName", name}, {"AttributeValues", std::move(vals)}});
  }
  return json{{"AccountAttributes", std::move(out)}};
}

}  // namespace

void RegisterRegionActions(ActionTable& t) {
  t["DescribeAvailabilityZones"] = {Access::kRead, DescribeAvailabilityZonesHandler};
  t["DescribeRegions"] = {Access::kRead, DescribeRegionsHandler};
  t["DescribeAccountAttributes"] = {Access::kRead, DescribeAccountAttributesHandler};
}

}  // namespace minivpc::ec2api
