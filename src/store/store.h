// Store: durable rows behind an interface, so the model never sees SQL.
//
// A row is (scope, kind, id) -> JSON document, where scope is
// "account/region" and kind a resource kind ("vpc", "network-interface"...).
// Commit applies a batch atomically and reports durability through a
// callback; the SQLite store group-commits concurrent batches in one
// transaction and one fsync. A PostgreSQL store can implement the same
// interface without touching the model.
//
// Thread safety: Commit may be called from any thread; callbacks run on the
// store's own thread (or inline for the in-memory store). Scan is for
// start-up, before any Commit.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace minivpc {

struct RowChange {
  std::string scope;
  std::string kind;
  std::string id;
  std::optional<std::string> doc;  // nullopt deletes the row
};

class Store {
 public:
  using RowFn = std::function<void(std::string_view scope, std::string_view kind,
                                   std::string_view id, std::string_view doc)>;
  using DoneFn = std::function<void(Status)>;

  virtual ~Store() = default;
  // Calls `fn` for every stored row.
  virtual Status Scan(const RowFn& fn) = 0;
  // Applies `changes` atomically; `done` runs once they are durable (or
  // with an InternalError if they could not be written).
  virtual void Commit(std::vector<RowChange> changes, DoneFn done) = 0;
};

// Keeps nothing: for --in-memory and tests. Commit completes inline.
std::unique_ptr<Store> NewMemoryStore();

// Opens (creating if needed) a SQLite database in WAL mode with
// synchronous=FULL, and starts its group-commit thread.
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace minivpc
