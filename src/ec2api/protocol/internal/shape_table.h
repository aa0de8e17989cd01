// The EC2 model compiled into flat tables for the wire codec.
//
// The trimmed botocore model (model/ec2_model.json, written by
// tools/gen_ec2_model.py) is parsed once into ShapeInfo records addressed by
// index; members refer to shapes by index, so recursive shapes need no
// pointers. Everything the hot path needs is precomputed here: the query wire
// name of each member (sorted for binary search) and the XML open/close tags
// of each output element, so encoding is string appends only.
//
// Immutable after Parse(); safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace minivpc::ec2api::internal {

inline constexpr uint32_t kNoShape = UINT32_MAX;

enum class ShapeKind : uint8_t {
  kStructure,
  kList,
  kString,
  kBoolean,
  kInteger,  // 32-bit signed
  kLong,     // 64-bit signed
  kDouble,
  kFloat,
  kTimestamp,  // kept as text both ways
  kBlob,       // base64 text both ways
};

bool IsScalar(ShapeKind kind);

struct MemberInfo {
  std::string name;        // JSON key: the botocore member name ("VpcIds")
  std::string query_name;  // input wire segment: queryName, else capitalised locationName
  std::string xml_open;    // "<vpcSet>": output element named by locationName, else name
  std::string xml_close;   // "</vpcSet>"
  std::string xml_empty;   // "<vpcSet/>"
  uint32_t shape = kNoShape;
  bool required = false;
};

struct ShapeInfo {
  std::string name;
  ShapeKind kind = ShapeKind::kString;
  // kStructure: members in model order, and their indices sorted by query_name.
  std::vector<MemberInfo> members;
  std::vector<uint32_t> by_query_name;
  // kList: element shape and its XML wrapper ("<item>", "</item>").
  uint32_t item_shape = kNoShape;
  std::string item_open;
  std::string item_close;
  // kInteger / kLong: inclusive bounds from the model (defaults: type range).
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
};

struct OperationInfo {
  std::string name;
  uint32_t input = kNoShape;   // kNoShape when the operation takes no input
  uint32_t output = kNoShape;  // kNoShape when the model declares no output
  std::string response_open;   // "<NameResponse xmlns=\"...\">"
  std::string response_close;  // "</NameResponse>"
};

class ShapeTable {
 public:
  // Parses the trimmed model JSON. Errors (code InternalError) mean the
  // embedded model is corrupt or uses a construct the codec does not support.
  static StatusOr<ShapeTable> Parse(std::string_view model_json);

  const ShapeInfo& shape(uint32_t index) const { return shapes_[index]; }
  // nullptr when the model has no such operation.
  const OperationInfo* FindOperation(std::string_view name) const;
  // The member of structure `s` whose query wire name is `query_name`;
  // nullptr when none matches (case-sensitive, as EC2 is).
  const MemberInfo* FindMemberByQueryName(const ShapeInfo& s, std::string_view query_name) const;
  // Namespace with a trailing slash, as EC2 sends it.
  const std::string& xml_namespace() const { return xml_namespace_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<ShapeInfo> shapes_;
  std::unordered_map<std::string, OperationInfo, StringHash, std::equal_to<>> operations_;
  std::string xml_namespace_;

  friend class ShapeTableBuilder;
};

}  // namespace minivpc::ec2api::internal
