// LiveRecords: what live mode created on the machine (network namespaces,
// TAP devices), kept beside the server's state so that a restart after a
// crash removes exactly what the crashed run of THIS state file created,
// and nothing of another server or of the machine's owner.
//
//   auto records = OpenSqliteLiveRecords("var/minivpc.db");   // or NewMemoryLiveRecords()
//   MINIVPC_RETURN_IF_ERROR((*records)->Add({"netns", "mv-ab12-i-0123"}));  // before creating
//   ... ip netns add mv-ab12-i-0123 ...
//   ... ip netns del mv-ab12-i-0123 ...
//   (*records)->Remove({"netns", "mv-ab12-i-0123"});                        // after removing
//
// A record is written before the object is created and removed after the
// object is gone, so a crash at any point leaves a record for everything
// that may exist (and perhaps for something that does not: removing it
// then fails harmlessly).
//
// The SQLite records live in their own table (live_objects) of the state
// file, through their own connection; Add and Remove are durable when they
// return (synchronous=FULL). Control plane only: each call may fsync.
//
// Thread safety: every method is thread safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace minivpc {

struct LiveRecord {
  std::string kind;  // "netns" | "tap"
  std::string name;
  bool operator==(const LiveRecord&) const = default;
};

class LiveRecords {
 public:
  virtual ~LiveRecords() = default;
  // Idempotent: adding a present record or removing an absent one is OK.
  virtual Status Add(const LiveRecord& r) = 0;
  virtual Status Remove(const LiveRecord& r) = 0;
  // Every record, ordered by kind, then name.
  virtual StatusOr<std::vector<LiveRecord>> List() = 0;
};

// Records that die with the process: for --in-memory servers and tests.
std::unique_ptr<LiveRecords> NewMemoryLiveRecords();

// Records in the SQLite state file at `path` (created if needed; it may
// also be open as a Store). Errors: InternalError when SQLite fails.
StatusOr<std::unique_ptr<LiveRecords>> OpenSqliteLiveRecords(const std::string& path);

}  // namespace minivpc
