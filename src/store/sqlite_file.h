// Opening the SQLite state file: shared by the Store (sqlite_store.cc) and
// live mode's records (live_records.cc), which use their own connections to
// the same file.
#pragma once

#include <sqlite3.h>

#include <string>

#include "common/status.h"

namespace minivpc {

// Opens (creating if needed) `path` in WAL mode with synchronous=FULL, a
// busy timeout (the other connection's short write locks are waited for,
// not failed), then runs `schema`. The caller owns the connection
// (sqlite3_close). InternalError when the file cannot be opened or set up.
StatusOr<sqlite3*> OpenStateFile(const std::string& path, const char* schema);

}  // namespace minivpc
