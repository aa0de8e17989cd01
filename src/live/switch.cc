#include "live/switch.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>

#include "dataplane/packet_builder.h"
#include "live/arp.h"
#include "live/dhcp.h"
#include "live/ndp.h"

namespace minivpc::live {
namespace {

// The largest packet a TAP hands over: a 64 KB GSO super-frame (IP length
// limit) with its Ethernet/VLAN header and virtio-net header, rounded up.
constexpr size_t kMaxPacket = 65536 + 256;

void SetMacs(std::span<uint8_t> frame, MacAddress dst, MacAddress src) {
  uint64_t d = dst.value(), s = src.value();
  for (int i = 5; i >= 0; --i) {
    frame[i] = static_cast<uint8_t>(d & 0xFF);
    frame[6 + i] = static_cast<uint8_t>(s & 0xFF);
    d >>= 8;
    s >>= 8;
  }
}

uint32_t NowSeconds() {
  using namespace std::chrono;
  return static_cast<uint32_t>(
      duration_cast<seconds>(steady_clock::now().time_since_epoch()).count());
}

}  // namespace

Switch::Switch() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

Switch::~Switch() {
  Stop();
  close(wake_fd_);
  close(epoll_fd_);
}

void Switch::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Switch::Stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  thread_.join();
}

void Switch::SetObserver(VerdictObserver observer) {
  std::lock_guard lock(view_mu_);
  observer_ = std::move(observer);
}

uint64_t Switch::drops(dp::DropReason r) const { return pipeline_.drops(r); }

void Switch::Publish(std::shared_ptr<const LiveView> view) {
  auto add = [&](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);  // EEXIST for known fds: fine
  };
  for (const auto& p : view->ports) add(p.tap->fd());
  if (view->internet) add(view->internet->fd());
  std::lock_guard lock(view_mu_);
  view_ = std::move(view);
}

void Switch::Loop() {
  std::vector<uint8_t> buf(kMaxPacket);
  epoll_event events[64];
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_frame{};  // when a frame was last read (see kBusyPoll)
  while (!stop_) {
    const bool polling = Clock::now() - last_frame < kBusyPoll;
    int n = epoll_wait(epoll_fd_, events, 64, polling ? 0 : 200);
    bool read_any = false;
    std::shared_ptr<const LiveView> view;
    {
      std::lock_guard lock(view_mu_);
      view = view_;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t x;
        (void)!read(wake_fd_, &x, sizeof x);
        continue;
      }
      if (!view) continue;
      for (int batch = 0; batch < kBatch; ++batch) {
        ssize_t len = read(fd, buf.data(), buf.size());
        if (len <= 0) break;  // EAGAIN: empty
        frames_in_.fetch_add(1, std::memory_order_relaxed);
        read_any = true;
        HandleFrame(*view, fd, std::span<uint8_t>(buf.data(), static_cast<size_t>(len)));
      }
    }
    if (read_any) last_frame = Clock::now();
  }
}

