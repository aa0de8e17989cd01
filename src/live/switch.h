// Switch: the user-space forwarding loop of live mode.
//
// One thread waits (epoll) on every ENI's TAP device and the internet link,
// and reads each ready device until it is empty (at most kBatch frames per
// wakeup, so one busy ENI cannot starve the others). After reading frames it
// keeps polling, without sleeping, for kBusyPoll, so that the next frame of
// an exchange (a reply, the next request) does not have to wake a sleeping
// thread first. Each frame is parsed,
// answered locally when it is ARP, IPv6 neighbor discovery (ndp.h) or DHCP,
// and otherwise run through the
// data-plane pipeline; a delivered frame gets its MAC addresses set for the
// receiving side and its IPv4 addresses translated where the internet
// gateway does 1:1 NAT, and is written to the receiving TAP. A drop is
// counted by reason. Malformed frames are counted drops, never crashes.
//
// With offloads (tap.h) a frame may be a GSO super-frame of up to 64 KB with
// an unfinished checksum: it gets one pipeline decision, its virtio-net
// header is passed on to the receiving TAP (NAT keeps the partial checksum
// right, vnet.h), and the observer sees the bytes and segments it stands
// for. A TAP without offloads gets whole frames with finished checksums
// (a super-frame cannot go there: it is a counted drop).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "dataplane/conntrack.h"
#include "dataplane/packet.h"
#include "dataplane/pipeline.h"
#include "live/view.h"
#include "live/vnet.h"

namespace minivpc::live {

// Called for every pipeline decision on a frame an ENI sent or received
// (flow logs): `bytes` are the IP bytes and `packets` the segments the frame
// stands for (a GSO super-frame counts as the packets it will become). Runs
// on the switch thread; must be cheap.
using VerdictObserver =
    std::function<void(const LiveView&, const dp::PacketHeaders&, int32_t from_port,
                       const dp::Verdict&, uint64_t bytes, uint32_t packets)>;

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
  // Frames that did not parse, or whose virtio-net header did not fit them.
  uint64_t parse_drops() const { return parse_drops_.load(std::memory_order_relaxed); }

  static constexpr int kBatch = 64;
  // How long the loop polls (epoll_wait with a zero timeout) after the last
  // frame it read before it sleeps again. On this project's 2-vCPU VM,
  // waking the thread dominated request/response latency: 1-byte UDP and
  // TCP request/response round trips through minivpc had a
  // median of 183 to 790 us without it and 78 to 117 us with it (live_bench,
  // 3 alternating rounds). Ping at 5 ms intervals is unchanged: the loop
  // sleeps between its requests. Costs at most this much CPU per lull.
  static constexpr std::chrono::microseconds kBusyPoll{200};

 private:
  // A frame as read from a TAP: `wire` is the virtio-net header (if the
  // device has one) and the Ethernet frame, `frame` the latter.
  struct Packet {
    std::span<uint8_t> wire;
    std::span<uint8_t> frame;
    VnetHeader vnet;
    size_t header_size = 0;
  };

  void Loop();
  void HandleFrame(const LiveView& v, int fd, std::span<uint8_t> wire);
  void AnswerArp(const LiveView& v, const TapDevice& tap, const Port* port,
                 std::span<const uint8_t> frame);
  void AnswerNeighbor(const LiveView& v, const TapDevice& tap, const Port* port,
                      std::span<const uint8_t> frame, const dp::PacketHeaders& h);
  void FromEni(const LiveView& v, const Port& port, Packet& p, const dp::PacketHeaders& h);
  void FromInternet(const LiveView& v, Packet& p, const dp::PacketHeaders& h);
  void Deliver(const LiveView& v, const dp::Verdict& verdict, size_t region, int32_t from_port,
               Packet& p, const dp::PacketHeaders& h);
  void Send(const TapDevice& to, Packet& p, const dp::PacketHeaders& h);

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
