#include "live/host_objects.h"

#include <signal.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "live/system.h"

namespace minivpc::live {
namespace {

constexpr const char* kNetns = "netns";
constexpr const char* kTap = "tap";

}  // namespace

void KillNamespaceProcesses(const std::string& ns) {
  auto pids = RunCapture({"ip", "netns", "pids", ns});
  if (!pids.ok()) return;
  std::istringstream in(*pids);
  for (int pid; in >> pid;) kill(pid, SIGKILL);
}

void HostObjects::Record(const LiveRecord& r) {
  if (Status st = records_->Add(r); !st.ok()) {
    std::cerr << "minivpc: live mode cannot record " << r.kind << " " << r.name << ": "
              << st.message() << "\n";
  }
}

void HostObjects::Forget(const LiveRecord& r) {
  if (Status st = records_->Remove(r); !st.ok()) {
    std::cerr << "minivpc: live mode cannot forget " << r.kind << " " << r.name << ": "
              << st.message() << "\n";
  }
}

void HostObjects::RemoveRecorded() {
  auto list = records_->List();
  if (!list.ok()) {
    std::cerr << "minivpc: live mode cannot read its records: " << list.status().message() << "\n";
    return;
  }
  for (const auto& r : *list) {
    if (r.kind == kNetns) {
      if (std::filesystem::exists("/run/netns/" + r.name)) {
        KillNamespaceProcesses(r.name);
        (void)Run({"ip", "netns", "del", r.name});
      }
    } else if (r.kind == kTap) {
      // Only a device still in this namespace, where it was created.
      if (std::filesystem::exists("/sys/class/net/" + r.name)) {
        (void)Run({"ip", "link", "del", r.name});
      }
    }
    Forget(r);
  }
}

Status HostObjects::AddNamespace(const std::string& ns) {
  Record({kNetns, ns});
  if (Status st = Run({"ip", "netns", "add", ns}); !st.ok()) {
    Forget({kNetns, ns});  // ours only if we made it
    return st;
  }
  return Run({"ip", "-n", ns, "link", "set", "lo", "up"});
}

void HostObjects::RemoveNamespace(const std::string& ns) {
  KillNamespaceProcesses(ns);
  (void)Run({"ip", "netns", "del", ns});
  Forget({kNetns, ns});
}

StatusOr<TapDevice> HostObjects::CreateTap(const std::string& name, bool offloads) {
  Record({kTap, name});
  StatusOr<TapDevice> tap = TapDevice::Create(name, offloads);
  if (!tap.ok()) Forget({kTap, name});
  return tap;
}

void HostObjects::ForgetTap(const std::string& name) { Forget({kTap, name}); }

}  // namespace minivpc::live
