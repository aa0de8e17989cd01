// Switch: the user-space forwarding loop of live mode.
//
// One thread waits (epoll) on every ENI's TAP device and the internet link.
// Each frame is parsed, answered locally when it is ARP or DHCP, and
// otherwise run through the data-plane pipeline; a delivered frame gets its
// MAC addresses set for the receiving side and its IPv4 addresses
// translated where the internet gateway does 1:1 NAT, and is written to the
// receiving TAP. A drop is counted by reason. Malformed frames are counted
// drops, never crashes.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "dataplane/conntrack.h"
#include "dataplane/packet.h"
#include "dataplane/pipeline.h"
#include "live/view.h"

namespace minivpc::live {

// Called for every pipeline decision on a frame an ENI sent or received
// (flow logs). Runs on the switch thread; must be cheap.
using VerdictObserver = std::function<void(const LiveView&, const dp::PacketHeaders&,
                                           int32_t from_port, const dp::Verdict&, size_t bytes)>;

class Switch {
 public:
  Switch();
  ~Switch();
  Switch(const Switch&) = delete;
  Switch& operator=(const Switch&) = delete;

  void Start();
  void Stop();
  // Publishes a new view and (re)registers its devices with epoll.
  void Publish(std::shared_ptr<const LiveView> view);
  void SetObserver(VerdictObserver observer);

  uint64_t frames_in() const { return frames_in_.load(std::memory_order_relaxed); }
  uint64_t frames_out() const { return frames_out_.load(std::memory_order_relaxed); }
  uint64_t drops(dp::DropReason r) const;
  uint64_t parse_drops() const { return parse_drops_.load(std::memory_order_relaxed); }

 private:
  void Loop();
  void HandleFrame(const LiveView& v, int fd, std::span<uint8_t> frame);
  void FromEni(const LiveView& v, const Port& port, std::span<uint8_t> frame,
               const dp::PacketHeaders& h);
  void FromInternet(const LiveView& v, std::span<uint8_t> frame, const dp::PacketHeaders& h);
  void Deliver(const LiveView& v, const dp::Verdict& verdict, size_t region, int32_t from_port,
               std::span<uint8_t> frame, const dp::PacketHeaders& h);

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex view_mu_;
  std::shared_ptr<const LiveView> view_;
  VerdictObserver observer_;
  dp::Conntrack conntrack_;
  dp::Pipeline pipeline_{&conntrack_};
  std::atomic<uint64_t> frames_in_{0}, frames_out_{0}, parse_drops_{0};
};

}  // namespace minivpc::live
