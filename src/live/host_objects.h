// HostObjects: creates and removes the network namespaces and TAP devices
// of one live server, recording each in the server's LiveRecords
// (store/live_records.h) before creating it and forgetting it after it is
// gone. A server starting on the same state file calls RemoveRecorded() and
// so removes exactly what a crashed run left: never a namespace or device
// of another server or of the machine's owner, whatever its name.
//
//   HostObjects host(records, HostNames::ForState(state));
//   host.RemoveRecorded();                         // a crashed run's leftovers
//   MINIVPC_RETURN_IF_ERROR(host.AddNamespace(ns));
//   MINIVPC_ASSIGN_OR_RETURN(TapDevice tap, host.CreateTap(name, true));
//   ...
//   host.RemoveNamespace(ns);
//   host.ForgetTap(name);                          // once its descriptor is closed
//
// TAP devices are not persistent: they vanish when the descriptor closes,
// so a crashed process leaves at most namespaces behind; the TAP records
// cover the moment between creating a device and moving it away.
//
// Control plane only. Thread compatible; record failures are reported on
// stderr and do not stop the live server (the objects still work).
#pragma once

#include <string>

#include "live/host_names.h"
#include "live/tap.h"
#include "store/live_records.h"

namespace minivpc::live {

class HostObjects {
 public:
  // `records` is not owned and must outlive this object.
  HostObjects(LiveRecords* records, HostNames names)
      : records_(records), names_(std::move(names)) {}

  const HostNames& names() const { return names_; }

  // Removes every recorded namespace (killing what runs inside first) and
  // TAP device still in this namespace, then clears the records.
  void RemoveRecorded();

  // Records and creates namespace `ns` with its loopback up.
  Status AddNamespace(const std::string& ns);
  // Kills the processes in `ns`, deletes it and forgets it.
  void RemoveNamespace(const std::string& ns);

  // Records and creates a TAP device (tap.h) in this namespace.
  StatusOr<TapDevice> CreateTap(const std::string& name, bool offloads);
  // Forgets a TAP device whose descriptor was closed (or was never made).
  void ForgetTap(const std::string& name);

 private:
  void Record(const LiveRecord& r);
  void Forget(const LiveRecord& r);

  LiveRecords* records_;
  HostNames names_;
};

// SIGKILLs every process in namespace `ns`.
void KillNamespaceProcesses(const std::string& ns);

}  // namespace minivpc::live