void Switch::HandleFrame(const LiveView& v, int fd, std::span<uint8_t> wire) {
  bool from_internet = v.internet && fd == v.internet->fd();
  auto port_it = v.port_by_fd.find(fd);
  if (!from_internet && port_it == v.port_by_fd.end()) return;  // a device being removed
  const Port* port = from_internet ? nullptr : &v.ports[static_cast<size_t>(port_it->second)];
  const TapDevice& tap = from_internet ? *v.internet : *port->tap;
  Packet p;
  p.header_size = tap.header_size();
  if (wire.size() < p.header_size) {
    parse_drops_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  p.wire = wire;
  p.frame = wire.subspan(p.header_size);
  if (p.header_size > 0) p.vnet = DecodeVnetHeader(wire);
  dp::PacketHeaders h;
  dp::ParseStatus st = dp::ParseEthernetFrame(p.frame, &h);
  if (st == dp::ParseStatus::kNotIp) return AnswerArp(v, tap, port, p.frame);
  if (st != dp::ParseStatus::kOk || !VnetHeaderFits(p.vnet, h)) {
    parse_drops_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (IsNeighborDiscovery(h)) return AnswerNeighbor(v, tap, port, p.frame, h);
  if (from_internet) return FromInternet(v, p, h);
  FromEni(v, *port, p, h);
}

// ARP as AWS's hypervisor answers it; `port` is null for the internet link.
void Switch::AnswerArp(const LiveView& v, const TapDevice& tap, const Port* port,
                       std::span<const uint8_t> frame) {
  auto req = ParseArpRequest(frame);
  if (!req) return parse_drops_.fetch_add(1, std::memory_order_relaxed), void();
  MacAddress answer;
  if (!port) {
    if (!v.public_pool.Contains(req->target_ip)) return;
    answer = MacAddress(kGatewayMac);
  } else {
    if (!port->subnet.Contains(req->target_ip) || req->target_ip == req->sender_ip) return;
    if (req->target_ip == port->router) {
      answer = MacAddress(kRouterMac);
    } else {
      const dp::Snapshot& s = *v.regions[port->region].snapshot;
      int32_t owner = s.EniByAddress(s.enis[port->eni].vpc, req->target_ip);
      if (owner < 0) return;
      int peer = v.regions[port->region].port_by_eni[owner];
      answer = peer >= 0 ? v.ports[static_cast<size_t>(peer)].mac : MacAddress(kRouterMac);
    }
  }
  std::vector<uint8_t> reply = BuildArpReply(*req, answer);
  (void)!tap.Write(reply);
}

// Neighbor solicitations as AWS's hypervisor answers them (ndp.h); every
// other ND or MLD message ends here. `port` is null for the internet link.
void Switch::AnswerNeighbor(const LiveView& v, const TapDevice& tap, const Port* port,
                            std::span<const uint8_t> frame, const dp::PacketHeaders& h) {
  auto ns = ParseNeighborSolicitation(frame, h);
  if (!ns) return;
  MacAddress answer;
  bool router = true;
  if (!port) {
    if (ns->target != LinkLocalOf(MacAddress(kGatewayMac))) return;
    answer = MacAddress(kGatewayMac);
  } else if (ns->target == LinkLocalOf(MacAddress(kRouterMac)) ||
             (port->subnet6 && ns->target == port->subnet6->base().Plus(1))) {
    answer = MacAddress(kRouterMac);
  } else {
    if (!port->subnet6 || !port->subnet6->Contains(ns->target)) return;
    const dp::Snapshot& s = *v.regions[port->region].snapshot;
    int32_t owner = s.EniByAddress(s.enis[port->eni].vpc, ns->target);
    if (owner < 0 || owner == port->eni) return;
    int peer = v.regions[port->region].port_by_eni[owner];
    answer = peer >= 0 ? v.ports[static_cast<size_t>(peer)].mac : MacAddress(kRouterMac);
    router = false;
  }
  std::vector<uint8_t> reply = BuildNeighborAdvertisement(*ns, answer, router);
  (void)!tap.Write(reply);
}

void Switch::FromEni(const LiveView& v, const Port& port, Packet& p, const dp::PacketHeaders& h) {
  if (h.protocol == 17 && h.dst_port == 67) {
    DhcpLease lease{port.mac,    {},       port.subnet.prefix(),
                    port.router, port.dns, MacAddress(kRouterMac)};
    const dp::Snapshot& s = *v.regions[port.region].snapshot;
    lease.address = s.enis[port.eni].addresses.front();
    if (auto reply = DhcpReply(p.frame, h, lease)) {
      (void)!port.tap->Write(*reply);
    }
    return;
  }
  const dp::Snapshot& s = *v.regions[port.region].snapshot;
  dp::Verdict verdict = pipeline_.Process(s, h, dp::Ingress::FromEni(port.eni), NowSeconds());
  int32_t from = static_cast<int32_t>(&port - v.ports.data());
  if (observer_) observer_(v, h, from, verdict, SegmentBytes(p.vnet, h), SegmentCount(p.vnet, h));
  Deliver(v, verdict, port.region, from, p, h);
}

void Switch::FromInternet(const LiveView& v, Packet& p, const dp::PacketHeaders& h) {
  for (size_t r = 0; r < v.regions.size(); ++r) {
    const dp::Snapshot& s = *v.regions[r].snapshot;
    int32_t vpc = -1;
    if (h.dst.is_v4()) {
      if (const dp::NatEntry* n = s.NatByPublic(h.dst)) vpc = n->vpc;
    } else {
      vpc = s.VpcByIpv6(h.dst);
    }
    if (vpc < 0) continue;
    int32_t igw = s.vpcs[vpc].igw;
    if (igw < 0) return;  // no gateway attached: nothing answers
    dp::Verdict verdict = pipeline_.Process(s, h, dp::Ingress::FromInternet(igw), NowSeconds());
    if (observer_) observer_(v, h, -1, verdict, SegmentBytes(p.vnet, h), SegmentCount(p.vnet, h));
    return Deliver(v, verdict, r, -1, p, h);
  }
}

void Switch::Deliver(const LiveView& v, const dp::Verdict& verdict, size_t region,
                     int32_t from_port, Packet& p, const dp::PacketHeaders& h) {
  if (!verdict.delivered()) return;
  if (verdict.nat_dst) RewriteIpv4Destination(p.frame, h, &p.vnet, verdict.dst.v4());
  if (verdict.nat_src) RewriteIpv4Source(p.frame, h, &p.vnet, verdict.src.v4());
  if (verdict.outcome == dp::Outcome::kDeliveredToInternet) {
    // Hairpin: a public address of this cloud comes straight back in.
    dp::PacketHeaders again = h;
    again.src = verdict.src;
    again.dst = verdict.dst;
    for (const auto& rv : v.regions) {
      if (h.dst.is_v4() && rv.snapshot->NatByPublic(verdict.dst)) {
        return FromInternet(v, p, again);
      }
    }
    if (!v.internet) return;
    SetMacs(p.frame, v.internet_host_mac, MacAddress(kGatewayMac));
    return Send(*v.internet, p, h);
  }
  int peer = v.regions[region].port_by_eni[verdict.eni];
  if (peer < 0) return;
  const Port& to = v.ports[static_cast<size_t>(peer)];
  MacAddress src_mac(kRouterMac);
  if (from_port >= 0) {
    const Port& from = v.ports[static_cast<size_t>(from_port)];
    if (from.subnet == to.subnet) src_mac = from.mac;
  }
  SetMacs(p.frame, to.mac, src_mac);
  Send(*to.tap, p, h);
}

// The header goes on as read, but for what NAT changed in it. A device
// without offloads gets finished, whole frames only.
void Switch::Send(const TapDevice& to, Packet& p, const dp::PacketHeaders& h) {
  ssize_t n = -1;
  if (to.header_size() == p.header_size) {
    if (p.header_size > 0) EncodeVnetHeader(p.vnet, p.wire);
    n = to.WritePacket(p.wire);
  } else if (p.header_size == 0) {
    n = to.Write(p.frame);
  } else if (!p.vnet.is_gso()) {
    CompleteChecksum(p.frame, h, &p.vnet);
    n = to.WritePacket(p.frame);
  } else {
    parse_drops_.fetch_add(1, std::memory_order_relaxed);  // no software segmentation
  }
  if (n > 0) frames_out_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace minivpc::live
