#include "store/persistence.h"

#include <set>

#include "common/error_codes.h"

namespace minivpc {

std::vector<RowChange> CollectChanges(const std::vector<DirtyRow>& dirty) {
  std::vector<RowChange> out;
  std::set<std::pair<TableBase*, std::string>> seen;
  for (const auto& d : dirty) {
    if (!seen.insert({d.table, d.id}).second) continue;
    RowChange c{d.table->scope(), d.table->kind(), d.id, std::nullopt};
    if (auto doc = d.table->Serialize(d.id)) c.doc = doc->dump();
    out.push_back(std::move(c));
  }
  return out;
}

Status RestoreCloud(Store& store, Cloud& cloud, size_t* rows, size_t* skipped) {
  size_t n = 0;
  size_t bad = 0;
  Status failure;
  // Rows arrive grouped by (scope, kind): the table of the previous row is
  // looked up once per group, not once per row.
  std::string last_scope, last_kind;
  TableBase* table = nullptr;
  Status scan = store.Scan([&](std::string_view scope, std::string_view kind, std::string_view id,
                               std::string_view doc) {
    if (!failure.ok()) return;
    if (scope != last_scope || kind != last_kind) {
      last_scope = scope;
      last_kind = kind;
      table = nullptr;
      size_t slash = scope.find('/');
      if (slash != std::string_view::npos) {
        RegionState& r = cloud.EmptyRegion(std::string(scope.substr(0, slash)),
                                           std::string(scope.substr(slash + 1)));
        for (TableBase* t : r.tables()) {
          if (t->kind() == kind) table = t;
        }
      }
    }
    if (!table) {
      ++bad;
      return;
    }
    auto json = nlohmann::json::parse(doc, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
      failure =
          Status(err::kInternalError, "corrupt row " + std::string(kind) + "/" + std::string(id));
      return;
    }
    table->Load(json);
    ++n;
  });
  if (rows) *rows = n;
  if (skipped) *skipped = bad;
  if (!scan.ok()) return scan;
  return failure;
}

}  // namespace minivpc
