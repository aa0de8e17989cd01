#include "live/tap.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error_codes.h"

namespace minivpc::live {

TapDevice::~TapDevice() {
  if (fd_ >= 0) close(fd_);
}

TapDevice& TapDevice::operator=(TapDevice&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    name_ = std::move(o.name_);
    o.fd_ = -1;
  }
  return *this;
}

StatusOr<TapDevice> TapDevice::Create(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return Status(err::kInvalidParameterValue, "bad interface name '" + name + "'");
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return Status(err::kInternalError, std::string("cannot open /dev/net/tun: ") + strerror(errno));
  }
  struct ifreq ifr {};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int e = errno;
    close(fd);
    return Status(err::kInternalError, "TUNSETIFF " + name + ": " + strerror(e));
  }
  TapDevice t;
  t.fd_ = fd;
  t.name_ = ifr.ifr_name;
  return t;
}

ssize_t TapDevice::Read(std::span<uint8_t> buf) const { return read(fd_, buf.data(), buf.size()); }

ssize_t TapDevice::Write(std::span<const uint8_t> frame) const {
  return write(fd_, frame.data(), frame.size());
}

}  // namespace minivpc::live
