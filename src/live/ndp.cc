#include "live/ndp.h"

#include "dataplane/packet_builder.h"
#include "dataplane/packet_bytes.h"

namespace minivpc::live {
namespace {

using dp::internal::Load128;
using dp::internal::Store128;
using dp::internal::Store48;

constexpr uint8_t kRouterSolicitation = 133;
constexpr uint8_t kRedirect = 137;
constexpr uint8_t kNeighborSolicitation = 135;
constexpr uint8_t kNeighborAdvertisement = 136;
constexpr uint8_t kMldQuery = 130;
constexpr uint8_t kMldDone = 132;
constexpr uint8_t kMldv2Report = 143;

constexpr size_t kNsBody = 20;     // reserved (4) + target (16), after type/code/checksum
constexpr size_t kNaPayload = 28;  // flags (4) + target (16) + target link-layer option (8)

}  // namespace

IpAddress LinkLocalOf(MacAddress mac) {
  const uint64_t m = mac.value();
  const uint64_t oui = (m >> 24) ^ 0x020000;  // flip the universal/local bit
  const uint64_t iid = oui << 40 | uint64_t{0xFFFE} << 24 | (m & 0xFFFFFF);
  return IpAddress::V6(uint128{0xFE80000000000000ull} << 64 | iid);
}

bool IsNeighborDiscovery(const dp::PacketHeaders& h) {
  if (h.family != IpFamily::kV6 || h.protocol != dp::kIpProtoIcmpv6 || !h.has_l4()) return false;
  const uint8_t t = h.icmp_type;
  return (t >= kRouterSolicitation && t <= kRedirect) || (t >= kMldQuery && t <= kMldDone) ||
         t == kMldv2Report;
}

std::optional<NeighborSolicitation> ParseNeighborSolicitation(std::span<const uint8_t> frame,
                                                              const dp::PacketHeaders& h) {
  if (!IsNeighborDiscovery(h) || h.icmp_type != kNeighborSolicitation || h.icmp_code != 0 ||
      h.ttl != 255 || h.src.value() == 0) {
    return std::nullopt;
  }
  if (h.l3_end() < h.payload_offset + kNsBody || frame.size() < h.l3_end()) return std::nullopt;
  NeighborSolicitation ns{h.eth_src, h.src, IpAddress::V6(Load128(&frame[h.payload_offset + 4]))};
  return ns;
}

std::vector<uint8_t> BuildNeighborAdvertisement(const NeighborSolicitation& ns,
                                                MacAddress answer_mac, bool router) {
  dp::PacketHeaders h;
  h.eth_src = answer_mac;
  h.eth_dst = ns.sender_mac;
  h.family = IpFamily::kV6;
  h.src = ns.target;
  h.dst = ns.sender_ip;
  h.protocol = dp::kIpProtoIcmpv6;
  h.ttl = 255;
  h.icmp_type = kNeighborAdvertisement;
  uint8_t payload[kNaPayload] = {};
  payload[0] = static_cast<uint8_t>((router ? 0x80 : 0) | 0x40 | 0x20);  // R, S, O
  Store128(&payload[4], ns.target.value());
  payload[20] = 2;  // target link-layer address
  payload[21] = 1;  // in units of 8 bytes
  Store48(&payload[22], answer_mac.value());
  std::vector<uint8_t> frame(dp::kEthernetHeaderSize + dp::kIpv6HeaderSize + 4 + kNaPayload);
  size_t n = dp::BuildFrame(h, payload, frame);
  frame.resize(n);
  return frame;
}

}  // namespace minivpc::live
