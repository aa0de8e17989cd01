// The Internet checksum (RFC 1071) and its incremental update (RFC 1624), as
// used by IPv4 headers, TCP, UDP, ICMP and ICMPv6.
//
//   uint32_t sum = PseudoHeaderSum(src, dst, kIpProtoUdp, udp_length);
//   sum = ChecksumAdd(sum, udp_bytes);       // with the checksum field zeroed
//   uint16_t checksum = ChecksumFinish(sum);
//
// A running sum is a uint32_t holding a one's complement sum folded to 16
// bits; start from 0. Summing a packet that includes a correct checksum field
// finishes to 0. All functions are pure and allocation-free.
#pragma once

#include <cstdint>
#include <span>

#include "net/ip.h"

namespace minivpc::dp {

// Adds `data` as big-endian 16-bit words. An odd trailing byte is padded with
// zero, so only the last chunk of a checksummed range may have odd length.
uint32_t ChecksumAdd(uint32_t sum, std::span<const uint8_t> data);
uint32_t ChecksumAdd16(uint32_t sum, uint16_t word);
uint32_t ChecksumAdd32(uint32_t sum, uint32_t value);

// Folds and complements: the value to store in a checksum field.
uint16_t ChecksumFinish(uint32_t sum);

inline uint16_t InternetChecksum(std::span<const uint8_t> data) {
  return ChecksumFinish(ChecksumAdd(0, data));
}

// Sum of the TCP/UDP/ICMPv6 pseudo-header: RFC 793 (IPv4) or RFC 8200
// section 8.1 (IPv6), picked by the family of `src`.
uint32_t PseudoHeaderSum(IpAddress src, IpAddress dst, uint8_t protocol, uint32_t l4_length);

// The checksum after a covered 16-bit word (or two adjacent words) changes
// from `old_value` to `new_value`: RFC 1624 equation 3, HC' = ~(~HC + ~m + m').
uint16_t ChecksumUpdate16(uint16_t checksum, uint16_t old_value, uint16_t new_value);
uint16_t ChecksumUpdate32(uint16_t checksum, uint32_t old_value, uint32_t new_value);

}  // namespace minivpc::dp
