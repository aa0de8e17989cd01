// LiveManager: live mode. Every instance in state running (or stopped) is a
// Linux network namespace; every attached ENI is a TAP device inside it,
// named eth<DeviceIndex> with the ENI's MAC; the Switch moves their frames
// through the data plane. An "internet" namespace holds test hosts with
// addresses from the emulated public pool, reachable only through the
// internet gateways.
//
//   LiveManager live(cloud, {});
//   MINIVPC_RETURN_IF_ERROR(live.Start());   // root only; cleans stale state
//   service.SetCommitHook([&] { live.Notify(); });
//
// Safety: nothing is configured in the host's own namespace beyond creating
// the TAP devices that are then moved away. No routes, no addresses, no
// sysctls, no bridges. Namespace and device names carry the "mv-"/"mvt"
// prefix; Start() removes leftovers of a crashed run, Stop() removes
// everything it made.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/status.h"
#include "live/flow_log_writer.h"
#include "live/imds_http.h"
#include "live/switch.h"
#include "live/tap.h"
#include "vpc/cloud.h"

namespace minivpc::live {

struct LiveOptions {
  bool dhcp = true;  // false: addresses configured statically (--no-dhcp)
  std::string run_dir = "var/live";
  int mtu = 1500;
  std::string flow_log_dir = "var/flow-logs";  // flow log files (see flow_log_writer.h)
};

inline constexpr const char* kInternetNamespace = "mv-internet";
// The namespace of an instance.
std::string NamespaceOf(const std::string& instance_id);

class LiveManager {
 public:
  LiveManager(Cloud& cloud, LiveOptions options);
  ~LiveManager();
  LiveManager(const LiveManager&) = delete;
  LiveManager& operator=(const LiveManager&) = delete;

  // Errors: Unsupported when not root or namespaces are unavailable.
  Status Start();
  void Stop();
  // A committed control-plane change: reconcile soon. Never blocks.
  void Notify();
  // Waits until every change notified so far has been applied (tests).
  void Sync();

  Switch& network() { return switch_; }
  // Public addresses of the internet namespace's test hosts.
  const std::vector<IpAddress>& internet_hosts() const { return internet_hosts_; }

 private:
  struct LiveEni {
    std::shared_ptr<TapDevice> tap;
    int device_index = 0;
    std::set<std::string> addresses;  // "ip/len" configured besides DHCP's
    bool up = false;
  };
  struct LiveInstance {
    std::string ns;
    std::map<std::string, LiveEni> enis;  // by ENI id
    bool running = false;
  };

  void ReconcileLoop();
  void Reconcile();
  Status SetUpInternet();
  Status AddEni(LiveInstance& li, const std::string& instance_id, const RegionState& r,
                const NetworkInterface& eni, bool running);
  void ConfigureAddresses(LiveInstance& li, LiveEni& le, const RegionState& r,
                          const NetworkInterface& eni, bool dhcp_done);
  void RemoveInstance(const std::string& id, LiveInstance& li);
  static void RemoveStale();

  Cloud& cloud_;
  LiveOptions options_;
  ImdsServer imds_;  // 169.254.169.254 inside every instance namespace
  Switch switch_;
  std::map<std::string, LiveInstance> instances_;
  std::shared_ptr<TapDevice> internet_;
  MacAddress internet_mac_;
  std::vector<IpAddress> internet_hosts_;

  void Observe(const LiveView& v, const dp::PacketHeaders& h, int32_t from_port,
               const dp::Verdict& verdict);
  std::unique_ptr<FlowLogWriter> flow_logs_;

  std::thread reconciler_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t requested_ = 0, applied_ = 0;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace minivpc::live
