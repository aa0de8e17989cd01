// The catalogue of regions and availability zones minivpc serves. Names and
// zone ids follow AWS (us-east-1 has six zones, use1-az1 ...). A request for
// a region outside the catalogue is answered as AWS answers an unknown
// endpoint region: AuthFailure at the edge.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minivpc {

struct RegionInfo {
  std::string_view name;
  std::string_view zone_id_prefix;  // "use1" -> zone ids use1-az1 ...
  std::string_view zone_letters;    // "abcdef"
};

const std::vector<RegionInfo>& AllRegions();
const RegionInfo* FindRegion(std::string_view name);
// Zone names of a region ("us-east-1a", ...); empty for an unknown region.
std::vector<std::string> ZoneNames(std::string_view region);
// The zone id of a zone name ("us-east-1a" -> "use1-az1"); "" if unknown.
std::string ZoneId(std::string_view zone_name);

}  // namespace minivpc
