// IP addresses, CIDR blocks and MAC addresses as value types.
//
//   StatusOr<Cidr> vpc = Cidr::Parse("10.0.0.0/16");
//   if (vpc.ok() && vpc->Contains(*IpAddress::Parse("10.0.1.5"))) ...
//
// IPv4 and IPv6 share one representation: a family tag and a 128-bit value
// (an IPv4 address uses the low 32 bits). Parsing is strict: a CIDR whose host
// bits are set is rejected, as EC2 rejects it. All types are immutable values
// and thread compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace minivpc {

using uint128 = unsigned __int128;

enum class IpFamily : uint8_t { kV4 = 4, kV6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t v) { return IpAddress(IpFamily::kV4, v); }
  static IpAddress V6(uint128 v) { return IpAddress(IpFamily::kV6, v); }
  // Dotted quad or RFC 4291 text. Error code InvalidParameterValue.
  static StatusOr<IpAddress> Parse(std::string_view text);
  static StatusOr<IpAddress> ParseV4(std::string_view text);
  static StatusOr<IpAddress> ParseV6(std::string_view text);

  IpFamily family() const { return family_; }
  bool is_v4() const { return family_ == IpFamily::kV4; }
  bool is_v6() const { return family_ == IpFamily::kV6; }
  uint128 value() const { return uint128{hi_} << 64 | lo_; }
  uint32_t v4() const { return static_cast<uint32_t>(lo_); }
  int bits() const { return is_v4() ? 32 : 128; }
  // Dotted quad, or RFC 5952 canonical IPv6 text.
  std::string ToString() const;

  IpAddress Plus(uint128 n) const { return IpAddress(family_, value() + n); }
  // Family first, then the value (hi_ before lo_).
  auto operator<=>(const IpAddress&) const = default;

 private:
  IpAddress(IpFamily f, uint128 v)
      : family_(f), hi_(static_cast<uint64_t>(v >> 64)), lo_(static_cast<uint64_t>(v)) {}
  // Two 64-bit halves rather than one uint128: 24 bytes aligned to 8, not
  // 32 aligned to 16, so two addresses and the ports of a packet fit in
  // one cache line (see dp::PacketHeaders).
  IpFamily family_ = IpFamily::kV4;
  uint64_t hi_ = 0;
  uint64_t lo_ = 0;
};
static_assert(sizeof(IpAddress) == 24);

class Cidr {
 public:
  Cidr() = default;
  // Precondition: host bits of `base` are zero and prefix fits the family.
  static Cidr Of(IpAddress base, int prefix) { return Cidr(base, prefix); }
  // "a.b.c.d/n" or "x::/n". Rejects set host bits. Error InvalidParameterValue.
  static StatusOr<Cidr> Parse(std::string_view text);

  IpAddress base() const { return base_; }
  int prefix() const { return prefix_; }
  IpFamily family() const { return base_.family(); }
  bool is_v4() const { return base_.is_v4(); }
  bool is_v6() const { return base_.is_v6(); }
  // Number of addresses; saturates at 2^127 for very short IPv6 prefixes.
  uint128 Size() const;
  IpAddress Last() const { return base_.Plus(Size() - 1); }
  uint128 Mask() const;

  bool Contains(IpAddress a) const;
  bool Contains(const Cidr& other) const;
  bool Overlaps(const Cidr& other) const;
  // The i-th sub-block of length `sub_prefix`. Precondition: fits.
  Cidr Subnet(int sub_prefix, uint128 index) const;
  std::string ToString() const;

  auto operator<=>(const Cidr&) const = default;

 private:
  Cidr(IpAddress b, int p) : base_(b), prefix_(p) {}
  IpAddress base_;
  int prefix_ = 0;
};

class MacAddress {
 public:
  MacAddress() = default;
  explicit MacAddress(uint64_t v) : value_(v & 0xFFFFFFFFFFFFull) {}
  static StatusOr<MacAddress> Parse(std::string_view text);
  uint64_t value() const { return value_; }
  // "02:ab:cd:ef:01:23", lowercase as EC2 prints it.
  std::string ToString() const;
  auto operator<=>(const MacAddress&) const = default;

 private:
  uint64_t value_ = 0;
};

}  // namespace minivpc
