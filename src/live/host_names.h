// HostNames: the names live mode gives what it creates on the machine, and
// finding them again from a client (`minivpc exec`).
//
// Every name carries a 4-character tag derived from the server's state
// file (its absolute path; an --in-memory server's from its process id), so
// two live servers with different state files never pick the same name:
//
//   mv-<tag>-<instance-id>   an instance's network namespace
//   mv-<tag>-internet        the emulated internet
//   mv<tag><9 hex>           an ENI's TAP device (from the ENI id; 15 chars,
//                            the interface name limit)
//   mv<tag>inet              the internet namespace's TAP device
//
//   HostNames names = HostNames::ForState("var/minivpc.db");
//   names.InstanceNamespace("i-0123456789abcdef0");  // "mv-k3x9-i-0123456789abcdef0"
#pragma once

#include <string>

#include "common/status.h"

namespace minivpc::live {

struct HostNames {
  std::string tag;  // 4 characters of [0-9a-z]

  // The names of the server with state file `state_path`; "" means an
  // in-memory server (the tag then comes from this process's id).
  static HostNames ForState(const std::string& state_path);

  std::string InstanceNamespace(const std::string& instance_id) const;
  std::string InternetNamespace() const;
  std::string EniTap(const std::string& eni_id) const;
  std::string InternetTap() const;
};

// The namespace of live instance `instance_id` on this machine, whichever
// server runs it (instance ids are unique), or "" when there is none.
std::string NamespaceOf(const std::string& instance_id);

// The internet namespace of the live server with state file `state_path`,
// or with "" the only live server's. Errors: InvalidParameterValue when
// there is none, or several and no state file.
StatusOr<std::string> FindInternetNamespace(const std::string& state_path);

}  // namespace minivpc::live
