// Trace: one packet's forward and return path through a region, hop by hop,
// with the rule that decided at each hop. Backs `minivpc trace`, the
// scenario tests and Reachability Analyzer (network insights).
//
//   TraceRequest req{.source = "i-0abc...", .destination = "10.0.2.15",
//                    .protocol = "tcp", .port = 443};
//   StatusOr<TraceResult> t = Trace(region, req);   // cloud lock held (shared)
//
// The forward packet leaves the source (an ENI, an instance's primary ENI,
// or the internet through the internet gateway of the destination's VPC).
// When it reaches an appliance (delivered to an ENI that does not own the
// destination, possible only with source/destination check off) the trace
// continues from that ENI, as the appliance would forward it, up to
// kMaxSegments. When the forward path is delivered, the reply is traced
// back with addresses and ports swapped, so stateful security groups and
// stateless network ACLs show their real effect on return traffic. Trace
// uses its own scratch connection table: it never changes live state.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dataplane/packet.h"
#include "dataplane/snapshot.h"
#include "dataplane/verdict.h"
#include "vpc/region_state.h"

namespace minivpc::analysis {

struct TraceRequest {
  std::string source;            // eni-..., i-..., or "internet"
  std::string source_ip;         // optional: overrides the source address
  std::string destination;       // an IPv4/IPv6 address (private, public or internet)
  std::string protocol = "tcp";  // tcp | udp | icmp | icmpv6 | number
  int port = 0;                  // destination port (tcp/udp) or ICMP type
  int source_port = 49152;       // an ephemeral port, as a client would use
  int icmp_code = 0;
};

struct PathSegment {
  std::string from;           // ENI id or "internet"
  dp::PacketHeaders headers;  // as sent
  dp::Verdict verdict;
  dp::Explanation explanation;
  std::string delivered_to;  // ENI id, "internet", or "" when dropped
};

struct TraceResult {
  std::vector<PathSegment> forward;  // more than one when an appliance forwards
  std::vector<PathSegment> reverse;  // empty when the forward path is dropped
  bool forward_delivered() const { return !forward.empty() && forward.back().verdict.delivered(); }
  bool reverse_delivered() const { return !reverse.empty() && reverse.back().verdict.delivered(); }
};

inline constexpr int kMaxSegments = 4;

// Errors: InvalidParameterValue (bad address/protocol), the NotFound code of
// an unknown source.
StatusOr<TraceResult> Trace(const RegionState& region, const dp::Snapshot& snapshot,
                            const TraceRequest& request);
StatusOr<TraceResult> Trace(const RegionState& region, const TraceRequest& request);

nlohmann::json TraceToJson(const TraceResult& t);
std::string TraceToText(const TraceResult& t);

// Protocol text -> IP protocol number; -1 if unknown.
int ParseProtocol(const std::string& text);

}  // namespace minivpc::analysis
