// IPv6 neighbor discovery, answered by minivpc as AWS's hypervisor answers
// it: no multicast crosses ENIs. A Neighbor Solicitation for the router
// (its link-local address, fe80:: + EUI-64 of kRouterMac, or the subnet's
// first address) gets the router's MAC; one for an address an ENI of the
// VPC owns in the same subnet gets that ENI's MAC. On the internet link the
// gateway's link-local address gets kGatewayMac. Other ND and MLD messages
// (router solicitations, advertisements, redirects, listener reports) are
// absorbed: instances are configured statically (live_manager.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dataplane/packet.h"
#include "net/ip.h"

namespace minivpc::live {

struct NeighborSolicitation {
  MacAddress sender_mac;  // the frame's source
  IpAddress sender_ip;    // the packet's source (never ::)
  IpAddress target;
};

// fe80::/64 with the modified EUI-64 interface identifier of `mac` (RFC
// 4291 appendix A), as Linux derives link-local addresses.
IpAddress LinkLocalOf(MacAddress mac);

// True for ICMPv6 neighbor discovery (133-137) and multicast listener
// (130-132, 143) messages: the switch answers or absorbs them, they never
// reach the pipeline.
bool IsNeighborDiscovery(const dp::PacketHeaders& h);

// The solicitation in `frame` (parsed as `h`), or nullopt: not a
// well-formed NS (RFC 4861 7.1.1: hop limit 255, code 0, 24+ bytes), or a
// duplicate address detection probe (source ::), which is never answered.
std::optional<NeighborSolicitation> ParseNeighborSolicitation(std::span<const uint8_t> frame,
                                                              const dp::PacketHeaders& h);

// The solicited advertisement telling the sender that `ns.target` is at
// `answer_mac` (flags S and O, and R when `router`), with the target
// link-layer address option.
std::vector<uint8_t> BuildNeighborAdvertisement(const NeighborSolicitation& ns,
                                                MacAddress answer_mac, bool router);

}  // namespace minivpc::live
