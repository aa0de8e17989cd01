// ImdsServer: the instance metadata service of live mode, at
// http://169.254.169.254/ inside every instance's network namespace.
//
//   ImdsServer imds([&](const std::string& id) { return MetadataFromCloud(cloud, id); });
//   MINIVPC_RETURN_IF_ERROR(imds.Start());
//   MINIVPC_RETURN_IF_ERROR(imds.AddInstance("i-0123...", "mv-i-0123..."));  // after `ip netns
//   add`
//   ...
//   imds.RemoveInstance("i-0123...");  // before `ip netns del`
//
// How traffic stays inside the instance: AddInstance puts 169.254.169.254/32
// on the namespace's loopback device, so the address is local there and a
// request never reaches an ENI, the switch or the host's namespace. The
// listening socket is created by a short-lived helper thread that enters the
// namespace (setns) and leaves with it; a socket stays in the namespace it
// was created in, and so do the connections it accepts.
//
// Why not listen on port 80 itself: a socket listening on
// 169.254.169.254:80 makes every later bind to 0.0.0.0:80 in the namespace
// fail (EADDRINUSE), so `python3 -m http.server 80` or nginx could not run
// in an instance. The socket listens on kInternalPort instead and an
// nftables rule in the namespace's own output hook (table ip minivpc_imds)
// DNATs 169.254.169.254:80 to it, leaving port 80 to the guest. Without
// nft, AddInstance falls back to listening on port 80.
//
// One thread runs one
// Boost.Asio io_context serving every instance's socket with Boost.Beast
// (HTTP/1.1, keep-alive, 10 s idle timeout, small request limits, at most
// kMaxConnectionsPerInstance connections each). Every request calls Lookup,
// so the answers follow the model at once (an elastic IP associated, a new
// public IPv4 after stop/start, an ENI attached); HandleImdsRequest (imds.h)
// does the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/random.h"
#include "common/status.h"
#include "live/imds.h"

namespace minivpc::live {

class ImdsServer {
 public:
  // The current metadata of an instance, or nullopt when it is gone (the
  // request is then answered 404). Runs on the server's thread, so it must
  // not call back into the ImdsServer.
  using Lookup = std::function<std::optional<InstanceMetadata>(const std::string& instance_id)>;

  static constexpr const char* kAddress = "169.254.169.254";
  // Where the socket listens inside the namespace (see above); outside the
  // kernel's ephemeral port range.
  static constexpr uint16_t kInternalPort = 8775;
  static constexpr size_t kMaxConnectionsPerInstance = 32;

  // `clock` (not owned; nullptr = the system clock) times token expiry; it
  // is read on the server's thread only.
  explicit ImdsServer(Lookup lookup, Clock* clock = nullptr);
  ~ImdsServer();  // Stop()
  ImdsServer(const ImdsServer&) = delete;
  ImdsServer& operator=(const ImdsServer&) = delete;

  // Starts the server thread. InternalError if it cannot be created.
  // Instances added before Start are served from then on.
  Status Start();
  // Closes every socket and joins the thread. The server forgets every
  // instance and token; Start may be called again.
  void Stop();

  // Serves `instance_id` in the existing network namespace `ns` (a name
  // under /run/netns, as `ip netns add` makes): adds 169.254.169.254/32 to
  // its loopback, brings loopback up, adds the port 80 redirect, and
  // listens there. An
  // instance already served is removed first (its namespace was recreated).
  // Errors: InvalidParameterValue for a malformed `ns`; InternalError when
  // the namespace cannot be entered or configured or the socket cannot be
  // bound (needs root, like the rest of live mode).
  Status AddInstance(const std::string& instance_id, const std::string& ns);
  // Serves `instance_id` on `listen_fd`, a listening TCP socket created by
  // the caller anywhere (tests: 127.0.0.1 port 0), which the server takes
  // over and closes on removal, even on error. An instance already served
  // is removed first.
  Status AddInstanceListener(const std::string& instance_id, int listen_fd);
  // Closes the instance's listening socket and its connections, and forgets
  // its tokens, before returning: a closed socket no longer pins the
  // namespace, so call this before deleting it. No-op for an unknown id.
  void RemoveInstance(const std::string& instance_id);

  // Thread safety: AddInstance, AddInstanceListener and RemoveInstance may
  // be called from any thread except the server's own (not from Lookup);
  // they are serialised and wait for the server thread, so the caller must
  // not hold a lock that Lookup takes (for MetadataFromCloud: the cloud
  // mutex). Start and Stop must not run concurrently with other calls.

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minivpc::live
