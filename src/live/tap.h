// TapDevice: one Linux TAP interface, the user-space end of an ENI.
//
// minivpc creates the TAP in its own namespace (the only device it creates
// there), then moves it into the instance's namespace, where it becomes
// eth<DeviceIndex>. The file descriptor keeps working across the move:
// frames the instance sends are read here, and frames written here arrive
// at the instance. Closing the descriptor removes the device.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"
#include "net/ip.h"

namespace minivpc::live {

class TapDevice {
 public:
  TapDevice() = default;
  ~TapDevice();
  TapDevice(TapDevice&& o) noexcept : fd_(o.fd_), name_(std::move(o.name_)) { o.fd_ = -1; }
  TapDevice& operator=(TapDevice&& o) noexcept;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  // Creates TAP `name` (<= 15 chars), non-blocking, no packet-info header.
  static StatusOr<TapDevice> Create(const std::string& name);

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  // One frame, or -1 with errno (EAGAIN when empty).
  ssize_t Read(std::span<uint8_t> buf) const;
  ssize_t Write(std::span<const uint8_t> frame) const;

 private:
  int fd_ = -1;
  std::string name_;
};

}  // namespace minivpc::live
