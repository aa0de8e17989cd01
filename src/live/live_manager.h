// LiveManager: live mode. Every instance in state running (or stopped) is a
// Linux network namespace; every attached ENI is a TAP device inside it,
// named eth<DeviceIndex> with the ENI's MAC; the Switch moves their frames
// through the data plane. An "internet" namespace holds test hosts with
// addresses from the emulated public pool, reachable only through the
// internet gateways.
//
//   LiveManager live(cloud, {.state_path = "var/minivpc.db"});
//   MINIVPC_RETURN_IF_ERROR(live.Start());   // root only; cleans stale state
//   service.SetCommitHook([&] { live.Notify(); });
//
// Safety: nothing is configured in the host's own namespace beyond creating
// the TAP devices that are then moved away. No routes, no addresses, no
// sysctls, no bridges. Names carry a tag of the state file (host_names.h),
// and everything created is recorded in the state file first
// (host_objects.h): Start() removes exactly what a crashed run of the same
// state file left, Stop() removes everything it made and clears the records.
// Two servers with different state files can run at once.
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
#include "live/guest_net.h"
#include "live/host_objects.h"
#include "live/imds_http.h"
#include "live/switch.h"
#include "live/tap.h"
#include "vpc/cloud.h"

namespace minivpc::live {

struct LiveOptions {
  // The server's SQLite state file, which also records what live mode
  // creates; "" (--in-memory) keeps the records in memory, so a crash of
  // such a server leaves its namespaces for the machine's owner to remove.
  std::string state_path;
  bool dhcp = true;  // false: addresses configured statically (--no-dhcp)
  std::string run_dir = "var/live";
  int mtu = 1500;
  // TAP offloads (tap.h): checksum offload and 64 KB GSO super-frames.
  bool offloads = true;
  // Frames a TAP queues for the switch before the instance's kernel drops
  // (tun's default is 500; a burst of small UDP datagrams overflows it).
  int txqueuelen = 4096;
  std::string flow_log_dir = "var/flow-logs";  // flow log files (see flow_log_writer.h)
};

// The internet's IPv6 test hosts are the first addresses of 2001:2::/48,
// the IPv6 benchmarking block (RFC 5180): never a real host, and outside
// the pool of the VPCs' /56s.
inline const Cidr kInternetIpv6Hosts = Cidr::Of(IpAddress::V6(uint128{0x20010002} << 96), 48);
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
  // The internet namespace's name (valid after Start).
  std::string internet_namespace() const { return host_->names().InternetNamespace(); }
  // Public addresses of the internet namespace's test hosts: IPv4 from the
  // public pool, then IPv6 from kInternetIpv6Hosts.
  const std::vector<IpAddress>& internet_hosts() const { return internet_hosts_; }

 private:
  struct LiveEni {
    std::shared_ptr<TapDevice> tap;
    int device_index = 0;
    GuestEniState guest;  // addresses and routes besides DHCP's
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
  void RemoveInstance(const std::string& id, LiveInstance& li);

  Cloud& cloud_;
  LiveOptions options_;
  std::unique_ptr<LiveRecords> records_;
  std::unique_ptr<HostObjects> host_;
  ImdsServer imds_;  // 169.254.169.254 inside every instance namespace
  Switch switch_;
  std::map<std::string, LiveInstance> instances_;
  std::shared_ptr<TapDevice> internet_;
  MacAddress internet_mac_;
  std::vector<IpAddress> internet_hosts_;

  void Observe(const LiveView& v, const dp::PacketHeaders& h, int32_t from_port,
               const dp::Verdict& verdict, uint64_t bytes, uint32_t packets);
  std::unique_ptr<FlowLogWriter> flow_logs_;

  std::thread reconciler_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t requested_ = 0, applied_ = 0;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace minivpc::live
