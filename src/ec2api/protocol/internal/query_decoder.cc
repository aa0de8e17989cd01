#include "ec2api/protocol/internal/query_decoder.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <string_view>

#include "common/error_codes.h"
#include "ec2api/protocol/internal/text.h"

namespace minivpc::ec2api::internal {
namespace {

using json = nlohmann::json;

// One parameter path in the request. Under a structure `key` is the member
// index; under a list it is the 1-based element index.
struct Node {
  uint32_t key = 0;
  const std::string* value = nullptr;  // scalars only: the raw text
  std::vector<Node> children;
};

Status Unknown(std::string_view key) {
  return Status(err::kUnknownParameter, "The parameter " + std::string(key) + " is not recognized");
}

Status Invalid(std::string_view value, std::string_view path, std::string_view expected) {
  return Status(err::kInvalidParameterValue, "Value (" + std::string(value) + ") for parameter " +
                                                 LowerFirst(path) + " is invalid. " +
                                                 std::string(expected));
}

// The child of `parent` with `key`, created if absent. Requests usually list
// elements in order, so the last child is tried first.
Node* Child(Node* parent, uint32_t key) {
  auto& kids = parent->children;
  if (!kids.empty() && kids.back().key == key) return &kids.back();
  for (Node& c : kids) {
    if (c.key == key) return &c;
  }
  kids.push_back(Node{key, nullptr, {}});
  return &kids.back();
}

// A list index: decimal digits, value >= 1.
bool ParseIndex(std::string_view seg, uint32_t* index) {
  if (seg.empty() || seg.front() < '0' || seg.front() > '9') return false;
  auto [end, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), *index);
  return ec == std::errc() && end == seg.data() + seg.size() && *index >= 1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return (x | 0x20) == (y | 0x20);  // ASCII letters only; callers compare with letters
  });
}

StatusOr<json> DecodeInteger(const std::string& text, const ShapeInfo& s, std::string_view path) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Invalid(text, path, "Expected an integer.");
  }
  if (v < s.min) return Invalid(text, path, "Expecting a value >= " + std::to_string(s.min) + ".");
  if (v > s.max) return Invalid(text, path, "Expecting a value <= " + std::to_string(s.max) + ".");
  return json(v);
}

StatusOr<json> DecodeDouble(const std::string& text, std::string_view path) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
    return Invalid(text, path, "Expected a number.");
  }
  return json(v);
}

StatusOr<json> DecodeScalar(const std::string& text, const ShapeInfo& s, std::string_view path) {
  switch (s.kind) {
    case ShapeKind::kBoolean:
      // botocore sends "true"/"false"; EC2 (Java) also takes other casings.
      if (EqualsIgnoreCase(text, "true")) return json(true);
      if (EqualsIgnoreCase(text, "false")) return json(false);
      return Invalid(text, path, "Expected a boolean (true or false).");
    case ShapeKind::kInteger:
    case ShapeKind::kLong:
      return DecodeInteger(text, s, path);
    case ShapeKind::kDouble:
    case ShapeKind::kFloat:
      return DecodeDouble(text, path);
    default:  // string, timestamp, blob: kept as text
      if (!IsValidUtf8(text)) return Invalid(text, path, "The value is not valid UTF-8.");
      return json(text);
  }
}

class Decoder {
 public:
  explicit Decoder(const ShapeTable& table) : table_(table) {}

  // Files `value` under the path spelled by `key`, starting at `shape`.
  Status Insert(const std::string& key, const std::string& value, uint32_t shape, Node* node) {
    size_t pos = 0;
    while (true) {
      const size_t dot = key.find('.', pos);
      const std::string_view seg = std::string_view(key).substr(pos, dot - pos);
      const ShapeInfo& s = table_.shape(shape);
      if (s.kind == ShapeKind::kStructure) {
        const MemberInfo* m = table_.FindMemberByQueryName(s, seg);
        if (m == nullptr) return Unknown(key);
        node = Child(node, static_cast<uint32_t>(m - s.members.data()));
        shape = m->shape;
      } else if (s.kind == ShapeKind::kList) {
        uint32_t index = 0;
        if (!ParseIndex(seg, &index)) return Unknown(key);
        node = Child(node, index);
        shape = s.item_shape;
      } else {
        return Unknown(key);  // a scalar has no sub-parameters
      }
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    if (IsScalar(table_.shape(shape).kind)) {
      node->value = &value;
      return Status::Ok();
    }
    // "Filter=" names an empty list or structure (the query protocol's
    // encoding of an empty list); anything else needs an index or member.
    return value.empty() ? Status::Ok() : Unknown(key);
  }

  // Converts `node`, an instance of `shape` spelled `path` on the wire.
  StatusOr<json> Convert(Node& node, uint32_t shape, std::string* path) {
    const ShapeInfo& s = table_.shape(shape);
    if (s.kind == ShapeKind::kStructure) return ConvertStructure(node, s, path);
    if (s.kind == ShapeKind::kList) return ConvertList(node, s, path);
    assert(node.value != nullptr);
    return DecodeScalar(*node.value, s, *path);
  }

 private:
  StatusOr<json> ConvertStructure(Node& node, const ShapeInfo& s, std::string* path) {
    json out = json::object();
    const size_t base = path->size();
    const auto enter = [&](const MemberInfo& m) {
      if (base != 0) *path += '.';
      *path += m.query_name;
    };
    for (Node& child : node.children) {
      const MemberInfo& m = s.members[child.key];
      enter(m);
      MINIVPC_ASSIGN_OR_RETURN(json v, Convert(child, m.shape, path));
      out[m.name] = std::move(v);
      path->resize(base);
    }
    for (const MemberInfo& m : s.members) {
      if (!m.required || out.contains(m.name)) continue;
      enter(m);
      return Status(err::kMissingParameter, "The request must contain the parameter " + *path);
    }
    return out;
  }

  StatusOr<json> ConvertList(Node& node, const ShapeInfo& s, std::string* path) {
    std::sort(node.children.begin(), node.children.end(),
              [](const Node& a, const Node& b) { return a.key < b.key; });
    json out = json::array();
    const size_t base = path->size();
    for (Node& child : node.children) {
      *path += '.';
      *path += std::to_string(child.key);
      MINIVPC_ASSIGN_OR_RETURN(json v, Convert(child, s.item_shape, path));
      out.push_back(std::move(v));
      path->resize(base);
    }
    return out;
  }

  const ShapeTable& table_;
};

}  // namespace

StatusOr<json> DecodeQuery(const ShapeTable& table, uint32_t shape, const QueryParams& params) {
  if (shape == kNoShape) {
    if (!params.empty()) return Unknown(params.front().first);
    return json::object();
  }
  Decoder decoder(table);
  Node root;
  for (const auto& [key, value] : params) {
    MINIVPC_RETURN_IF_ERROR(decoder.Insert(key, value, shape, &root));
  }
  std::string path;
  return decoder.Convert(root, shape, &path);
}

}  // namespace minivpc::ec2api::internal
