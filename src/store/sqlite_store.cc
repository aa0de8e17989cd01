// SQLite implementation of Store with group commit.
//
// Writers enqueue batches; one thread drains everything queued, applies it in
// a single transaction and fsyncs once (WAL, synchronous=FULL), then runs the
// callbacks. Under concurrency many API writes share one fsync, so
// throughput grows with load while every acknowledged write is durable.
#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/error_codes.h"
#include "store/sqlite_file.h"
#include "store/store.h"

namespace minivpc {
namespace {

constexpr int kSchemaVersion = 1;

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {
    writer_ = std::thread([this] { WriterLoop(); });
  }

  ~SqliteStore() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    writer_.join();
    sqlite3_close(db_);
  }

  Status Scan(const RowFn& fn) override {
    Stmt q(db_, "SELECT scope, kind, id, doc FROM rows");
    auto text = [&](int col) {
      const char* p = reinterpret_cast<const char*>(sqlite3_column_text(q.get(), col));
      return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(q.get(), col)));
    };
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) fn(text(0), text(1), text(2), text(3));
    if (rc != SQLITE_DONE) return Error("scan");
    return Status::Ok();
  }

  void Commit(std::vector<RowChange> changes, DoneFn done) override {
    {
      std::lock_guard lock(mu_);
      queue_.push_back({std::move(changes), std::move(done)});
    }
    cv_.notify_one();
  }

 private:
  struct Batch {
    std::vector<RowChange> changes;
    DoneFn done;
  };

  Status Error(const char* what) {
    return Status(err::kInternalError,
                  std::string("state store ") + what + " failed: " + sqlite3_errmsg(db_));
  }

  Status Apply(std::deque<Batch>& batches) {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error("begin");
    }
    Stmt put(db_, "INSERT OR REPLACE INTO rows(scope, kind, id, doc) VALUES (?1, ?2, ?3, ?4)");
    Stmt del(db_, "DELETE FROM rows WHERE scope = ?1 AND kind = ?2 AND id = ?3");
    for (auto& b : batches) {
      for (auto& c : b.changes) {
        Stmt& s = c.doc ? put : del;
        s.Bind(1, c.scope);
        s.Bind(2, c.kind);
        s.Bind(3, c.id);
        if (c.doc) s.Bind(4, *c.doc);
        int rc = sqlite3_step(s.get());
        sqlite3_reset(s.get());
        if (rc != SQLITE_DONE) {
          Status st = Error("write");
          sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
          return st;
        }
      }
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status st = Error("commit");
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return st;
    }
    return Status::Ok();
  }

  void WriterLoop() {
    for (;;) {
      std::deque<Batch> batches;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        batches.swap(queue_);
      }
      Status st = Apply(batches);
      for (auto& b : batches) b.done(st);
    }
  }

  sqlite3* db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  // Live mode's records (live_records.h) share the file through their own
  // connection (OpenStateFile waits for its short write locks).
  MINIVPC_ASSIGN_OR_RETURN(
      sqlite3 * db,
      OpenStateFile(
          path,
          "CREATE TABLE IF NOT EXISTS rows("
          "  scope TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,"
          "  PRIMARY KEY(scope, kind, id)) WITHOUT ROWID;"));
  std::string version = "PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";";
  sqlite3_exec(db, version.c_str(), nullptr, nullptr, nullptr);
  return std::unique_ptr<Store>(new SqliteStore(db));
}

}  // namespace minivpc
