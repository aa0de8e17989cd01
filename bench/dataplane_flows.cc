#include <algorithm>
#include <unordered_set>

#include "bench_rng.h"
#include "dataplane_world.h"

namespace minivpc::bench {
namespace {

constexpr int kWeights[] = {62, 5, 8, 7, 10, 8};  // percent of flows, FlowKind order

int Role(int eni) { return eni % kRoles; }

}  // namespace

const char* FlowKindName(FlowKind k) {
  static const char* kNames[] = {"service", "same-subnet", "icmp-echo",
                                 "dns",     "random-tcp",  "external"};
  return kNames[static_cast<int>(k)];
}

namespace {

// A flow as connection tracking sees it, in either direction: the two
// (address, port) endpoints in order, and the protocol. ICMP echo uses the
// query type as both ports, as the pipeline does.
struct FlowId {
  uint64_t low, high;
  uint8_t proto;
  bool operator==(const FlowId&) const = default;
};
struct FlowIdHash {
  size_t operator()(const FlowId& f) const {
    return std::hash<uint64_t>{}((f.low * 0x9E3779B97F4A7C15ull) ^ f.high ^
                                 uint64_t{f.proto} << 56);
  }
};

FlowId IdOf(const dp::PacketHeaders& h) {
  bool icmp = h.protocol == dp::kIpProtoIcmp;
  uint64_t a = uint64_t{h.src.v4()} << 16 | (icmp ? 8 : h.src_port);
  uint64_t b = uint64_t{h.dst.v4()} << 16 | (icmp ? 8 : h.dst_port);
  return {std::min(a, b), std::max(a, b), h.protocol};
}

dp::PacketHeaders Headers(IpAddress src, IpAddress dst, uint8_t proto, uint16_t sport,
                          uint16_t dport) {
  dp::PacketHeaders h;
  h.ethertype = dp::kEtherTypeIpv4;
  h.family = IpFamily::kV4;
  h.src = src;
  h.dst = dst;
  h.protocol = proto;
  h.ttl = 64;
  h.l3_offset = dp::kEthernetHeaderSize;
  h.l4_offset = h.l3_offset + dp::kIpv4MinHeaderSize;
  if (proto == dp::kIpProtoIcmp) {
    h.icmp_type = 8;
    h.payload_offset = h.l4_offset + dp::kIcmpHeaderSize;
  } else {
    h.src_port = sport;
    h.dst_port = dport;
    h.tcp_flags = proto == dp::kIpProtoTcp ? 0x02 : 0;  // SYN
    h.payload_offset =
        h.l4_offset + (proto == dp::kIpProtoTcp ? dp::kTcpMinHeaderSize : dp::kUdpHeaderSize);
  }
  h.ip_total_length = static_cast<uint32_t>(h.payload_offset - h.l3_offset + 32);
  return h;
}

FlowKind PickKind(Rng& rng) {
  int x = rng.Range(0, 99);
  for (int k = 0; k < static_cast<int>(FlowKind::kCount); ++k) {
    if ((x -= kWeights[k]) < 0) return static_cast<FlowKind>(k);
  }
  return FlowKind::kService;
}

BenchPacket MakeFlow(const WorldSummary& w, Rng& rng, FlowKind k) {
  int a = static_cast<int>(rng.Below(kEnis));
  int b = static_cast<int>(rng.Below(kEnis));
  int next_role = (Role(a) + 1) % kRoles;
  uint16_t ephemeral = static_cast<uint16_t>(rng.Range(32768, 60999));
  IpAddress src = EniAddress(a);
  switch (k) {
    case FlowKind::kService:
      b = static_cast<int>(rng.Below(kEnis / kRoles)) * kRoles + next_role;
      return {Headers(src, EniAddress(b), dp::kIpProtoTcp, ephemeral, 8000 + next_role), a};
    case FlowKind::kSameSubnet:
      b = a / kEnisPerSubnet * kEnisPerSubnet + static_cast<int>(rng.Below(10)) * 10 + next_role;
      return {Headers(src, EniAddress(b), dp::kIpProtoTcp, ephemeral, 8000 + next_role), a};
    case FlowKind::kIcmpEcho:
      return {Headers(src, EniAddress(b), dp::kIpProtoIcmp, 0, 0), a};
    case FlowKind::kDns:
      return {Headers(src, EniAddress(b), dp::kIpProtoUdp, ephemeral, 53), a};
    case FlowKind::kRandomTcp:
      return {Headers(src, EniAddress(b), dp::kIpProtoTcp, ephemeral,
                      static_cast<uint16_t>(rng.Range(1, 65535))),
              a};
    default: {
      const Cidr& c = w.external_routes[rng.Below(w.external_routes.size())];
      IpAddress dst = c.base().Plus(rng.Below(static_cast<uint64_t>(c.Size())));
      return {Headers(src, dst, dp::kIpProtoTcp, ephemeral, 443), a};
    }
  }
}

}  // namespace

std::vector<BenchPacket> MakeFlows(const WorldSummary& w, size_t n, uint64_t seed,
                                   const std::vector<BenchPacket>* exclude,
                                   std::vector<FlowKind>* kinds) {
  Rng rng(seed);
  std::unordered_set<FlowId, FlowIdHash> seen;
  if (exclude) {
    for (const auto& p : *exclude) seen.insert(IdOf(p.h));
  }
  std::vector<BenchPacket> out;
  out.reserve(n);
  while (out.size() < n) {
    FlowKind k = PickKind(rng);
    BenchPacket p = MakeFlow(w, rng, k);
    if (p.h.src == p.h.dst || !seen.insert(IdOf(p.h)).second) continue;
    out.push_back(p);
    if (kinds) kinds->push_back(k);
  }
  return out;
}

BenchPacket Reply(const BenchPacket& p, int32_t to_eni) {
  BenchPacket r = p;
  r.from_eni = to_eni;
  std::swap(r.h.src, r.h.dst);
  std::swap(r.h.src_port, r.h.dst_port);
  if (p.h.protocol == dp::kIpProtoIcmp) r.h.icmp_type = 0;    // echo reply
  if (p.h.protocol == dp::kIpProtoTcp) r.h.tcp_flags = 0x12;  // SYN+ACK
  return r;
}

}  // namespace minivpc::bench
