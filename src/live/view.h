// LiveView: what the switch needs to move frames, published atomically by
// the reconciler after every control-plane change. The switch thread loads
// the current view once per batch of frames and never blocks on the
// reconciler; a view keeps the TAP devices it names alive, so a device
// removed by the reconciler is closed only when no view refers to it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataplane/snapshot.h"
#include "live/tap.h"
#include "net/ip.h"

namespace minivpc::live {

// The MAC minivpc answers with for every subnet's router (.1) and for the
// internet gateway: locally administered, "mvpc".
inline constexpr uint64_t kRouterMac = 0x026d76706301ull;
inline constexpr uint64_t kGatewayMac = 0x026d76706302ull;

struct Port {
  std::shared_ptr<TapDevice> tap;
  std::string eni_id;
  size_t region = 0;  // index into LiveView::regions
  int32_t eni = -1;   // index in that region's snapshot
  MacAddress mac;
  Cidr subnet;                  // the ENI's subnet (IPv4)
  IpAddress router;             // subnet .1
  std::optional<Cidr> subnet6;  // the subnet's IPv6 /64, if it has one
  IpAddress dns;                // VPC .2
  bool running = false;
};

struct RegionView {
  std::string scope;
  std::shared_ptr<const dp::Snapshot> snapshot;
  std::vector<int> port_by_eni;  // snapshot ENI index -> index in LiveView::ports, -1
};

struct LiveView {
  std::vector<RegionView> regions;
  std::vector<Port> ports;
  std::unordered_map<int, int> port_by_fd;
  std::shared_ptr<TapDevice> internet;  // the internet namespace's link
  MacAddress internet_host_mac;         // its eth0
  Cidr public_pool;
};

}  // namespace minivpc::live
