// JSON -> EC2 response XML, the inverse of botocore's EC2QueryParser.
//
// Members are written in model order, each as an element named by its
// locationName; lists are wrapped (<vpcSet><item>...</item></vpcSet>), never
// flattened; an empty list is an empty element (<vpcSet/>). JSON values that
// do not fit the member's shape, unknown keys and nulls are skipped, so a
// handler bug loses a field rather than the response; CollectUnknownKeys
// lets tests catch such bugs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ec2api/protocol/internal/shape_table.h"

namespace minivpc::ec2api::internal {

// Appends the XML elements for the members of structure `s` found in `obj`
// (a JSON object keyed by member name).
void AppendStructureMembers(const ShapeTable& table, const ShapeInfo& s, const nlohmann::json& obj,
                            std::string* out);

// Appends to `out` the path of every key in `value` (an instance of `shape`)
// that the encoder would drop: keys that are not members ("Vpcs[0].Foo") and
// values whose JSON type does not fit the member's shape ("Vpcs[0].Tags (type)").
void CollectUnknownKeys(const ShapeTable& table, uint32_t shape, const nlohmann::json& value,
                        const std::string& path, std::vector<std::string>* out);

}  // namespace minivpc::ec2api::internal
