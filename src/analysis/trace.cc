#include "analysis/trace.h"

#include <sstream>

#include "common/error_codes.h"
#include "dataplane/pipeline.h"
#include "vpc/lookups.h"

namespace minivpc::analysis {
namespace {

// The emulated internet host a trace from "internet" starts at (TEST-NET-3,
// a documentation range: never a real host).
constexpr const char* kInternetHostV4 = "203.0.113.10";
constexpr const char* kInternetHostV6 = "2001:db8::10";

std::string OutcomeText(const PathSegment& s) {
  if (s.verdict.delivered()) return "delivered to " + s.delivered_to;
  return std::string("dropped: ") + dp::ExplanationCode(s.verdict.reason);
}

PathSegment Run(dp::Pipeline& p, const dp::Snapshot& s, const dp::PacketHeaders& h, dp::Ingress in,
                const std::string& from) {
  PathSegment seg;
  seg.from = from;
  seg.headers = h;
  seg.verdict = p.Process(s, h, in, /*now_s=*/1, &seg.explanation);
  if (seg.verdict.outcome == dp::Outcome::kDeliveredToEni) {
    seg.delivered_to = s.enis[seg.verdict.eni].id;
  } else if (seg.verdict.outcome == dp::Outcome::kDeliveredToInternet) {
    seg.delivered_to = "internet";
  }
  return seg;
}

// The internet gateway a packet from the internet to `dst` enters by.
int32_t GatewayFor(const dp::Snapshot& s, IpAddress dst) {
  int32_t vpc = -1;
  if (dst.is_v4()) {
    if (const dp::NatEntry* n = s.NatByPublic(dst)) vpc = n->vpc;
  } else {
    vpc = s.VpcByIpv6(dst);
  }
  if (vpc >= 0 && s.vpcs[vpc].igw >= 0) return s.vpcs[vpc].igw;
  return s.igws.empty() ? -1 : 0;
}

}  // namespace

int ParseProtocol(const std::string& text) {
  if (text == "tcp" || text == "TCP" || text == "6") return 6;
  if (text == "udp" || text == "UDP" || text == "17") return 17;
  if (text == "icmp" || text == "ICMP" || text == "1") return 1;
  if (text == "icmpv6" || text == "58") return 58;
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0 || v > 255) return -1;
  return static_cast<int>(v);
}

StatusOr<TraceResult> Trace(const RegionState& region, const TraceRequest& req) {
  auto snap = dp::Snapshot::Compile(region, region.version);
  return Trace(region, *snap, req);
}

StatusOr<TraceResult> Trace(const RegionState& region, const dp::Snapshot& s,
                            const TraceRequest& req) {
  MINIVPC_ASSIGN_OR_RETURN(IpAddress dst, IpAddress::Parse(req.destination));
  int proto = ParseProtocol(req.protocol);
  if (proto < 0) {
    return Status(err::kInvalidParameterValue, "unknown protocol '" + req.protocol + "'");
  }
  dp::PacketHeaders h;
  h.family = dst.family();
  h.dst = dst;
  h.protocol = static_cast<uint8_t>(proto);
  if (proto == 1 || proto == 58) {
    h.icmp_type = static_cast<uint8_t>(req.port ? req.port : (proto == 1 ? 8 : 128));
    h.icmp_code = static_cast<uint8_t>(req.icmp_code);
  } else {
    h.src_port = static_cast<uint16_t>(req.source_port);
    h.dst_port = static_cast<uint16_t>(req.port);
  }

  dp::Ingress in;
  std::string from = req.source;
  if (req.source == "internet") {
    in = dp::Ingress::FromInternet(GatewayFor(s, dst));
    h.src = IpAddress::Parse(dst.is_v4() ? kInternetHostV4 : kInternetHostV6).value();
  } else {
    std::string eni_id = req.source;
    if (req.source.rfind("i-", 0) == 0) {
      MINIVPC_ASSIGN_OR_RETURN(const Instance* inst,
                               Lookup(region.instances, kInstanceKind, req.source));
      eni_id = inst->primary_eni_id;
    }
    MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* eni, Lookup(region.enis, kEniKind, eni_id));
    from = eni->id;
    in = dp::Ingress::FromEni(s.FindEni(eni->id));
    if (dst.is_v4()) {
      h.src = eni->primary_ip().address;
    } else if (!eni->ipv6_addresses.empty()) {
      h.src = eni->ipv6_addresses.front();
    } else {
      return Status(err::kInvalidParameterValue,
                    "the source " + eni->id + " has no IPv6 address to send from");
    }
  }
  if (!req.source_ip.empty()) {
    MINIVPC_ASSIGN_OR_RETURN(h.src, IpAddress::Parse(req.source_ip));
    if (h.src.family() != h.dst.family()) {
      return Status(err::kInvalidParameterValue, "source and destination families differ");
    }
  }

  dp::Conntrack ct(dp::Conntrack::Options{.max_entries = 64});
  dp::Pipeline pipeline(&ct);
  TraceResult out;
  for (int i = 0; i < kMaxSegments; ++i) {
    out.forward.push_back(Run(pipeline, s, h, in, from));
    const dp::Verdict& v = out.forward.back().verdict;
    if (!(v.outcome == dp::Outcome::kDeliveredToEni && v.forwarded)) break;
    // An appliance forwards the packet on, unchanged, from its interface.
    h.src = v.src;
    h.dst = v.dst;
    in = dp::Ingress::FromEni(v.eni);
    from = s.enis[v.eni].id;
  }
  const PathSegment& last = out.forward.back();
  if (!last.verdict.delivered() || last.verdict.forwarded) return out;

  // The reply, from where the request arrived, back to where it came from.
  dp::PacketHeaders r = h;
  r.src = last.verdict.dst;
  r.dst = last.verdict.src;
  std::swap(r.src_port, r.dst_port);
  if (proto == 1 && h.icmp_type == 8) r.icmp_type = 0;
  if (proto == 58 && h.icmp_type == 128) r.icmp_type = 129;
  if (last.verdict.outcome == dp::Outcome::kDeliveredToInternet) {
    out.reverse.push_back(
        Run(pipeline, s, r, dp::Ingress::FromInternet(last.verdict.igw), "internet"));
  } else {
    out.reverse.push_back(
        Run(pipeline, s, r, dp::Ingress::FromEni(last.verdict.eni), last.delivered_to));
  }
  return out;
}

