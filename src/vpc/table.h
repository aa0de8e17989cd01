// Table<T>: the in-memory rows of one resource kind, with an undo journal.
//
// Every mutation (Put, Erase) records its inverse in the shared Journal and
// marks the row dirty. An action that fails calls Journal::Rollback(), which
// restores every touched row, so "a failed call changes nothing" holds by
// construction. An action that succeeds hands Journal::TakeDirty() to the
// store, which persists exactly the rows it touched.
//
// Hooks observe every change as (before, after) (nullptr for absent) and keep
// derived indexes (address owners, ENIs per subnet, ...) in step, including
// during rollback. Rows are kept ordered by id, which gives Describe calls a
// stable order for pagination.
//
// Not thread safe: the owner (Cloud) serialises access.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace minivpc {

class TableBase;

// One row the current action touched: its table and id.
struct DirtyRow {
  TableBase* table;
  std::string id;
};

class Journal {
 public:
  void AddUndo(std::function<void()> undo) { undo_.push_back(std::move(undo)); }
  void MarkDirty(TableBase* table, const std::string& id) { dirty_.push_back({table, id}); }
  // Undoes every change since the last Commit/Rollback, newest first.
  void Rollback();
  // Forgets the undo log and returns the touched rows (may repeat).
  std::vector<DirtyRow> TakeDirty();
  bool empty() const { return undo_.empty(); }

 private:
  std::vector<std::function<void()>> undo_;
  std::vector<DirtyRow> dirty_;
};

class TableBase {
 public:
  TableBase(std::string scope, std::string kind)
      : scope_(std::move(scope)), kind_(std::move(kind)) {}
  virtual ~TableBase() = default;
  // The partition ("account/region") and resource kind rows are stored under.
  const std::string& scope() const { return scope_; }
  const std::string& kind() const { return kind_; }
  // The row as a JSON document, or nullopt if it no longer exists.
  virtual std::optional<nlohmann::json> Serialize(const std::string& id) const = 0;
  // Inserts a row from its document without journaling (state restore).
  virtual void Load(const nlohmann::json& doc) = 0;
  virtual size_t size() const = 0;

 private:
  std::string scope_;
  std::string kind_;
};

// T needs: a `std::string id` member, and nlohmann to_json/from_json.
template <typename T>
class Table : public TableBase {
 public:
  using Hook = std::function<void(const T* before, const T* after)>;

  Table(std::string scope, std::string kind, Journal* journal)
      : TableBase(std::move(scope), std::move(kind)), journal_(journal) {}

  const T* Find(const std::string& id) const {
    auto it = rows_.find(id);
    return it == rows_.end() ? nullptr : &it->second;
  }
  bool Contains(const std::string& id) const { return rows_.count(id) > 0; }
  const std::map<std::string, T>& rows() const { return rows_; }
  size_t size() const override { return rows_.size(); }

  // Inserts or replaces the row with id `row.id`.
  void Put(T row) {
    std::string id = row.id;
    auto it = rows_.find(id);
    std::optional<T> before;
    if (it != rows_.end()) before = it->second;
    Set(id, std::move(row));
    journal_->MarkDirty(this, id);
    journal_->AddUndo([this, id, before = std::move(before)]() mutable {
      if (before) {
        Set(id, std::move(*before));
      } else {
        Remove(id);
      }
    });
  }

  // Copies the row, applies `f` to the copy and puts it back.
  // Precondition: the row exists.
  template <typename F>
  void Update(const std::string& id, F&& f) {
    T copy = rows_.at(id);
    f(copy);
    Put(std::move(copy));
  }

  void Erase(const std::string& id) {
    auto it = rows_.find(id);
    if (it == rows_.end()) return;
    T before = it->second;
    Remove(id);
    journal_->MarkDirty(this, id);
    journal_->AddUndo([this, before = std::move(before)]() mutable {
      std::string rid = before.id;
      Set(rid, std::move(before));
    });
  }

  void AddHook(Hook hook) { hooks_.push_back(std::move(hook)); }

  std::optional<nlohmann::json> Serialize(const std::string& id) const override {
    const T* row = Find(id);
    if (!row) return std::nullopt;
    return nlohmann::json(*row);
  }
  void Load(const nlohmann::json& doc) override {
    T row = doc.get<T>();
    std::string id = row.id;
    // A restore loads rows in id order: appending after the last row is
    // then constant time. Any other order takes the general path.
    if (!rows_.empty() && !(rows_.rbegin()->first < id)) return Set(id, std::move(row));
    auto it = rows_.emplace_hint(rows_.end(), id, std::move(row));
    for (auto& h : hooks_) h(nullptr, &it->second);
  }

 private:
  void Set(const std::string& id, T row) {
    auto it = rows_.find(id);
    std::optional<T> before;
    if (it != rows_.end()) {
      before = std::move(it->second);
      it->second = std::move(row);
    } else {
      it = rows_.emplace(id, std::move(row)).first;
    }
    for (auto& h : hooks_) h(before ? &*before : nullptr, &it->second);
  }
  void Remove(const std::string& id) {
    auto it = rows_.find(id);
    if (it == rows_.end()) return;
    T before = std::move(it->second);
    rows_.erase(it);
    for (auto& h : hooks_) h(&before, nullptr);
  }

  Journal* journal_;
  std::map<std::string, T> rows_;
  std::vector<Hook> hooks_;
};

}  // namespace minivpc
