#include "live/tap.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/error_codes.h"
#include "live/vnet.h"

// USO arrived in Linux 6.2; older headers lack the flags.
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

namespace minivpc::live {
namespace {

Status Errno(const std::string& what) {
  return Status(err::kInternalError, what + ": " + strerror(errno));
}

// Turns on the virtio-net header and the offloads the switch passes through.
Status EnableOffloads(int fd) {
  int size = static_cast<int>(kVnetHeaderSize);
  if (ioctl(fd, TUNSETVNETHDRSZ, &size) != 0) return Errno("TUNSETVNETHDRSZ");
  const unsigned base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
  if (ioctl(fd, TUNSETOFFLOAD, base | TUN_F_USO4 | TUN_F_USO6) == 0) return Status::Ok();
  if (ioctl(fd, TUNSETOFFLOAD, base) == 0) return Status::Ok();  // a kernel without USO
  return Errno("TUNSETOFFLOAD");
}

}  // namespace

TapDevice::~TapDevice() {
  if (fd_ >= 0) close(fd_);
}

TapDevice& TapDevice::operator=(TapDevice&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    header_size_ = o.header_size_;
    name_ = std::move(o.name_);
    o.fd_ = -1;
  }
  return *this;
}

StatusOr<TapDevice> TapDevice::Create(const std::string& name, bool offloads) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return Status(err::kInvalidParameterValue, "bad interface name '" + name + "'");
  }
  TapDevice t;
  t.fd_ = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (t.fd_ < 0) return Errno("cannot open /dev/net/tun");
  struct ifreq ifr {};
  ifr.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0));
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(t.fd_, TUNSETIFF, &ifr) != 0) return Errno("TUNSETIFF " + name);
  if (offloads) {
    MINIVPC_RETURN_IF_ERROR(EnableOffloads(t.fd_));
    t.header_size_ = kVnetHeaderSize;
  }
  t.name_ = ifr.ifr_name;
  return t;
}

ssize_t TapDevice::ReadPacket(std::span<uint8_t> buf) const {
  return read(fd_, buf.data(), buf.size());
}

ssize_t TapDevice::WritePacket(std::span<const uint8_t> packet) const {
  return write(fd_, packet.data(), packet.size());
}

ssize_t TapDevice::Write(std::span<const uint8_t> frame) const {
  if (header_size_ == 0) return write(fd_, frame.data(), frame.size());
  std::array<uint8_t, kVnetHeaderSize> header{};
  iovec iov[2] = {{header.data(), header_size_},
                  {const_cast<uint8_t*>(frame.data()), frame.size()}};
  return writev(fd_, iov, 2);
}

}  // namespace minivpc::live
