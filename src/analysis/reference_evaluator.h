// Reference evaluator: what AWS's VPC does with one packet, computed
// directly from the control-plane rows, as an independent second opinion on
// the data plane (dp::Pipeline).
//
//   RefResult r = Evaluate(region, headers, RefIngress::FromEni("eni-0abc..."));
//   if (r.outcome == dp::Outcome::kDeliveredToEni) ... r.eni_id, r.src, r.dst ...
//
// It is written from AWS's documented rules, not from the pipeline's code,
// and favours obviousness over speed: every lookup is a linear scan of the
// region's tables, nothing is compiled or cached. Every packet is treated as
// the first of a new flow (no connection tracking), and fragments are not
// modelled (the packet's ports are taken as they are).
//
// Packet sent by ENI A, in order:
//   1. A attached to a running instance, else kEniNotActive;
//   2. A's source/destination check against A's private IPv4s and IPv6s;
//   3. A's security groups, outbound, remote = the destination;
//   4. A's subnet's route table (explicit, else the VPC's main one), longest
//      prefix of the packet's family: none -> kNoRoute; "local" -> the ENI of
//      the VPC owning the destination (none -> kNoDestination); an internet
//      gateway attached to this VPC -> the internet; an ENI of this VPC (the
//      route's instance's, if it names one) -> that ENI; anything else ->
//      kBlackholeRoute;
//   5. to an ENI B: if the subnets differ, A's subnet's NACL outbound
//      (matching the destination) and B's subnet's NACL inbound (matching the
//      source); then B active, B's source/destination check on the
//      destination, B's security groups inbound (remote = the source);
//   6. to the internet: A's subnet's NACL outbound, then IPv4 sources are
//      translated to the public IPv4 mapped to (VPC, source), else
//      kNoPublicIp. IPv6 is not translated.
// Packet entering by internet gateway G: IPv4 destinations are translated
// from a public IPv4 to its private one (kNoNatMapping when none, and G must
// be attached to that ENI's VPC: kGatewayNotAttached); IPv6 destinations
// pick the VPC whose /56 holds them and the ENI owning them (kNoDestination).
// Then the ENI's subnet's NACL inbound and step 5's checks at the ENI.
//
// Security-group references match the private IPv4s of every ENI that is in
// the referenced group. Evaluate reads `region` only; the caller holds the
// cloud lock (shared). It never throws and allocates only for the result.
#pragma once

#include <string>

#include "dataplane/packet.h"
#include "dataplane/verdict.h"
#include "net/ip.h"
#include "vpc/region_state.h"

namespace minivpc::analysis {

// Where a packet enters: sent by an ENI, or arriving from the internet
// through an internet gateway.
struct RefIngress {
  enum Kind { kEni, kInternet };
  Kind kind = kEni;
  std::string id;  // eni-... or igw-...
  static RefIngress FromEni(std::string eni_id) { return {kEni, std::move(eni_id)}; }
  static RefIngress FromInternet(std::string igw_id) { return {kInternet, std::move(igw_id)}; }
};

struct RefResult {
  dp::Outcome outcome = dp::Outcome::kDropped;
  dp::DropReason reason = dp::DropReason::kNone;
  std::string eni_id;  // the receiving ENI when outcome is kDeliveredToEni
  IpAddress src;       // after the internet gateway's translation, if any
  IpAddress dst;
  bool delivered() const { return outcome != dp::Outcome::kDropped; }
  // "deliver eni-... src=... dst=...", "internet src=... dst=..." or
  // "drop <ExplanationCode>".
  std::string ToString() const;
};

// An unknown sending ENI is not active (kEniNotActive). A packet entering
// by an unknown gateway is treated as entering by a detached one
// (kGatewayNotAttached once its destination is found).
RefResult Evaluate(const RegionState& region, const dp::PacketHeaders& headers,
                   const RefIngress& ingress);

}  // namespace minivpc::analysis
