// Internal to the pipeline (pipeline.cc, pipeline_fast_path.cc): the
// per-call working state of one packet. Not for other includes.
#pragma once

#include <string>

#include "dataplane/pipeline.h"

namespace minivpc::dp {

struct Pipeline::Packet {
  // Member by member (an aggregate's value-initialisation zeroes the whole
  // struct, padding included: a measurable share of an established packet).
  Packet(const Snapshot& snap, const PacketHeaders& headers, Ingress ingress, uint32_t now_s,
         Explanation* explanation, const RunHints& hints, Verdict& verdict)
      : s(snap),
        h(headers),
        in(ingress),
        now(now_s),
        why(explanation),
        src(headers.src),
        dst(headers.dst),
        v(verdict),
        src_bucket(hints.src_bucket),
        route_hint(hints.route),
        receiver_hint(hints.receiver),
        dst_bucket_of(hints.bucket_of),
        dst_bucket_hint(hints.receiver_bucket),
        probe(hints.probe) {}
  const Snapshot& s;
  const PacketHeaders& h;
  Ingress in;
  uint32_t now;
  Explanation* why;
  IpAddress src;
  IpAddress dst;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint16_t key = 0;  // destination port, or ICMP type*256+code
  Verdict& v;        // the caller's, filled in place
  // Connection-tracking entries this packet matched or created, so the
  // decision can be remembered for the flow's next packets.
  Conntrack::Entry* src_ct = nullptr;
  bool src_reply = false;
  Conntrack::Entry* dst_ct = nullptr;
  bool dst_reply = false;
  size_t src_bucket;              // Conntrack::Bucket of the sender's flow key, or kNoBucket
  const RouteTarget* route_hint;  // see RunHints
  int32_t receiver_hint;
  int32_t dst_bucket_of;  // see RunHints::bucket_of
  size_t dst_bucket_hint;
  size_t dst_bucket = 0;            // the receiver's, once computed
  const Conntrack::V4Probe* probe;  // see RunHints
  void Hop(const char* component, const std::string& id, const char* dir, std::string detail,
           std::string rule = "", bool allowed = true) {
    if (why) why->hops.push_back({component, id, dir, std::move(detail), std::move(rule), allowed});
  }
};

namespace internal {

inline FlowKey KeyOf(IpAddress src, IpAddress dst, uint16_t sport, uint16_t dport, uint8_t proto,
                     uint8_t egress, uint64_t eni) {
  return {src.value(), dst.value(), sport, dport, proto, static_cast<uint8_t>(src.family()),
          egress,      eni};
}

// What security groups and network ACLs match besides the address and
// protocol: the destination port for TCP and UDP, type*256+code for ICMP.
inline uint16_t L4Key(uint8_t proto, uint16_t dport, uint8_t type, uint8_t code) {
  if (proto == 6 || proto == 17) return dport;
  if (proto == 1 || proto == 58) return static_cast<uint16_t>(type << 8 | code);
  return 0;
}

// The same flow as the sender's key `k`, as the receiving ENI `eni` tracks it.
inline FlowKey AtReceiver(FlowKey k, uint64_t eni) {
  k.egress = 0;
  k.eni = eni;
  return k;
}

}  // namespace internal
}  // namespace minivpc::dp
