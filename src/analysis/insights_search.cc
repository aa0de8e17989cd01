// AnalyzePath: a network insights path resolved to packets, traced, and the
// first packet that arrives (and whose reply returns) rendered in AWS's
// shapes. See insights.h for how a path becomes packets and ports.
#include <algorithm>
#include <set>

#include "analysis/insights.h"
#include "analysis/insights_shapes.h"
#include "analysis/trace.h"

namespace minivpc::analysis {
namespace {

using nlohmann::json;

constexpr PathPortRange kAllPorts{0, 65535};
constexpr PathPortRange kEphemeralPorts{1024, 65535};
constexpr int kPreferredSourcePort = 49152;
// More intervals than this (thousands of port rules) are sampled, not all tried.
constexpr size_t kMaxPortCandidates = 1024;

// One end of a path, resolved.
struct End {
  std::string id;        // i-, eni-, igw- or "" (an address only)
  std::string eni;       // the sending/receiving interface (instances: the primary)
  std::string instance;  // i- when the path names an instance
  std::string vpc;       // of the interface, or the gateway's attachment
  bool igw() const { return id.rfind("igw-", 0) == 0; }
};

StatusOr<End> Resolve(const RegionState& r, const std::string& id) {
  End e;
  e.id = id;
  std::string eni_id = id;
  if (id.empty()) return e;
  if (e.igw()) {
    MINIVPC_ASSIGN_OR_RETURN(const InternetGateway* g, Lookup(r.internet_gateways, kIgwKind, id));
    e.vpc = g->vpc_id;
    return e;
  }
  if (id.rfind("i-", 0) == 0) {
    MINIVPC_ASSIGN_OR_RETURN(const Instance* inst, Lookup(r.instances, kInstanceKind, id));
    e.instance = inst->id;
    eni_id = inst->primary_eni_id;
  }
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInterface* eni, Lookup(r.enis, kEniKind, eni_id));
  e.eni = eni->id;
  e.vpc = eni->vpc_id;
  return e;
}

template <typename T>
std::optional<T> First(std::initializer_list<std::optional<T>> options) {
  for (const auto& o : options) {
    if (o) return o;
  }
  return std::nullopt;
}

std::optional<IpAddress> Address(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto a = IpAddress::Parse(text);
  return a.ok() ? std::optional<IpAddress>(*a) : std::nullopt;
}

// The public IPv4 mapped to the interface (its primary address first).
std::optional<IpAddress> PublicIp(const RegionState& r, const std::string& eni_id) {
  const NetworkInterface* eni = r.enis.Find(eni_id);
  if (!eni) return std::nullopt;
  for (const auto& ip : eni->private_ips) {
    if (ip.association) return ip.association->public_ip;
  }
  return std::nullopt;
}

PathPortRange Intersect(PathPortRange a, const std::optional<PathPortRange>& b) {
  if (b) a = {std::max(a.from, b->from), std::min(a.to, b->to)};
  return a;
}

// The first port of every interval of `range` inside which all security
// group rules and network ACL entries for `protocol` decide alike;
// `preferred` (when inside `range`) stands for its interval and comes first.
std::vector<int> PortCandidates(const RegionState& r, int protocol, PathPortRange range,
                                std::optional<int> preferred) {
  std::set<int> points{range.from};
  auto cut = [&](int b) {
    if (b > range.from && b <= range.to) points.insert(b);
  };
  for (const auto& [id, g] : r.security_groups.rows()) {
    for (const auto& rule : g.rules) {
      if (ParseProtocol(rule.ip_protocol) != protocol || rule.from_port < 0) continue;
      cut(rule.from_port);
      cut(rule.to_port + 1);
    }
  }
  for (const auto& [id, acl] : r.network_acls.rows()) {
    for (const auto& e : acl.entries) {
      if (ParseProtocol(e.protocol) != protocol || !e.port_from) continue;
      cut(*e.port_from);
      cut(e.port_to.value_or(*e.port_from) + 1);
    }
  }
  std::vector<int> out(points.begin(), points.end());
  if (preferred && *preferred >= range.from && *preferred <= range.to) {
    auto it = std::upper_bound(out.begin(), out.end(), *preferred);
    out.erase(std::prev(it));
    out.insert(out.begin(), *preferred);
  }
  if (out.size() > kMaxPortCandidates) out.resize(kMaxPortCandidates);
  return out;
}

json Explanation(const RegionState& r, const char* code, const std::string& component) {
  json e{{"ExplanationCode", code}};
  if (!component.empty()) e["Component"] = ComponentRef(r, component);
  return e;
}

// The gateway at one end is not attached to the VPC of the other end.
json GatewayNotAttached(const RegionState& r, const std::string& igw, const std::string& vpc) {
  json e = Explanation(r, dp::ExplanationCode(dp::DropReason::kGatewayNotAttached), igw);
  e["InternetGateway"] = ComponentRef(r, igw);
  if (!vpc.empty()) e["Vpc"] = ComponentRef(r, vpc);
  return json{{"NetworkPathFound", false}, {"Explanations", json::array({e})}};
}

// Everything one analysis needs, and the best answer so far.
class Search {
 public:
  Search(const RegionState& r, const AnalysisArgs& f, End src, End dst)
      : r_(r),
        filters_(f),
        src_(std::move(src)),
        dst_(std::move(dst)),
        snap_(dp::Snapshot::Compile(r, r.version)) {}

