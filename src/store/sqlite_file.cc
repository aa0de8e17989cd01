#include "store/sqlite_file.h"

#include "common/error_codes.h"

namespace minivpc {

StatusOr<sqlite3*> OpenStateFile(const std::string& path, const char* schema) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status(err::kInternalError, "cannot open state file " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") + schema;
  char* errmsg = nullptr;
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &errmsg) != SQLITE_OK) {
    std::string msg = errmsg ? errmsg : "?";
    sqlite3_free(errmsg);
    sqlite3_close(db);
    return Status(err::kInternalError, "cannot initialise state file " + path + ": " + msg);
  }
  return db;
}

}  // namespace minivpc
