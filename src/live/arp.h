// ARP, answered by minivpc as AWS's hypervisor does: no broadcast crosses
// ENIs; a request for the subnet's router (.1) gets the router's MAC, a
// request for an address an ENI of the VPC owns gets that ENI's MAC.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "net/ip.h"

namespace minivpc::live {

struct ArpRequest {
  MacAddress sender_mac;
  IpAddress sender_ip;
  IpAddress target_ip;
};

// The IPv4-over-Ethernet ARP request in `frame`, or nullopt (not ARP, not a
// request, truncated).
std::optional<ArpRequest> ParseArpRequest(std::span<const uint8_t> frame);

// The reply telling `req.sender` that `req.target_ip` is at `answer_mac`.
std::vector<uint8_t> BuildArpReply(const ArpRequest& req, MacAddress answer_mac);

}  // namespace minivpc::live