  StatusOr<json> Run(TraceRequest req, const std::vector<int>& dports,
                     const std::vector<int>& sports) {
    std::optional<int> forward_port;
    for (int d : dports) {
      req.port = d;
      req.source_port = sports.front();
      MINIVPC_ASSIGN_OR_RETURN(bool found, Try(req));
      if (found) return best_;
      if (!forward_port && ForwardArrives(last_)) forward_port = d;
    }
    // The request gets there but the reply does not: other source ports
    // meet other network ACL entries on the way back.
    for (size_t i = 1; forward_port && i < sports.size(); ++i) {
      req.port = *forward_port;
      req.source_port = sports[i];
      MINIVPC_ASSIGN_OR_RETURN(bool found, Try(req));
      if (found) return best_;
    }
    return best_;
  }

 private:
  // Traces one packet; keeps its rendering if it beats the best so far.
  // Returns whether the path is found with it.
  StatusOr<bool> Try(const TraceRequest& req) {
    MINIVPC_ASSIGN_OR_RETURN(last_, Trace(r_, *snap_, req));
    if (src_.igw() && !last_.forward.front().verdict.delivered()) {
      // The packet enters by the path's gateway, whatever the trace picked.
      for (auto& h : last_.forward.front().explanation.hops) {
        if (h.component == "internet-gateway") h.id = src_.id;
      }
    }
    json out = Render();
    int score = Score(last_);
    if (out["NetworkPathFound"].get<bool>() || best_.is_null() || score > best_score_) {
      best_ = std::move(out);
      best_score_ = score;
    }
    return best_["NetworkPathFound"].get<bool>();
  }

  // Whether the forward packet reached the path's destination (not just
  // somewhere).
  bool ForwardArrives(const TraceResult& t) const {
    if (!t.forward_delivered() || t.forward.back().verdict.forwarded) return false;
    const dp::Verdict& v = t.forward.back().verdict;
    if (src_.igw()) {
      int32_t igw = t.forward.front().verdict.igw;
      if (igw < 0 || snap_->igws[igw].id != src_.id) return false;
    }
    if (dst_.igw()) {
      return v.outcome == dp::Outcome::kDeliveredToInternet && snap_->igws[v.igw].id == dst_.id;
    }
    return dst_.eni.empty() || t.forward.back().delivered_to == dst_.eni;
  }

  static int Score(const TraceResult& t) {
    int n = 0;
    for (const auto* list : {&t.forward, &t.reverse}) {
      for (const auto& seg : *list) {
        for (const auto& h : seg.explanation.hops) n += h.allowed ? 1 : 0;
      }
    }
    return n;
  }

  json Render() const {
    json out{{"NetworkPathFound", false}};
    if (!last_.forward_delivered()) {
      out["Explanations"] = Explanations(r_, *snap_, last_.forward.back());
      return out;
    }
    if (!ForwardArrives(last_)) {
      if (src_.igw()) return GatewayNotAttached(r_, src_.id, dst_.vpc);
      json e = Explanation(r_, dp::ExplanationCode(dp::DropReason::kNoDestination), dst_.id);
      e["Address"] = last_.forward.front().headers.dst.ToString();
      out["Explanations"] = json::array({e});
      return out;
    }
    out["ForwardPathComponents"] =
        PathComponents(r_, last_.forward, {src_.instance, dst_.instance});
    if (!last_.reverse_delivered()) {
      out["Explanations"] = Explanations(r_, *snap_, last_.reverse.back());
      return out;
    }
    out["ReturnPathComponents"] = PathComponents(r_, last_.reverse, {dst_.instance, src_.instance});
    if (json e = FilterExplanation(out["ForwardPathComponents"]); !e.is_null()) {
      out["Explanations"] = json::array({e});
      return out;
    }
    out["NetworkPathFound"] = true;
    return out;
  }

