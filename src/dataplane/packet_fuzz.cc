// libFuzzer target for the packet parser and builder (built by clang++, see
// CMakeLists.txt; run with tests/fuzz/run_fuzzer.sh). Under ASan and UBSan it
// checks memory safety, and beyond that these properties of any input:
//   * a kOk parse has ordered offsets inside the input, and no ports on a
//     non-first fragment;
//   * ParseIpPacket on the IP part of a frame agrees with ParseEthernetFrame;
//   * a whole packet rebuilt from its parsed headers and payload parses back
//     to the same headers, with valid checksums;
//   * NAT rewrites keep valid checksums valid and invalid ones invalid.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "dataplane/packet.h"
#include "dataplane/packet_builder.h"

namespace minivpc::dp {
namespace {

#define FUZZ_CHECK(cond)                                      \
  do {                                                        \
    if (!(cond)) {                                            \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s\n", #cond); \
      std::abort();                                           \
    }                                                         \
  } while (0)

constexpr size_t kBufferSize = 1 << 17;  // any IP packet plus Ethernet
uint8_t g_built[kBufferSize];
uint8_t g_rewritten[kBufferSize];
ParseCounters g_counters;

void CheckOffsets(const PacketHeaders& h, size_t size) {
  FUZZ_CHECK(h.l3_offset <= h.l4_offset && h.l4_offset <= h.payload_offset);
  FUZZ_CHECK(h.payload_offset <= h.l3_end() && h.l3_end() <= size);
  if (!h.has_l4()) FUZZ_CHECK(h.src_port == 0 && h.dst_port == 0 && h.icmp_type == 0);
}

void CheckSameHeaders(const PacketHeaders& a, const PacketHeaders& b) {
  FUZZ_CHECK(a.family == b.family && a.src == b.src && a.dst == b.dst);
  FUZZ_CHECK(a.protocol == b.protocol && a.ttl == b.ttl && a.tos == b.tos);
  FUZZ_CHECK(a.src_port == b.src_port && a.dst_port == b.dst_port);
  FUZZ_CHECK(a.icmp_type == b.icmp_type && a.icmp_code == b.icmp_code);
  FUZZ_CHECK(a.tcp_flags == b.tcp_flags && a.dont_fragment == b.dont_fragment);
  FUZZ_CHECK(a.eth_src == b.eth_src && a.eth_dst == b.eth_dst);
  FUZZ_CHECK(a.vlan_tagged == b.vlan_tagged && a.vlan_tci == b.vlan_tci);
  if (a.family == IpFamily::kV4) FUZZ_CHECK(a.fragment_id == b.fragment_id);
}

// Rebuilds the packet from its headers and payload and parses the result.
void CheckRoundTrip(std::span<const uint8_t> buf, const PacketHeaders& h) {
  std::span<const uint8_t> payload = buf.subspan(h.payload_offset, h.l3_end() - h.payload_offset);
  const size_t n = BuildFrame(h, payload, g_built);
  FUZZ_CHECK(n != 0);  // never larger than the input plus an Ethernet header
  PacketHeaders r;
  const ParseStatus s = ParseEthernetFrame({g_built, n}, &r);
  // A fragment may not survive: dropping IP or TCP options changes its size.
  if (h.is_fragment()) return;
  FUZZ_CHECK(s == ParseStatus::kOk);
  CheckSameHeaders(h, r);
  FUZZ_CHECK(r.l3_end() - r.payload_offset == payload.size());
  FUZZ_CHECK(std::memcmp(g_built + r.payload_offset, payload.data(), payload.size()) == 0);
  FUZZ_CHECK(VerifyChecksums({g_built, n}, r));
}

// Rewrites addresses and ports of a copy and checks checksum validity is kept.
void CheckRewrites(std::span<const uint8_t> buf, const PacketHeaders& h) {
  const bool valid = VerifyChecksums(buf, h);
  std::memcpy(g_rewritten, buf.data(), buf.size());
  std::span<uint8_t> frame(g_rewritten, buf.size());
  if (h.family == IpFamily::kV4) {
    RewriteIpv4Source(frame, h, ~h.src.v4());
    RewriteIpv4Destination(frame, h, h.dst.v4() * 2654435761u);
  }
  RewriteSourcePort(frame, h, static_cast<uint16_t>(h.src_port + 1));
  RewriteDestinationPort(frame, h, static_cast<uint16_t>(h.dst_port ^ 0x8000));
  PacketHeaders r;
  const ParseStatus s = h.l3_offset == 0 ? ParseIpPacket(frame, &r) : ParseEthernetFrame(frame, &r);
  FUZZ_CHECK(s == ParseStatus::kOk);
  FUZZ_CHECK(VerifyChecksums(frame, r) == valid);
  if (h.family == IpFamily::kV4) FUZZ_CHECK(r.src.v4() == ~h.src.v4());
}

void Exercise(std::span<const uint8_t> buf, const PacketHeaders& h) {
  CheckOffsets(h, buf.size());
  if (buf.size() + kEthernetHeaderSize > kBufferSize) return;
  CheckRoundTrip(buf, h);
  CheckRewrites(buf, h);
}

}  // namespace
}  // namespace minivpc::dp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace minivpc::dp;
  std::span<const uint8_t> input(data, size);
  PacketHeaders h;
  const ParseStatus s = ParseEthernetFrame(input, &h);
  g_counters.Count(s);
  FUZZ_CHECK(ParseStatusName(s) != nullptr);
  if (s == ParseStatus::kOk) Exercise(input, h);
  if (s != ParseStatus::kTruncatedEthernet && s != ParseStatus::kNotIp) {
    PacketHeaders ip;
    const ParseStatus s2 = ParseIpPacket(input.subspan(h.l3_offset), &ip);
    if (s != ParseStatus::kBadIpVersion) FUZZ_CHECK(s2 == s);
    if (s == ParseStatus::kOk) FUZZ_CHECK(ip.l4_offset + h.l3_offset == h.l4_offset);
  }
  if (ParseIpPacket(input, &h) == ParseStatus::kOk) Exercise(input, h);
  return 0;
}
