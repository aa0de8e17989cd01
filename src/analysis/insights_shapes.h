// Reachability Analyzer output shapes: a traced path (trace.h) rendered as
// EC2's PathComponent and Explanation structures, as JSON keyed by botocore
// member names (ForwardPathComponents, Explanations, ...).
//
//   json forward = PathComponents(region, trace.forward, {"i-0a...", "i-0b..."});
//   json why = Explanations(region, snap, trace.forward.back());
//
// Each hop of a delivered segment becomes one PathComponent, carrying what
// the region says about it: the security group rule, network ACL entry or
// route that admitted the packet (looked up by the hop's rule id), the
// subnet and VPC, and the packet headers where the packet starts, ends, or
// is translated (an internet gateway shows both its inbound and outbound
// header). A dropped segment contributes no components: its last hop is the
// blocking one and is described by Explanations (ExplanationCode from
// dp::ExplanationCode plus the blocking component and rule).
//
// Pure functions of their arguments; the caller holds the region lock.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/trace.h"
#include "dataplane/snapshot.h"
#include "vpc/region_state.h"

namespace minivpc::analysis {

// "arn:aws:ec2:<region>:<account>:<type>/<id>" for an id whose prefix names
// an EC2 resource type (i-, eni-, sg-, acl-, rtb-, igw-, subnet-, vpc-, nip-,
// nia-); "" for any other id.
std::string ResourceArn(const RegionState& r, std::string_view id);

// AnalysisComponent {"Id", "Arn"} of `id`.
nlohmann::json ComponentRef(const RegionState& r, std::string_view id);

// The instances at the two ends of a path, listed before the first and after
// the last network interface ("" when that end is not an instance).
struct SegmentEnds {
  std::string first_instance;
  std::string last_instance;
};

// The PathComponentList of `segments` (a forward or a return path), numbered
// from 1. Stops at the first segment that was not delivered.
nlohmann::json PathComponents(const RegionState& r, const std::vector<PathSegment>& segments,
                              const SegmentEnds& ends);

// The ExplanationList for a dropped segment: one Explanation naming the
// blocking component (security groups of the interface, the network ACL and
// its deciding rule, the route table and route, the internet gateway, ...).
// Precondition: !segment.verdict.delivered().
nlohmann::json Explanations(const RegionState& r, const dp::Snapshot& s,
                            const PathSegment& segment);

}  // namespace minivpc::analysis
