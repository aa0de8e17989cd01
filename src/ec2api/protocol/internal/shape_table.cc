#include "ec2api/protocol/internal/shape_table.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error_codes.h"

namespace minivpc::ec2api::internal {
namespace {

// Ordered, so structure members keep the model's order (the XML element order).
using ojson = nlohmann::ordered_json;

Status Corrupt(std::string what) {
  return Status(err::kInternalError, "ec2 model: " + std::move(what));
}

// The string at j[key], or nullptr when absent or not a string.
const std::string* StringField(const ojson& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

StatusOr<ShapeKind> ParseKind(const std::string& type) {
  static const std::pair<std::string_view, ShapeKind> kKinds[] = {
      {"structure", ShapeKind::kStructure}, {"list", ShapeKind::kList},
      {"string", ShapeKind::kString},       {"boolean", ShapeKind::kBoolean},
      {"integer", ShapeKind::kInteger},     {"long", ShapeKind::kLong},
      {"double", ShapeKind::kDouble},       {"float", ShapeKind::kFloat},
      {"timestamp", ShapeKind::kTimestamp}, {"blob", ShapeKind::kBlob},
  };
  for (const auto& [name, kind] : kKinds) {
    if (name == type) return kind;
  }
  return Corrupt("unsupported shape type '" + type + "'");
}

std::string Capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

bool IsScalar(ShapeKind kind) { return kind != ShapeKind::kStructure && kind != ShapeKind::kList; }

// Fills a ShapeTable from the parsed model in two passes: first every shape
// gets an index (so references can be resolved in any order), then each
// shape's details are filled in.
class ShapeTableBuilder {
 public:
  explicit ShapeTableBuilder(const ojson& model) : model_(model) {}

  StatusOr<ShapeTable> Build() {
    auto shapes = model_.find("shapes");
    auto ops = model_.find("operations");
    auto meta = model_.find("metadata");
    if (shapes == model_.end() || !shapes->is_object() || ops == model_.end() ||
        !ops->is_object() || meta == model_.end()) {
      return Corrupt("missing shapes, operations or metadata");
    }
    const std::string* ns = StringField(*meta, "xmlNamespace");
    if (ns == nullptr) return Corrupt("missing metadata.xmlNamespace");
    table_.xml_namespace_ = *ns;
    if (ns->empty() || ns->back() != '/') table_.xml_namespace_ += '/';
    for (const auto& [name, shape] : shapes->items()) {
      index_.emplace(name, static_cast<uint32_t>(table_.shapes_.size()));
      table_.shapes_.emplace_back().name = name;
    }
    for (const auto& [name, shape] : shapes->items()) {
      MINIVPC_RETURN_IF_ERROR(FillShape(shape, &table_.shapes_[index_[name]]));
    }
    for (const auto& [name, op] : ops->items()) {
      MINIVPC_RETURN_IF_ERROR(AddOperation(name, op));
    }
    return std::move(table_);
  }

 private:
  // Resolves {"shape": "Name"} to a shape index.
  StatusOr<uint32_t> Resolve(const ojson& ref) const {
    const std::string* name = ref.is_object() ? StringField(ref, "shape") : nullptr;
    if (name == nullptr) return Corrupt("reference without a shape name");
    auto it = index_.find(*name);
    if (it == index_.end()) return Corrupt("unknown shape '" + *name + "'");
    return it->second;
  }

  Status FillShape(const ojson& j, ShapeInfo* s) {
    const std::string* type = StringField(j, "type");
    if (type == nullptr) return Corrupt("shape '" + s->name + "' has no type");
    MINIVPC_ASSIGN_OR_RETURN(s->kind, ParseKind(*type));
    switch (s->kind) {
      case ShapeKind::kStructure:
        return FillStructure(j, s);
      case ShapeKind::kList:
        return FillList(j, s);
      case ShapeKind::kInteger:
        s->min = INT32_MIN;
        s->max = INT32_MAX;
        [[fallthrough]];
      case ShapeKind::kLong:
        if (auto it = j.find("min"); it != j.end() && it->is_number_integer())
          s->min = it->get<int64_t>();
        if (auto it = j.find("max"); it != j.end() && it->is_number_integer())
          s->max = it->get<int64_t>();
        return Status::Ok();
      default:
        return Status::Ok();
    }
  }

  Status FillStructure(const ojson& j, ShapeInfo* s) {
    auto members = j.find("members");
    if (members == j.end() || !members->is_object()) {
      return Corrupt("structure '" + s->name + "' has no members");
    }
    for (const auto& [name, m] : members->items()) {
      MemberInfo info;
      info.name = name;
      MINIVPC_ASSIGN_OR_RETURN(info.shape, Resolve(m));
      const std::string* location = StringField(m, "locationName");
      const std::string* query = StringField(m, "queryName");
      info.query_name = query ? *query : location ? Capitalised(*location) : name;
      const std::string& xml = location ? *location : name;
      info.xml_open = "<" + xml + ">";
      info.xml_close = "</" + xml + ">";
      info.xml_empty = "<" + xml + "/>";
      s->members.push_back(std::move(info));
    }
    if (auto req = j.find("required"); req != j.end() && req->is_array()) {
      for (const auto& r : *req) {
        auto it = std::find_if(s->members.begin(), s->members.end(),
                               [&](const MemberInfo& m) { return r.is_string() && r == m.name; });
        if (it == s->members.end()) return Corrupt("bad required list in '" + s->name + "'");
        it->required = true;
      }
    }
    s->by_query_name.resize(s->members.size());
    for (uint32_t i = 0; i < s->members.size(); ++i) s->by_query_name[i] = i;
    std::sort(s->by_query_name.begin(), s->by_query_name.end(), [s](uint32_t a, uint32_t b) {
      return s->members[a].query_name < s->members[b].query_name;
    });
    return Status::Ok();
  }

  Status FillList(const ojson& j, ShapeInfo* s) {
    auto member = j.find("member");
    if (member == j.end()) return Corrupt("list '" + s->name + "' has no member");
    MINIVPC_ASSIGN_OR_RETURN(s->item_shape, Resolve(*member));
    const std::string* location = StringField(*member, "locationName");
    const std::string item = location ? *location : "item";
    s->item_open = "<" + item + ">";
    s->item_close = "</" + item + ">";
    return Status::Ok();
  }

  Status AddOperation(const std::string& name, const ojson& j) {
    OperationInfo op;
    op.name = name;
    if (auto in = j.find("input"); in != j.end()) {
      if (!in->is_string() || !index_.count(*in)) return Corrupt("bad input of " + name);
      op.input = index_.at(*in);
    }
    if (auto out = j.find("output"); out != j.end()) {
      if (!out->is_string() || !index_.count(*out)) return Corrupt("bad output of " + name);
      op.output = index_.at(*out);
    }
    op.response_open = "<" + name + "Response xmlns=\"" + table_.xml_namespace_ + "\">";
    op.response_close = "</" + name + "Response>";
    table_.operations_.emplace(name, std::move(op));
    return Status::Ok();
  }

  const ojson& model_;
  ShapeTable table_;
  std::unordered_map<std::string, uint32_t> index_;
};

StatusOr<ShapeTable> ShapeTable::Parse(std::string_view model_json) {
  ojson model = ojson::parse(model_json, nullptr, /*allow_exceptions=*/false);
  if (model.is_discarded() || !model.is_object()) return Corrupt("not a JSON object");
  return ShapeTableBuilder(model).Build();
}

const OperationInfo* ShapeTable::FindOperation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const MemberInfo* ShapeTable::FindMemberByQueryName(const ShapeInfo& s,
                                                    std::string_view query_name) const {
  auto it = std::lower_bound(
      s.by_query_name.begin(), s.by_query_name.end(), query_name,
      [&s](uint32_t i, std::string_view q) { return s.members[i].query_name < q; });
  if (it == s.by_query_name.end() || s.members[*it].query_name != query_name) return nullptr;
  return &s.members[*it];
}

}  // namespace minivpc::ec2api::internal
