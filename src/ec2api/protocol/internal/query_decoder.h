// EC2 query parameters -> JSON, the inverse of botocore's EC2Serializer.
//
// Decoding runs in two passes. Insert() walks each flat key ("IpPermissions.
// 1.IpRanges.2.CidrIp") segment by segment through the shape graph and files
// its raw text into a small tree; this is where unknown parameters are found.
// The tree is then converted into JSON: list elements are ordered by their
// (possibly sparse) 1-based index, scalars are typed, and required members of
// every structure present are checked.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ec2api/protocol/internal/shape_table.h"

namespace minivpc::ec2api::internal {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes `params` as an instance of structure `shape` (kNoShape: the
// operation takes no input, so any parameter is unknown). The result is keyed
// by member names. When a key repeats, the last value wins. Errors:
// UnknownParameter, InvalidParameterValue (malformed or out-of-range number,
// malformed boolean, malformed UTF-8), MissingParameter.
StatusOr<nlohmann::json> DecodeQuery(const ShapeTable& table, uint32_t shape,
                                     const QueryParams& params);

}  // namespace minivpc::ec2api::internal