  // COMPONENT_FILTER_RESTRICTION when the path misses a FilterInArns
  // resource or crosses a FilterOutArns one; null when it passes.
  json FilterExplanation(const json& components) const {
    std::set<std::string> arns;
    for (const auto& c : components) {
      for (const char* m : {"Component", "Subnet", "Vpc"}) {
        if (c.contains(m)) arns.insert(c[m].value("Arn", ""));
      }
    }
    auto restricted = [&](const std::string& arn) {
      json e{{"ExplanationCode", "COMPONENT_FILTER_RESTRICTION"}};
      e["Component"] = {{"Id", arn.substr(arn.rfind('/') + 1)}, {"Arn", arn}};
      return e;
    };
    for (const auto& arn : filters_.filter_in_arns) {
      if (!arns.count(arn)) return restricted(arn);
    }
    for (const auto& arn : filters_.filter_out_arns) {
      if (arns.count(arn)) return restricted(arn);
    }
    return nullptr;
  }

  const RegionState& r_;
  const AnalysisArgs& filters_;
  End src_, dst_;
  std::shared_ptr<const dp::Snapshot> snap_;
  TraceResult last_;
  json best_;
  int best_score_ = -1;
};

}  // namespace

StatusOr<json> AnalyzePath(const RegionState& r, const NetworkInsightsPath& p,
                           const AnalysisArgs& filters) {
  MINIVPC_ASSIGN_OR_RETURN(End src, Resolve(r, p.source));
  MINIVPC_ASSIGN_OR_RETURN(End dst, Resolve(r, p.destination));
  const PathFilter at_src = p.filter_at_source.value_or(PathFilter{});
  const PathFilter at_dst = p.filter_at_destination.value_or(PathFilter{});
  if (src.igw() && !dst.eni.empty() && src.vpc != dst.vpc) {
    return GatewayNotAttached(r, src.id, dst.vpc);
  }
  if (dst.igw() && src.vpc != dst.vpc) return GatewayNotAttached(r, dst.id, src.vpc);

  TraceRequest req;
  req.source = src.igw() ? "internet" : src.eni;
  req.protocol = p.protocol;
  // From the internet the source is not translated, so the address at the
  // destination is the address at the source.
  std::optional<IpAddress> src_ip =
      First<IpAddress>({Address(p.source_ip), at_src.source_address,
                        src.igw() ? at_dst.source_address : std::nullopt});
  if (src_ip) req.source_ip = src_ip->ToString();
  std::optional<IpAddress> dst_ip = First<IpAddress>(
      {Address(p.destination_ip), at_src.destination_address, at_dst.destination_address});
  if (!dst_ip && dst.igw()) dst_ip = IpAddress::Parse(kInternetDestination).value();
  if (!dst_ip && src.igw()) dst_ip = PublicIp(r, dst.eni);
  if (!dst_ip) {
    const NetworkInterface* eni = r.enis.Find(dst.eni);
    if (!eni) return Status(err::kInvalidParameterValue, "the path has no destination address");
    dst_ip = eni->primary_ip().address;
  }
  req.destination = dst_ip->ToString();

  const int protocol = ParseProtocol(p.protocol);
  std::vector<int> dports{p.destination_port};
  if (p.destination_port == 0) {
    PathPortRange range =
        Intersect(Intersect(kAllPorts, at_src.destination_ports), at_dst.destination_ports);
    dports = PortCandidates(r, protocol, range, std::nullopt);
  }
  PathPortRange source_range =
      at_src.source_ports || at_dst.source_ports
          ? Intersect(Intersect(kAllPorts, at_src.source_ports), at_dst.source_ports)
          : kEphemeralPorts;
  std::vector<int> sports = PortCandidates(r, protocol, source_range, kPreferredSourcePort);
  return Search(r, filters, std::move(src), std::move(dst)).Run(req, dports, sports);
}

}  // namespace minivpc::analysis
