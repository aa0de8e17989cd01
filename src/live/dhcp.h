// The DHCPv4 server built into live mode: each ENI's DISCOVER/REQUEST is
// answered with its primary private IPv4, the subnet mask, the router (the
// subnet's .1, the VPC router) and DNS (the VPC's .2), as EC2 does.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dataplane/packet.h"
#include "net/ip.h"

namespace minivpc::live {

struct DhcpLease {
  MacAddress client_mac;
  IpAddress address;  // the ENI's primary private IPv4
  int prefix = 24;    // the subnet's prefix length
  IpAddress router;
  IpAddress dns;
  MacAddress server_mac;
  uint32_t lease_seconds = 3600;
};

// If `frame` (parsed as `h`) is a DHCP DISCOVER or REQUEST from the lease's
// client, the OFFER or ACK frame to send back; nullopt otherwise.
std::optional<std::vector<uint8_t>> DhcpReply(std::span<const uint8_t> frame,
                                              const dp::PacketHeaders& h, const DhcpLease& lease);

}  // namespace minivpc::live
