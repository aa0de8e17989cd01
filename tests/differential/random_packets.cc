#include "differential/random_packets.h"

namespace minivpc::difftest {
namespace {

IpAddress Ip(const char* text) { return IpAddress::Parse(text).value(); }

// Near the topology's route and rule prefixes: inside, on the edges, and
// just outside them.
const std::vector<IpAddress> kAnchorsV4 = {
    Ip("8.8.8.8"),     Ip("8.8.8.0"),    Ip("8.8.8.255"),  Ip("8.8.9.9"),      Ip("8.9.1.1"),
    Ip("9.9.9.9"),     Ip("9.9.10.1"),   Ip("1.1.1.1"),    Ip("203.0.113.7"),  Ip("10.200.0.1"),
    Ip("172.16.0.70"), Ip("172.31.0.5"), Ip("198.19.0.1"), Ip("7.255.255.255")};
const std::vector<IpAddress> kAnchorsV6 = {Ip("2001:db8::1"),        Ip("2001:db8:1::1"),
                                           Ip("2001:db8:2::1"),      Ip("2600:1f00::1"),
                                           Ip("2600:1f00:0:f00::1"), Ip("2a00::1")};
const std::vector<uint8_t> kOtherProtocols = {47, 50, 132};
const std::vector<int> kIcmpTypes = {0, 3, 8, 11, 13, 128, 129};
const std::vector<uint8_t> kTcpFlags = {0x02, 0x02, 0x12, 0x10, 0x11, 0x04};  // SYN, SYN-ACK, ...
const std::vector<int> kCommonPorts = {0, 22, 53, 80, 443, 1024, 8080, 65535};

}  // namespace

std::string DescribeProbe(const Probe& p) {
  const dp::PacketHeaders& h = p.headers;
  std::string out = p.ref_ingress.kind == analysis::RefIngress::kEni
                        ? p.ref_ingress.id
                        : "internet via " + p.ref_ingress.id;
  out += " proto " + std::to_string(h.protocol) + " " + h.src.ToString();
  if (h.protocol == 1 || h.protocol == 58) {
    return out + " -> " + h.dst.ToString() + " icmp " + std::to_string(h.icmp_type) + "/" +
           std::to_string(h.icmp_code);
  }
  return out + ":" + std::to_string(h.src_port) + " -> " + h.dst.ToString() + ":" +
         std::to_string(h.dst_port);
}

PacketGenerator::PacketGenerator(const RegionState& r, const dp::Snapshot& s, std::mt19937_64& rng,
                                 const std::vector<int>& ports, const std::vector<int>& icmp_types)
    : snap_(s), rng_(rng), region_(r), ports_(ports), icmp_types_(icmp_types) {
  for (const auto& [id, eni] : r.enis.rows()) {
    enis_.push_back(&eni);
    if (eni.attachment) attached_.push_back(&eni);
    if (eni.attachment && !eni.ipv6_addresses.empty()) attached_v6_.push_back(&eni);
    for (const auto& p : eni.private_ips) {
      v4_.push_back(p.address);
      if (p.association) publics_.push_back(p.association->public_ip);
    }
    v6_.insert(v6_.end(), eni.ipv6_addresses.begin(), eni.ipv6_addresses.end());
  }
  for (const auto& [id, igw] : r.internet_gateways.rows()) igws_.push_back(id);
  for (const auto& [id, vpc] : r.vpcs.rows()) {
    for (const auto& c : vpc.cidrs) v4_blocks_.push_back(c.cidr);
    for (const auto& c : vpc.ipv6_cidrs) v6_blocks_.push_back(c.cidr);
  }
  for (const auto& [id, subnet] : r.subnets.rows()) {
    v4_blocks_.push_back(subnet.cidr);
    if (subnet.ipv6) v6_blocks_.push_back(subnet.ipv6->cidr);
  }
}

bool PacketGenerator::Next(Probe* out) {
  if (enis_.empty() && igws_.empty()) return false;
  dp::PacketHeaders h;
  bool v6 = !v6_.empty() && Chance(0.35);
  h.family = v6 ? IpFamily::kV6 : IpFamily::kV4;
  h.ttl = 64;
  SetProtocol(v6, h);
  if (Chance(0.05)) {  // a first fragment: it carries the L4 header
    h.more_fragments = true;
    h.fragment_id = static_cast<uint32_t>(rng_() & 0xFFFF);
  }
  bool internet = !igws_.empty() && (enis_.empty() || Chance(0.25));
  if (internet) {
    h.src = Chance(0.1) ? AnyPrivate(v6) : Anchor(v6);
    h.dst = DestinationFromInternet(v6);
    std::string igw = GatewayFor(h.dst);
    if (igw.empty() || Chance(0.2)) igw = Pick(igws_);
    out->ref_ingress = analysis::RefIngress::FromInternet(igw);
    out->fast_ingress = dp::Ingress::FromInternet(snap_.FindIgw(igw));
  } else {
    const auto& attached = v6 && !attached_v6_.empty() ? attached_v6_ : attached_;
    const NetworkInterface& eni = *Pick(!attached.empty() && Chance(0.8) ? attached : enis_);
    out->ref_ingress = analysis::RefIngress::FromEni(eni.id);
    out->fast_ingress = dp::Ingress::FromEni(snap_.FindEni(eni.id));
    std::vector<IpAddress> own;
    if (v6) {
      own = eni.ipv6_addresses;
    } else {
      for (const auto& p : eni.private_ips) own.push_back(p.address);
    }
    h.src = !own.empty() && Chance(0.85) ? Pick(own) : (Chance(0.5) ? AnyPrivate(v6) : Anchor(v6));
    h.dst = DestinationFromEni(v6);
  }
  out->headers = h;
  return true;
}

void PacketGenerator::SetProtocol(bool v6, dp::PacketHeaders& h) {
  double r = Uniform();
  if (r < 0.4) {
    h.protocol = 6;
  } else if (r < 0.6) {
    h.protocol = 17;
  } else if (r < 0.85) {
    h.protocol = v6 ? 58 : 1;
  } else {
    h.protocol = Chance(0.3) ? (v6 ? 1 : 58) : Pick(kOtherProtocols);
  }
  if (h.protocol == 6 || h.protocol == 17) {
    h.src_port = Chance(0.8) ? static_cast<uint16_t>(1024 + rng_() % 64512) : Port();
    h.dst_port = Port();
    if (h.protocol == 6) h.tcp_flags = Pick(kTcpFlags);
  } else if (h.protocol == 1 || h.protocol == 58) {
    int type = !icmp_types_.empty() && Chance(0.5) ? Pick(icmp_types_) : Pick(kIcmpTypes);
    h.icmp_type = static_cast<uint8_t>(type < 0 ? 8 : type);
    h.icmp_code = static_cast<uint8_t>(rng_() % 3);
  }
}

uint16_t PacketGenerator::Port() {
  int port = !ports_.empty() && Chance(0.7) ? Pick(ports_) + Pick(std::vector<int>{0, 0, 1, -1})
                                            : Pick(kCommonPorts);
  return static_cast<uint16_t>(std::clamp(port, 0, 65535));
}

std::string PacketGenerator::GatewayFor(IpAddress dst) const {
  std::string vpc_id;
  for (const auto& [id, eni] : region_.enis.rows()) {
    for (const auto& p : eni.private_ips) {
      if (p.association && p.association->public_ip == dst) vpc_id = eni.vpc_id;
    }
  }
  for (const auto& [id, vpc] : region_.vpcs.rows()) {
    for (const auto& c : vpc.ipv6_cidrs) {
      if (c.cidr.Contains(dst)) vpc_id = id;
    }
  }
  for (const auto& [id, igw] : region_.internet_gateways.rows()) {
    if (!vpc_id.empty() && igw.vpc_id == vpc_id) return id;
  }
  return "";
}

IpAddress PacketGenerator::Anchor(bool v6) { return Pick(v6 ? kAnchorsV6 : kAnchorsV4); }

IpAddress PacketGenerator::InBlock(bool v6) {
  const std::vector<Cidr>& blocks = v6 ? v6_blocks_ : v4_blocks_;
  if (blocks.empty()) return Anchor(v6);
  const Cidr& b = Pick(blocks);
  return b.base().Plus(rng_() % std::min<uint128>(b.Size(), 64));
}

IpAddress PacketGenerator::PublicPoolAddress() {
  return Ip("198.18.0.0").Plus(rng_() % 66);  // the pool is a /26: two past its end
}

IpAddress PacketGenerator::AnyPrivate(bool v6) {
  const std::vector<IpAddress>& addrs = v6 ? v6_ : v4_;
  return addrs.empty() ? InBlock(v6) : Pick(addrs);
}

IpAddress PacketGenerator::DestinationFromEni(bool v6) {
  double r = Uniform();
  if (r < 0.4) return AnyPrivate(v6);
  if (r < 0.5 && !v6)
    return !publics_.empty() && Chance(0.7) ? Pick(publics_) : PublicPoolAddress();
  if (r < 0.65) return InBlock(v6);
  return Anchor(v6);
}

IpAddress PacketGenerator::DestinationFromInternet(bool v6) {
  double r = Uniform();
  if (v6) {
    if (r < 0.6) return AnyPrivate(true);
    return r < 0.8 ? InBlock(true) : Anchor(true);
  }
  if (r < 0.55 && !publics_.empty()) return Pick(publics_);
  if (r < 0.7) return PublicPoolAddress();
  return r < 0.85 ? AnyPrivate(false) : Anchor(false);
}

}  // namespace minivpc::difftest
