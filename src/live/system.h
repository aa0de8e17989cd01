// Running iproute2 and friends for live mode: argv only, never a shell, so
// no text from a request is ever interpreted. Control-plane only (never on
// the packet path).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace minivpc::live {

// Runs argv[0] (looked up in PATH) with argv, waits, and returns OK on exit
// status 0, else InternalError carrying the command and its stderr.
Status Run(const std::vector<std::string>& argv);
// Like Run, returning stdout.
StatusOr<std::string> RunCapture(const std::vector<std::string>& argv);

// `ip netns exec NS argv...` as a process that keeps running (a DHCP client,
// a test server); returns its pid. stdout/stderr go to `log_path` if given.
StatusOr<int> Spawn(const std::vector<std::string>& argv, const std::string& log_path = "");

bool IsRoot();

}  // namespace minivpc::live
