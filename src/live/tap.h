// TapDevice: one Linux TAP interface, the user-space end of an ENI.
//
// minivpc creates the TAP in its own namespace (the only device it creates
// there), then moves it into the instance's namespace, where it becomes
// eth<DeviceIndex>. The file descriptor keeps working across the move:
// frames the instance sends are read here, and frames written here arrive
// at the instance. Closing the descriptor removes the device (it is not
// persistent), so a crashed process leaves no TAP behind.
//
// Offloads (the default): the device is opened with IFF_VNET_HDR and
// announces checksum offload, TSO (IPv4, IPv6, ECN) and, where the kernel
// has it, USO. The instance's kernel then hands over frames with unfinished
// checksums and GSO super-frames of up to 64 KB, each preceded by a
// kVnetHeaderSize-byte virtio-net header (vnet.h), and frames written here
// carry such a header too. One read or write moves up to 64 KB of TCP
// instead of one MTU-sized segment.
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
  TapDevice(TapDevice&& o) noexcept
      : fd_(o.fd_), header_size_(o.header_size_), name_(std::move(o.name_)) {
    o.fd_ = -1;
  }
  TapDevice& operator=(TapDevice&& o) noexcept;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  // Creates TAP `name` (<= 15 chars), non-blocking, no packet-info header,
  // with or without offloads (see above). Errors: InvalidParameterValue for
  // a bad name, InternalError when the kernel refuses.
  static StatusOr<TapDevice> Create(const std::string& name, bool offloads = true);

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  // kVnetHeaderSize with offloads, else 0: the bytes before each frame.
  size_t header_size() const { return header_size_; }
  // One packet as the device gives it (header_size() bytes of virtio-net
  // header, then the frame), or -1 with errno (EAGAIN when empty).
  ssize_t ReadPacket(std::span<uint8_t> buf) const;
  // Writes `packet` (header, then frame) as is.
  ssize_t WritePacket(std::span<const uint8_t> packet) const;
  // Writes a finished frame (complete checksums, not GSO), with an all-zero
  // virtio-net header in front when the device has offloads: for frames
  // minivpc makes itself (ARP, DHCP, neighbor discovery).
  ssize_t Write(std::span<const uint8_t> frame) const;

 private:
  int fd_ = -1;
  size_t header_size_ = 0;
  std::string name_;
};

}  // namespace minivpc::live
