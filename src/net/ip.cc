#include "net/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "common/error_codes.h"

namespace minivpc {
namespace {

Status BadValue(std::string_view what, std::string_view text) {
  return Status(err::kInvalidParameterValue, "Value (" + std::string(text) + ") for parameter " +
                                                 std::string(what) + " is invalid.");
}

uint128 HostMask(int bits, int prefix) {
  int host = bits - prefix;
  if (host <= 0) return 0;
  if (host >= 128) return ~uint128{0};
  return (uint128{1} << host) - 1;
}

}  // namespace

StatusOr<IpAddress> IpAddress::ParseV4(std::string_view text) {
  if (text.empty() || text.size() > 15) return BadValue("ipAddress", text);
  uint32_t value = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p == end || *p != '.') return BadValue("ipAddress", text);
      ++p;
    }
    unsigned v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || v > 255 || next == p || (next - p > 1 && *p == '0')) {
      return BadValue("ipAddress", text);
    }
    value = (value << 8) | v;
    p = next;
  }
  if (p != end) return BadValue("ipAddress", text);
  return IpAddress::V4(value);
}

StatusOr<IpAddress> IpAddress::ParseV6(std::string_view text) {
  if (text.empty() || text.size() > 45) return BadValue("ipv6Address", text);
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  unsigned char bytes[16];
  if (inet_pton(AF_INET6, buf, bytes) != 1) return BadValue("ipv6Address", text);
  uint128 v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  return IpAddress::V6(v);
}

StatusOr<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return ParseV6(text);
  return ParseV4(text);
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4()) {
    uint32_t v = v4();
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255,
                  v & 255);
    return buf;
  }
  unsigned char bytes[16];
  uint128 v = value();
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<unsigned char>(v & 0xFF);
    v >>= 8;
  }
  inet_ntop(AF_INET6, bytes, buf, sizeof buf);
  return buf;
}

StatusOr<Cidr> Cidr::Parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return BadValue("cidrBlock", text);
  auto addr = IpAddress::Parse(text.substr(0, slash));
  if (!addr.ok()) return BadValue("cidrBlock", text);
  std::string_view len = text.substr(slash + 1);
  int prefix = -1;
  auto [next, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
  if (ec != std::errc() || next != len.data() + len.size() || len.empty() || len.size() > 3 ||
      prefix < 0 || prefix > addr->bits()) {
    return BadValue("cidrBlock", text);
  }
  if ((addr->value() & HostMask(addr->bits(), prefix)) != 0) return BadValue("cidrBlock", text);
  return Cidr(*addr, prefix);
}

uint128 Cidr::Size() const {
  int host = base_.bits() - prefix_;
  if (host >= 127) return uint128{1} << 127;
  return uint128{1} << host;
}

uint128 Cidr::Mask() const {
  uint128 all = base_.is_v4() ? uint128{0xFFFFFFFFu} : ~uint128{0};
  return all & ~HostMask(base_.bits(), prefix_);
}

bool Cidr::Contains(IpAddress a) const {
  return a.family() == family() && (a.value() & Mask()) == base_.value();
}

bool Cidr::Contains(const Cidr& other) const {
  return other.family() == family() && other.prefix_ >= prefix_ && Contains(other.base_);
}

bool Cidr::Overlaps(const Cidr& other) const { return Contains(other) || other.Contains(*this); }

Cidr Cidr::Subnet(int sub_prefix, uint128 index) const {
  int shift = base_.bits() - sub_prefix;
  uint128 offset = shift >= 128 ? 0 : index << shift;
  return Cidr(base_.Plus(offset), sub_prefix);
}

std::string Cidr::ToString() const { return base_.ToString() + "/" + std::to_string(prefix_); }

StatusOr<MacAddress> MacAddress::Parse(std::string_view text) {
  if (text.size() != 17) return BadValue("macAddress", text);
  uint64_t v = 0;
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':') return BadValue("macAddress", text);
    unsigned byte = 0;
    auto [next, ec] = std::from_chars(text.data() + i * 3, text.data() + i * 3 + 2, byte, 16);
    if (ec != std::errc() || next != text.data() + i * 3 + 2) return BadValue("macAddress", text);
    v = (v << 8) | byte;
  }
  return MacAddress(v);
}

std::string MacAddress::ToString() const {
  char buf[18];
  std::snprintf(
      buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", static_cast<unsigned>((value_ >> 40) & 255),
      static_cast<unsigned>((value_ >> 32) & 255), static_cast<unsigned>((value_ >> 24) & 255),
      static_cast<unsigned>((value_ >> 16) & 255), static_cast<unsigned>((value_ >> 8) & 255),
      static_cast<unsigned>(value_ & 255));
  return buf;
}

}  // namespace minivpc