nlohmann::json TraceToJson(const TraceResult& t) {
  auto segments = [](const std::vector<PathSegment>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : list) {
      nlohmann::json hops = nlohmann::json::array();
      for (const auto& h : s.explanation.hops) {
        hops.push_back({{"component", h.component},
                        {"id", h.id},
                        {"direction", h.direction},
                        {"detail", h.detail},
                        {"rule", h.rule_id},
                        {"allowed", h.allowed}});
      }
      nlohmann::json seg{{"from", s.from},
                         {"protocol", s.headers.protocol},
                         {"source", s.explanation.src_before},
                         {"destination", s.explanation.dst_before},
                         {"source_after", s.explanation.src_after},
                         {"destination_after", s.explanation.dst_after},
                         {"delivered", s.verdict.delivered()},
                         {"delivered_to", s.delivered_to},
                         {"hops", hops}};
      if (s.headers.protocol == 6 || s.headers.protocol == 17) {
        seg["source_port"] = s.headers.src_port;
        seg["destination_port"] = s.headers.dst_port;
      }
      if (!s.verdict.delivered()) {
        seg["explanation_code"] = dp::ExplanationCode(s.verdict.reason);
      }
      out.push_back(std::move(seg));
    }
    return out;
  };
  return {{"forward", segments(t.forward)},
          {"return", segments(t.reverse)},
          {"reachable", t.forward_delivered() && t.reverse_delivered()}};
}

std::string TraceToText(const TraceResult& t) {
  std::ostringstream os;
  auto print = [&](const char* title, const std::vector<PathSegment>& list) {
    for (const auto& s : list) {
      os << title << ": " << s.from << "  " << s.explanation.src_before;
      if (s.headers.protocol == 6 || s.headers.protocol == 17) os << ":" << s.headers.src_port;
      os << " -> " << s.explanation.dst_before;
      if (s.headers.protocol == 6 || s.headers.protocol == 17) os << ":" << s.headers.dst_port;
      os << "  proto " << int(s.headers.protocol) << "\n";
      int n = 1;
      for (const auto& h : s.explanation.hops) {
        os << "  " << n++ << ". " << (h.allowed ? "  " : "X ") << h.component;
        if (!h.id.empty()) os << " " << h.id;
        if (!h.direction.empty()) os << " (" << h.direction << ")";
        os << ": " << h.detail;
        if (!h.rule_id.empty()) os << "  [" << h.rule_id << "]";
        os << "\n";
      }
      if (s.explanation.src_before != s.explanation.src_after ||
          s.explanation.dst_before != s.explanation.dst_after) {
        os << "  NAT: " << s.explanation.src_before << " -> " << s.explanation.dst_before
           << "  becomes  " << s.explanation.src_after << " -> " << s.explanation.dst_after << "\n";
      }
      os << "  => " << OutcomeText(s) << "\n";
    }
  };
  print("forward", t.forward);
  if (t.reverse.empty()) {
    os << "return: not traced (the forward path does not arrive)\n";
  } else {
    print("return", t.reverse);
  }
  os << (t.forward_delivered() && t.reverse_delivered() ? "REACHABLE" : "NOT REACHABLE") << "\n";
  return os.str();
}

}  // namespace minivpc::analysis
