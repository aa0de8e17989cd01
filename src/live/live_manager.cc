#include "live/live_manager.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <shared_mutex>

#include "common/error_codes.h"
#include "live/guest_net.h"
#include "live/host_objects.h"
#include "live/ndp.h"
#include "live/system.h"

namespace minivpc::live {
namespace {

constexpr uint64_t kInternetHostMac = 0x026d76706310ull;

struct WantInstance {
  bool running = false;
  std::vector<GuestEni> enis;
};

// Everything the reconciler needs, copied out under the cloud lock.
std::map<std::string, WantInstance> Desired(Cloud& cloud) {
  std::map<std::string, WantInstance> out;
  std::shared_lock lock(cloud.mutex());
  for (const auto& [key, region] : cloud.regions()) {
    for (const auto& [id, inst] : region->instances.rows()) {
      if (inst.state == "terminated" || inst.state == "shutting-down") continue;
      WantInstance w;
      w.running = inst.state == "running" || inst.state == "pending";
      auto enis = region->enis_by_instance.find(id);
      if (enis == region->enis_by_instance.end()) continue;
      for (const auto& eni_id : enis->second) {
        const NetworkInterface* e = region->enis.Find(eni_id);
        const Subnet* s = e ? region->subnets.Find(e->subnet_id) : nullptr;
        const Vpc* vpc = s ? region->vpcs.Find(s->vpc_id) : nullptr;
        if (!e || !s || !vpc || !e->attachment) continue;
        GuestEni we{e->id,   e->attachment->device_index, e->mac, e->primary_ip().address,
                    s->cidr, s->cidr.base().Plus(1),      {},     e->ipv6_addresses};
        for (size_t i = 1; i < e->private_ips.size(); ++i) {
          we.secondary.push_back(e->private_ips[i].address);
        }
        w.enis.push_back(std::move(we));
      }
      out[id] = std::move(w);
    }
  }
  return out;
}

}  // namespace

LiveManager::LiveManager(Cloud& cloud, LiveOptions options)
    : cloud_(cloud),
      options_(std::move(options)),
      imds_([&cloud](const std::string& id) { return MetadataFromCloud(cloud, id); }) {}

LiveManager::~LiveManager() { Stop(); }

Status LiveManager::Start() {
  if (!IsRoot()) {
    return Status(err::kUnsupported, "live mode needs root (it creates network namespaces)");
  }
  if (access("/dev/net/tun", R_OK | W_OK) != 0) {
    return Status(err::kUnsupported, "live mode needs /dev/net/tun");
  }
  MINIVPC_RETURN_IF_ERROR(Run({"ip", "netns", "list"}));
  std::filesystem::create_directories(options_.run_dir);
  // Servers sharing a run directory share the script: replace it whole.
  std::string script = options_.run_dir + "/udhcpc.script";
  std::string fresh = script + "." + std::to_string(getpid());
  std::ofstream(fresh) << DhcpScript();
  chmod(fresh.c_str(), 0755);
  std::error_code ec;
  std::filesystem::rename(fresh, script, ec);
  if (ec) return Status(err::kInternalError, "cannot write " + script + ": " + ec.message());
  if (options_.state_path.empty()) {
    records_ = NewMemoryLiveRecords();
  } else {
    MINIVPC_ASSIGN_OR_RETURN(records_, OpenSqliteLiveRecords(options_.state_path));
  }
  host_ = std::make_unique<HostObjects>(records_.get(), HostNames::ForState(options_.state_path));
  host_->RemoveRecorded();  // what a crashed run of this state file left
  Status st = SetUpInternet();
  if (st.ok()) st = imds_.Start();
  if (!st.ok()) {
    internet_.reset();
    host_->RemoveRecorded();
    return st;
  }
  flow_logs_ = std::make_unique<FlowLogWriter>(options_.flow_log_dir);
  switch_.SetObserver([this](const LiveView& v, const dp::PacketHeaders& h, int32_t from,
                             const dp::Verdict& verdict, uint64_t bytes,
                             uint32_t packets) { Observe(v, h, from, verdict, bytes, packets); });
  switch_.Start();
  started_ = true;
  reconciler_ = std::thread([this] { ReconcileLoop(); });
  Notify();
  Sync();
  return Status::Ok();
}

Status LiveManager::SetUpInternet() {
  const Cidr pool = cloud_.options().public_pool;
  const std::string ns = host_->names().InternetNamespace();
  const std::string tap_name = host_->names().InternetTap();
  MINIVPC_RETURN_IF_ERROR(host_->AddNamespace(ns));
  MINIVPC_ASSIGN_OR_RETURN(TapDevice tap, host_->CreateTap(tap_name, options_.offloads));
  internet_ = std::make_shared<TapDevice>(std::move(tap));
  internet_mac_ = MacAddress(kInternetHostMac);
  MINIVPC_RETURN_IF_ERROR(Run({"ip", "link", "set", tap_name, "netns", ns}));
  MINIVPC_RETURN_IF_ERROR(Run({"ip", "-n", ns, "link", "set", tap_name, "name", "eth0", "address",
                               internet_mac_.ToString(), "mtu", std::to_string(options_.mtu),
                               "txqueuelen", std::to_string(options_.txqueuelen), "up"}));
  // Test hosts: the first addresses of the pool's last /24, which the
  // public-IPv4 allocator never hands out (see Cloud::Options).
  Cidr hosts = pool.Subnet(24, (pool.Size() >> 8) - 1);
  internet_hosts_.clear();
  for (int i = 1; i <= 3; ++i) {
    IpAddress a = hosts.base().Plus(static_cast<uint128>(i));
    internet_hosts_.push_back(a);
    MINIVPC_RETURN_IF_ERROR(
        Run({"ip", "-n", ns, "addr", "add", a.ToString() + "/" + std::to_string(pool.prefix()),
             "dev", "eth0"}));
  }
  // IPv6 test hosts (no NAT: the gateway routes the VPCs' own addresses),
  // routed through the gateway's link-local address.
  for (int i = 1; i <= 3; ++i) {
    IpAddress a = kInternetIpv6Hosts.base().Plus(static_cast<uint128>(i));
    internet_hosts_.push_back(a);
    MINIVPC_RETURN_IF_ERROR(
        Run({"ip", "-n", ns, "addr", "add", a.ToString() + "/128", "dev", "eth0", "nodad"}));
  }
  return Run({"ip", "-n", ns, "-6", "route", "replace", "default", "via",
              LinkLocalOf(MacAddress(kGatewayMac)).ToString(), "dev", "eth0"});
}

void LiveManager::Notify() {
  {
    std::lock_guard lock(mu_);
    ++requested_;
  }
  cv_.notify_all();
}

void LiveManager::Sync() {
  std::unique_lock lock(mu_);
  uint64_t target = requested_;
  cv_.wait(lock, [&] { return applied_ >= target || stopping_; });
}

void LiveManager::ReconcileLoop() {
  for (;;) {
    uint64_t target;
    {
      std::unique_lock lock(mu_);
      // Wake at least every 2 s to write finished flow-log windows.
      bool work = cv_.wait_for(lock, std::chrono::seconds(2),
                               [&] { return stopping_ || requested_ > applied_; });
      if (stopping_) return;
      if (!work) {
        lock.unlock();
        if (flow_logs_) flow_logs_->Flush(static_cast<uint64_t>(time(nullptr)));
        continue;
      }
      target = requested_;
    }
    Reconcile();
    {
      std::lock_guard lock(mu_);
      applied_ = target;
    }
    cv_.notify_all();
  }
}

void LiveManager::Stop() {
  if (!started_) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (reconciler_.joinable()) reconciler_.join();
  switch_.Stop();
  if (flow_logs_) flow_logs_->Flush(static_cast<uint64_t>(time(nullptr)) + 3600);
  switch_.Publish(std::make_shared<LiveView>());
  for (auto& [id, li] : instances_) RemoveInstance(id, li);
  instances_.clear();
  imds_.Stop();
  internet_.reset();
  host_->RemoveNamespace(host_->names().InternetNamespace());
  host_->ForgetTap(host_->names().InternetTap());
  host_->RemoveRecorded();  // anything left: the records end empty
  started_ = false;
}

// Flow-log samples: one for the sending ENI, one for the receiving ENI.
void LiveManager::Observe(const LiveView& v, const dp::PacketHeaders& h, int32_t from_port,
                          const dp::Verdict& verdict, uint64_t bytes, uint32_t packets) {
  bool ports = h.protocol == 6 || h.protocol == 17;
  FlowSample s;
  s.src_port = ports ? h.src_port : 0;
  s.dst_port = ports ? h.dst_port : 0;
  s.protocol = h.protocol;
  s.bytes = bytes;
  s.packets = packets;
  s.tcp_flags = h.tcp_flags;
  s.time_s = static_cast<uint64_t>(time(nullptr));
  const std::string* sender = nullptr;
  if (from_port >= 0) {
    const Port& p = v.ports[static_cast<size_t>(from_port)];
    sender = &p.eni_id;
    s.interface_id = p.eni_id;
    s.src = h.src;
    s.dst = h.dst;
    s.egress = true;
    s.accept = verdict.delivered() || (verdict.eni >= 0 && verdict.eni != p.eni);
    s.traffic_path = verdict.outcome == dp::Outcome::kDeliveredToEni        ? 1
                     : verdict.outcome == dp::Outcome::kDeliveredToInternet ? 8
                                                                            : 0;
    flow_logs_->Record(s);
  }
  if (verdict.eni < 0 || verdict.outcome == dp::Outcome::kDeliveredToInternet) return;
  for (const auto& rv : v.regions) {
    if (static_cast<size_t>(verdict.eni) >= rv.snapshot->enis.size()) continue;
    const std::string& receiver = rv.snapshot->enis[static_cast<size_t>(verdict.eni)].id;
    if (sender && receiver == *sender) return;
    if (from_port >= 0 && &rv != &v.regions[v.ports[static_cast<size_t>(from_port)].region]) {
      continue;
    }
    FlowSample r = s;
    r.interface_id = receiver;
    r.src = verdict.src;
    r.dst = verdict.dst;
    r.egress = false;
    r.accept = verdict.delivered();
    r.traffic_path = 0;
    flow_logs_->Record(r);
    return;
  }
}

void LiveManager::RemoveInstance(const std::string& id, LiveInstance& li) {
  imds_.RemoveInstance(id);
  KillNamespaceProcesses(li.ns);
  std::vector<std::string> taps;
  for (const auto& [eni_id, le] : li.enis) taps.push_back(le.tap->name());
  li.enis.clear();  // closing the TAP descriptors removes the devices
  host_->RemoveNamespace(li.ns);
  for (const auto& t : taps) host_->ForgetTap(t);
}

void LiveManager::Reconcile() {
  std::map<std::string, WantInstance> want = Desired(cloud_);
  // Instances that are gone or terminated lose their namespace.
  for (auto it = instances_.begin(); it != instances_.end();) {
    if (want.count(it->first)) {
      ++it;
      continue;
    }
    RemoveInstance(it->first, it->second);
    it = instances_.erase(it);
  }
  std::vector<std::pair<int, std::string>> dhcp_clients;  // pid, label
  for (const auto& [id, w] : want) {
    auto [it, created] = instances_.try_emplace(id);
    LiveInstance& li = it->second;
    if (created) {
      li.ns = host_->names().InstanceNamespace(id);
      if (Status st = host_->AddNamespace(li.ns); !st.ok()) {
        std::cerr << "minivpc: live instance " << id << ": " << st.message() << "\n";
        instances_.erase(it);
        continue;
      }
      if (Status st = imds_.AddInstance(id, li.ns); !st.ok()) {
        std::cerr << "minivpc: metadata service for " << id << ": " << st.message() << "\n";
      }
    }
    // ENIs detached (or moved to another index) lose their device.
    for (auto e = li.enis.begin(); e != li.enis.end();) {
      bool keep = false;
      for (const auto& we : w.enis)
        keep |= we.id == e->first && we.device_index == e->second.device_index;
      if (keep) {
        ++e;
        continue;
      }
      std::string tap = e->second.tap->name();
      e = li.enis.erase(e);
      host_->ForgetTap(tap);
    }
    for (const auto& we : w.enis) {
      auto [eit, added] = li.enis.try_emplace(we.id);
      LiveEni& le = eit->second;
      std::string eth = EthName(we.device_index);
      if (added) {
        std::string name = host_->names().EniTap(we.id);
        auto tap = host_->CreateTap(name, options_.offloads);
        if (!tap.ok() || !Run({"ip", "link", "set", name, "netns", li.ns}).ok() ||
            !Run({"ip", "-n", li.ns, "link", "set", name, "name", eth, "address", we.mac.ToString(),
                  "mtu", std::to_string(options_.mtu), "txqueuelen",
                  std::to_string(options_.txqueuelen)})
                 .ok()) {
          li.enis.erase(eit);
          if (tap.ok()) *tap = TapDevice();  // closes it
          host_->ForgetTap(name);
          continue;
        }
        le.tap = std::make_shared<TapDevice>(std::move(tap).value());
        le.device_index = we.device_index;
      }
      if (w.running && (!le.up || added)) {
        (void)Run({"ip", "-n", li.ns, "link", "set", eth, "up"});
        le.up = true;
        le.guest = {};
        if (options_.dhcp) {
          auto pid =
              Spawn({"ip", "netns", "exec", li.ns, "udhcpc", "-i", eth, "-f", "-q", "-n", "-t",
                     "20", "-T", "1", "-A", "1", "-s", options_.run_dir + "/udhcpc.script"},
                    options_.run_dir + "/" + id + "-" + eth + ".dhcp.log");
          if (pid.ok()) dhcp_clients.push_back({*pid, id + "/" + eth});
        } else {
          ConfigureStaticIpv4(li.ns, we);
        }
      }
      if (!w.running && le.up) {
        (void)Run({"ip", "-n", li.ns, "link", "set", eth, "down"});
        le.up = false;
      }
      if (w.running) SyncAddresses(li.ns, we, &le.guest);
    }
    li.running = w.running;
  }

  // Publish the view before waiting for DHCP clients: they need the switch.
  auto view = std::make_shared<LiveView>();
  view->internet = internet_;
  view->internet_host_mac = internet_mac_;
  view->public_pool = cloud_.options().public_pool;
  {
    std::shared_lock lock(cloud_.mutex());
    for (const auto& [key, region] : cloud_.regions()) {
      RegionView rv;
      rv.scope = region->scope;
      rv.snapshot = dp::Snapshot::Compile(*region, region->version);
      rv.port_by_eni.assign(rv.snapshot->enis.size(), -1);
      size_t region_index = view->regions.size();
      for (const auto& [id, li] : instances_) {
        for (const auto& [eni_id, le] : li.enis) {
          int32_t idx = rv.snapshot->FindEni(eni_id);
          const NetworkInterface* e = region->enis.Find(eni_id);
          if (idx < 0 || !e) continue;
          const Subnet* s = region->subnets.Find(e->subnet_id);
          const Vpc* vpc = s ? region->vpcs.Find(s->vpc_id) : nullptr;
          if (!s || !vpc) continue;
          Port p;
          p.tap = le.tap;
          p.eni_id = eni_id;
          p.region = region_index;
          p.eni = idx;
          p.mac = e->mac;
          p.subnet = s->cidr;
          p.router = s->cidr.base().Plus(1);
          if (s->ipv6) p.subnet6 = s->ipv6->cidr;
          p.dns = vpc->cidr.base().Plus(2);
          p.running = li.running;
          rv.port_by_eni[idx] = static_cast<int>(view->ports.size());
          view->port_by_fd[le.tap->fd()] = static_cast<int>(view->ports.size());
          view->ports.push_back(std::move(p));
        }
      }
      view->regions.push_back(std::move(rv));
    }
  }
  switch_.Publish(view);
  if (flow_logs_) flow_logs_->Configure(ActiveFlowLogsFromCloud(cloud_));
  for (const auto& [pid, label] : dhcp_clients) {
    int status = 0;
    waitpid(pid, &status, 0);
  }
}

}  // namespace minivpc::live
