// Reachability Analyzer (network insights): paths and their analyses.
//
//   InsightsPathArgs a;
//   a.source = "i-0aaa...";  a.destination = "i-0bbb...";
//   a.protocol = "tcp";      a.destination_port = 22;
//   MINIVPC_ASSIGN_OR_RETURN(std::string nip, CreateInsightsPath(region, a));
//   MINIVPC_ASSIGN_OR_RETURN(std::string nia, StartInsightsAnalysis(region, {.path_id = nip}));
//   const NetworkInsightsAnalysis* done = region.insights_analyses.Find(nia);
//   // done->path_found, done->findings["ForwardPathComponents"], ...
//
// A path names a source (instance, network interface or internet gateway)
// and a destination (the same kinds, or just an IP address), a protocol
// (tcp|udp) and optionally addresses and ports. An analysis runs at once:
// the path becomes one or more packets traced through the region
// (trace.h), and the first packet that gets there and back is the answer.
//
// How a path becomes a packet:
//   - an instance is its primary network interface, an interface sends from
//     its primary private IPv4 (or SourceIp / FilterAtSource.SourceAddress);
//   - from an internet gateway, the packet comes from an internet host
//     (203.0.113.10, or SourceIp) to the destination's public IPv4 (its
//     private one when it has none: the gateway then has nothing to
//     translate and drops it);
//   - to an internet gateway, the packet goes to 198.51.100.1 (TEST-NET-2)
//     unless DestinationIp names the internet host.
// Ports. AWS reasons about every port at once; here the destination port
// is DestinationPort, or searched over FilterAtSource/FilterAtDestination
// DestinationPortRange (default 0-65535), and the source port over
// SourcePortRange (default the ephemeral 1024-65535, 49152 first). Every
// security group rule and network ACL entry for the protocol cuts the port
// line into intervals inside which all of them decide alike, so tracing one
// port per interval (its first port, in ascending order) is exact and
// deterministic. When no port works, the failure that got furthest is
// reported (ties: the lowest port).
//
// Not thread safe: callers hold the region's lock (shared suffices for
// AnalyzePath). On error the operations may have mutated tables; the caller
// rolls the journal back.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/ip.h"
#include "vpc/lookups.h"
#include "vpc/region_state.h"

namespace minivpc::analysis {

// AWS answers InvalidNetworkInsightsPathId.NotFound (and the analysis
// equivalent) for malformed ids too.
inline constexpr IdKind kInsightsPathKind{"nip", "network insights path",
                                          err::kInvalidNetworkInsightsPathIdNotFound,
                                          err::kInvalidNetworkInsightsPathIdNotFound};
inline constexpr IdKind kInsightsAnalysisKind{"nia", "network insights analysis",
                                              err::kInvalidNetworkInsightsAnalysisIdNotFound,
                                              err::kInvalidNetworkInsightsAnalysisIdNotFound};

// The internet host a path to an internet gateway is analysed towards.
inline constexpr const char* kInternetDestination = "198.51.100.1";

struct InsightsPathArgs {
  std::string source;       // id or ARN of an instance, ENI or internet gateway
  std::string destination;  // the same kinds, or "" with a destination address
  std::optional<IpAddress> source_ip;
  std::optional<IpAddress> destination_ip;
  std::string protocol;  // "tcp" | "udp", any case
  std::optional<int> destination_port;
  std::optional<PathFilter> filter_at_source;
  std::optional<PathFilter> filter_at_destination;
  Tags tags;
};

// Validates and stores a path; returns its id (nip-...). Errors:
// MissingParameter (no destination and no destination address),
// InvalidParameterValue (protocol, unsupported resource type, IPv6 or
// mismatched ARN, both ends internet gateways, source == destination, port
// range), InvalidParameterCombination (SourceIp or DestinationPort with
// FilterAtSource, DestinationIp with FilterAtDestination), and the
// Malformed/NotFound code of an unknown instance, ENI or gateway.
StatusOr<std::string> CreateInsightsPath(RegionState& r, const InsightsPathArgs& args);

// Errors: InvalidNetworkInsightsPathId.NotFound; DependencyViolation while
// analyses of the path exist (AWS requires deleting them first).
Status DeleteInsightsPath(RegionState& r, const std::string& path_id);

struct AnalysisArgs {
  std::string path_id;
  std::vector<std::string> filter_in_arns;   // the path must traverse all of these
  std::vector<std::string> filter_out_arns;  // ... and none of these
  std::vector<std::string> additional_accounts;
  Tags tags;
};

// Runs the analysis and stores it (status "succeeded", or "failed" with a
// StatusMessage when a resource of the path no longer exists); returns its
// id (nia-...). Errors: InvalidNetworkInsightsPathId.NotFound,
// InvalidParameterValue for a filter that is not an ARN.
StatusOr<std::string> StartInsightsAnalysis(RegionState& r, const AnalysisArgs& args);

// Errors: InvalidNetworkInsightsAnalysisId.NotFound.
Status DeleteInsightsAnalysis(RegionState& r, const std::string& analysis_id);

// The analysis output members: NetworkPathFound, ForwardPathComponents,
// ReturnPathComponents (present when that direction arrives), Explanations
// (when the path is not found). Errors: the NotFound code of a source or
// destination that no longer exists.
StatusOr<nlohmann::json> AnalyzePath(const RegionState& r, const NetworkInsightsPath& path,
                                     const AnalysisArgs& filters);

}  // namespace minivpc::analysis
