#include "dataplane/checksum.h"

#include "dataplane/packet_bytes.h"

namespace minivpc::dp {
namespace {

uint32_t Fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint32_t>(sum);
}

}  // namespace

uint32_t ChecksumAdd(uint32_t sum, std::span<const uint8_t> data) {
  // One's complement addition is byte-order and word-size independent once
  // folded, so 32-bit loads halve the loop count.
  uint64_t acc = sum;
  const uint8_t* p = data.data();
  size_t n = data.size();
  for (; n >= 4; p += 4, n -= 4) acc += internal::Load32(p);
  if (n >= 2) {
    acc += internal::Load16(p);
    p += 2;
    n -= 2;
  }
  if (n == 1) acc += uint32_t{p[0]} << 8;
  return Fold(acc);
}

uint32_t ChecksumAdd16(uint32_t sum, uint16_t word) { return Fold(uint64_t{sum} + word); }

uint32_t ChecksumAdd32(uint32_t sum, uint32_t value) {
  return Fold(uint64_t{sum} + (value >> 16) + (value & 0xFFFF));
}

uint16_t ChecksumFinish(uint32_t sum) { return static_cast<uint16_t>(~Fold(sum)); }

uint32_t PseudoHeaderSum(IpAddress src, IpAddress dst, uint8_t protocol, uint32_t l4_length) {
  uint32_t sum = 0;
  if (src.is_v4()) {
    sum = ChecksumAdd32(sum, src.v4());
    sum = ChecksumAdd32(sum, dst.v4());
  } else {
    for (int shift = 0; shift < 128; shift += 32) {
      sum = ChecksumAdd32(sum, static_cast<uint32_t>(src.value() >> shift));
      sum = ChecksumAdd32(sum, static_cast<uint32_t>(dst.value() >> shift));
    }
  }
  sum = ChecksumAdd16(sum, protocol);
  return ChecksumAdd32(sum, l4_length);
}

uint16_t ChecksumUpdate16(uint16_t checksum, uint16_t old_value, uint16_t new_value) {
  uint64_t sum = uint16_t(~checksum);
  sum += uint16_t(~old_value);
  sum += new_value;
  return static_cast<uint16_t>(~Fold(sum));
}

uint16_t ChecksumUpdate32(uint16_t checksum, uint32_t old_value, uint32_t new_value) {
  checksum = ChecksumUpdate16(checksum, old_value >> 16, new_value >> 16);
  return ChecksumUpdate16(checksum, old_value & 0xFFFF, new_value & 0xFFFF);
}

}  // namespace minivpc::dp
