#include "store/live_records.h"

#include <sqlite3.h>

#include <mutex>
#include <set>
#include <utility>

#include "common/error_codes.h"
#include "store/sqlite_file.h"

namespace minivpc {
namespace {

class MemoryLiveRecords : public LiveRecords {
 public:
  Status Add(const LiveRecord& r) override {
    std::lock_guard lock(mu_);
    records_.insert({r.kind, r.name});
    return Status::Ok();
  }
  Status Remove(const LiveRecord& r) override {
    std::lock_guard lock(mu_);
    records_.erase({r.kind, r.name});
    return Status::Ok();
  }
  StatusOr<std::vector<LiveRecord>> List() override {
    std::lock_guard lock(mu_);
    std::vector<LiveRecord> out;
    for (const auto& [kind, name] : records_) out.push_back({kind, name});
    return out;
  }

 private:
  std::mutex mu_;
  std::set<std::pair<std::string, std::string>> records_;
};

class SqliteLiveRecords : public LiveRecords {
 public:
  explicit SqliteLiveRecords(sqlite3* db) : db_(db) {}
  ~SqliteLiveRecords() override { sqlite3_close(db_); }

  Status Add(const LiveRecord& r) override {
    return Exec("INSERT OR IGNORE INTO live_objects(kind, name) VALUES (?1, ?2)", r);
  }
  Status Remove(const LiveRecord& r) override {
    return Exec("DELETE FROM live_objects WHERE kind = ?1 AND name = ?2", r);
  }
  StatusOr<std::vector<LiveRecord>> List() override {
    std::lock_guard lock(mu_);
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT kind, name FROM live_objects ORDER BY kind, name", -1, &q,
                           nullptr) != SQLITE_OK) {
      return Error("list");
    }
    std::vector<LiveRecord> out;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      out.push_back({reinterpret_cast<const char*>(sqlite3_column_text(q, 0)),
                     reinterpret_cast<const char*>(sqlite3_column_text(q, 1))});
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return Error("list");
    return out;
  }

 private:
  Status Error(const char* what) {
    return Status(err::kInternalError,
                  std::string("live records ") + what + " failed: " + sqlite3_errmsg(db_));
  }

  Status Exec(const char* sql, const LiveRecord& r) {
    std::lock_guard lock(mu_);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) return Error("prepare");
    sqlite3_bind_text(s, 1, r.kind.data(), static_cast<int>(r.kind.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, r.name.data(), static_cast<int>(r.name.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? Status::Ok() : Error("write");
  }

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace

std::unique_ptr<LiveRecords> NewMemoryLiveRecords() {
  return std::make_unique<MemoryLiveRecords>();
}

StatusOr<std::unique_ptr<LiveRecords>> OpenSqliteLiveRecords(const std::string& path) {
  MINIVPC_ASSIGN_OR_RETURN(
      sqlite3 * db,
      OpenStateFile(path,
                    "CREATE TABLE IF NOT EXISTS live_objects("
                    "  kind TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY(kind, name))"
                    " WITHOUT ROWID;"));
  return std::unique_ptr<LiveRecords>(new SqliteLiveRecords(db));
}

}  // namespace minivpc
