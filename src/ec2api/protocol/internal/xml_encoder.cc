#include "ec2api/protocol/internal/xml_encoder.h"

#include <charconv>

#include "ec2api/protocol/internal/text.h"

namespace minivpc::ec2api::internal {
namespace {

using json = nlohmann::json;

// Whether `v` (not null) can be written as an instance of `s`.
bool Fits(const ShapeInfo& s, const json& v) {
  switch (s.kind) {
    case ShapeKind::kStructure:
      return v.is_object();
    case ShapeKind::kList:
      return v.is_array();
    default:
      return v.is_string() || v.is_boolean() || v.is_number();
  }
}

template <typename Int>
void AppendInt(Int v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

void AppendScalar(const json& v, std::string* out) {
  if (v.is_string()) {
    AppendXmlEscaped(v.get_ref<const std::string&>(), out);
  } else if (v.is_boolean()) {
    out->append(v.get<bool>() ? "true" : "false");
  } else if (v.is_number_integer() && !v.is_number_unsigned()) {
    AppendInt(v.get<int64_t>(), out);
  } else if (v.is_number_unsigned()) {
    AppendInt(v.get<uint64_t>(), out);
  } else {
    out->append(v.dump());  // double: shortest text that round-trips
  }
}

void AppendBody(const ShapeTable& table, const ShapeInfo& s, const json& v, std::string* out);

void AppendListItems(const ShapeTable& table, const ShapeInfo& list, const json& arr,
                     std::string* out) {
  const ShapeInfo& item = table.shape(list.item_shape);
  for (const json& e : arr) {
    if (e.is_null() || !Fits(item, e)) continue;
    out->append(list.item_open);
    AppendBody(table, item, e, out);
    out->append(list.item_close);
  }
}

void AppendBody(const ShapeTable& table, const ShapeInfo& s, const json& v, std::string* out) {
  if (s.kind == ShapeKind::kStructure) {
    AppendStructureMembers(table, s, v, out);
  } else if (s.kind == ShapeKind::kList) {
    AppendListItems(table, s, v, out);
  } else {
    AppendScalar(v, out);
  }
}

const MemberInfo* FindMemberByName(const ShapeInfo& s, const std::string& name) {
  for (const MemberInfo& m : s.members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace

void AppendStructureMembers(const ShapeTable& table, const ShapeInfo& s, const json& obj,
                            std::string* out) {
  for (const MemberInfo& m : s.members) {
    auto it = obj.find(m.name);
    if (it == obj.end() || it->is_null()) continue;
    const ShapeInfo& ms = table.shape(m.shape);
    if (!Fits(ms, *it)) continue;
    if (ms.kind == ShapeKind::kList && it->empty()) {
      out->append(m.xml_empty);
      continue;
    }
    out->append(m.xml_open);
    AppendBody(table, ms, *it, out);
    out->append(m.xml_close);
  }
}

void CollectUnknownKeys(const ShapeTable& table, uint32_t shape, const json& value,
                        const std::string& path, std::vector<std::string>* out) {
  const ShapeInfo& s = table.shape(shape);
  if (s.kind == ShapeKind::kList) {
    const ShapeInfo& item = table.shape(s.item_shape);
    for (size_t i = 0; i < value.size(); ++i) {
      const json& e = value[i];
      const std::string p = path + "[" + std::to_string(i) + "]";
      if (e.is_null()) continue;
      if (!Fits(item, e)) {
        out->push_back(p + " (type)");
      } else {
        CollectUnknownKeys(table, s.item_shape, e, p, out);
      }
    }
    return;
  }
  if (s.kind != ShapeKind::kStructure) return;
  for (const auto& [key, v] : value.items()) {
    const std::string p = path.empty() ? key : path + "." + key;
    const MemberInfo* m = FindMemberByName(s, key);
    if (m == nullptr) {
      out->push_back(p);
    } else if (!v.is_null() && !Fits(table.shape(m->shape), v)) {
      out->push_back(p + " (type)");
    } else if (!v.is_null()) {
      CollectUnknownKeys(table, m->shape, v, p, out);
    }
  }
}

}  // namespace minivpc::ec2api::internal
