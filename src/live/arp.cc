#include "live/arp.h"

namespace minivpc::live {
namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
uint64_t Mac(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 6; ++i) v = v << 8 | p[i];
  return v;
}
void PutMac(uint8_t* p, uint64_t v) {
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v & 0xFF);
    v >>= 8;
  }
}
void Put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

std::optional<ArpRequest> ParseArpRequest(std::span<const uint8_t> f) {
  // Ethernet (14) + ARP for IPv4 over Ethernet (28).
  if (f.size() < 42 || Be16(&f[12]) != 0x0806) return std::nullopt;
  const uint8_t* a = &f[14];
  if (Be16(a) != 1 || Be16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 || Be16(a + 6) != 1) {
    return std::nullopt;
  }
  return ArpRequest{MacAddress(Mac(a + 8)), IpAddress::V4(Be32(a + 14)),
                    IpAddress::V4(Be32(a + 24))};
}

std::vector<uint8_t> BuildArpReply(const ArpRequest& req, MacAddress answer_mac) {
  std::vector<uint8_t> f(42, 0);
  PutMac(&f[0], req.sender_mac.value());
  PutMac(&f[6], answer_mac.value());
  f[12] = 0x08;
  f[13] = 0x06;
  uint8_t* a = &f[14];
  a[1] = 1;     // Ethernet
  a[2] = 0x08;  // IPv4
  a[4] = 6;
  a[5] = 4;
  a[7] = 2;  // reply
  PutMac(a + 8, answer_mac.value());
  Put32(a + 14, req.target_ip.v4());
  PutMac(a + 18, req.sender_mac.value());
  Put32(a + 24, req.sender_ip.v4());
  return f;
}

}  // namespace minivpc::live
