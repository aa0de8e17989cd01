#include "live/dhcp.h"

#include "dataplane/packet_builder.h"

namespace minivpc::live {
namespace {

constexpr size_t kBootpFixed = 236;  // op .. file, before the magic cookie
constexpr uint8_t kDiscover = 1, kOffer = 2, kRequest = 3, kAck = 5;

void Put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  v[at] = static_cast<uint8_t>(x >> 24);
  v[at + 1] = static_cast<uint8_t>(x >> 16);
  v[at + 2] = static_cast<uint8_t>(x >> 8);
  v[at + 3] = static_cast<uint8_t>(x);
}

void Option(std::vector<uint8_t>& v, uint8_t code, uint32_t value) {
  v.push_back(code);
  v.push_back(4);
  v.resize(v.size() + 4);
  Put32(v, v.size() - 4, value);
}

}  // namespace

std::optional<std::vector<uint8_t>> DhcpReply(std::span<const uint8_t> frame,
                                              const dp::PacketHeaders& h, const DhcpLease& lease) {
  if (!h.src.is_v4() || h.protocol != 17 || h.dst_port != 67 || h.src_port != 68) {
    return std::nullopt;
  }
  std::span<const uint8_t> msg = frame.subspan(h.payload_offset);
  if (msg.size() < kBootpFixed + 4 || msg[0] != 1) return std::nullopt;  // BOOTREQUEST
  if (msg[236] != 99 || msg[237] != 130 || msg[238] != 83 || msg[239] != 99) return std::nullopt;
  uint8_t type = 0;
  for (size_t i = 240; i < msg.size();) {  // options
    uint8_t code = msg[i];
    if (code == 255) break;
    if (code == 0) {
      ++i;
      continue;
    }
    if (i + 1 >= msg.size() || i + 2 + msg[i + 1] > msg.size()) return std::nullopt;
    if (code == 53 && msg[i + 1] == 1) type = msg[i + 2];
    i += 2u + msg[i + 1];
  }
  if (type != kDiscover && type != kRequest) return std::nullopt;

  std::vector<uint8_t> r(kBootpFixed, 0);
  r[0] = 2;  // BOOTREPLY
  r[1] = 1;
  r[2] = 6;
  for (int i = 4; i < 8; ++i) r[i] = msg[i];  // xid
  r[10] = msg[10];                            // flags (broadcast bit)
  r[11] = msg[11];
  Put32(r, 16, lease.address.v4());             // yiaddr
  Put32(r, 20, lease.router.v4());              // siaddr
  for (int i = 28; i < 44; ++i) r[i] = msg[i];  // chaddr
  r.insert(r.end(), {99, 130, 83, 99});
  r.insert(r.end(), {53, 1, type == kDiscover ? kOffer : kAck});
  Option(r, 54, lease.router.v4());                                           // server id
  Option(r, 51, lease.lease_seconds);                                         // lease time
  Option(r, 1, lease.prefix == 0 ? 0 : ~uint32_t{0} << (32 - lease.prefix));  // mask
  Option(r, 3, lease.router.v4());                                            // router
  Option(r, 6, lease.dns.v4());                                               // DNS
  r.push_back(255);

  dp::PacketHeaders out;
  out.eth_src = lease.server_mac;
  out.eth_dst = lease.client_mac;
  out.ethertype = dp::kEtherTypeIpv4;
  out.family = IpFamily::kV4;
  out.src = lease.router;
  out.dst = IpAddress::V4(0xFFFFFFFFu);
  out.protocol = 17;
  out.ttl = 64;
  out.src_port = 67;
  out.dst_port = 68;
  std::vector<uint8_t> frame_out(r.size() + 64);
  size_t n = dp::BuildFrame(out, r, frame_out);
  if (n == 0) return std::nullopt;
  frame_out.resize(n);
  return frame_out;
}

}  // namespace minivpc::live
