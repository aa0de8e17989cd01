// Reachability Analyzer actions: Create/Describe/DeleteNetworkInsightsPath(s),
// StartNetworkInsightsAnalysis, Describe/DeleteNetworkInsightsAnalys(es|is).
//
// StartNetworkInsightsAnalysis analyses synchronously and stores the result;
// like AWS it answers with the analysis "running" (no findings yet), and
// DescribeNetworkInsightsAnalyses then shows it "succeeded" with its
// findings.
#include <cstdio>
#include <ctime>
#include <set>

#include "analysis/insights.h"
#include "analysis/insights_shapes.h"
#include "ec2api/action.h"
#include "ec2api/handler_util.h"

namespace minivpc::ec2api {
namespace {

using analysis::ResourceArn;

const FilterPaths kPathFilters = {
    {"destination", "Destination"},
    {"destination-ip", "DestinationIp"},
    {"destination-port", "DestinationPort"},
    {"filter-at-destination.destination-address", "FilterAtDestination.DestinationAddress"},
    {"filter-at-destination.source-address", "FilterAtDestination.SourceAddress"},
    {"filter-at-source.destination-address", "FilterAtSource.DestinationAddress"},
    {"filter-at-source.source-address", "FilterAtSource.SourceAddress"},
    {"protocol", "Protocol"},
    {"source", "Source"},
    {"source-ip", "SourceIp"},
};

const FilterPaths kAnalysisFilters = {
    {"path-found", "NetworkPathFound"},
    {"status", "Status"},
};

StatusOr<std::optional<IpAddress>> OptAddress(const json& in, const char* key) {
  std::optional<std::string> text = GetOptString(in, key);
  if (!text) return std::optional<IpAddress>();
  auto a = IpAddress::Parse(*text);
  if (!a.ok()) {
    return Status(err::kInvalidParameterValue,
                  "Value (" + *text + ") for parameter " + key + " is invalid.");
  }
  return std::optional<IpAddress>(*a);
}

// A RequestFilterPortRange; one bound alone names a single port.
std::optional<PathPortRange> OptPorts(const json& in, const char* key) {
  if (!in.contains(key) || !in[key].is_object()) return std::nullopt;
  std::optional<int64_t> from = GetOptInt(in[key], "FromPort");
  std::optional<int64_t> to = GetOptInt(in[key], "ToPort");
  PathPortRange p;
  p.from = static_cast<int>(from.value_or(to.value_or(0)));
  p.to = static_cast<int>(to.value_or(from.value_or(65535)));
  return p;
}

StatusOr<std::optional<PathFilter>> OptFilter(const json& in, const char* key) {
  if (!in.contains(key) || !in[key].is_object()) return std::optional<PathFilter>();
  const json& f = in[key];
  PathFilter out;
  MINIVPC_ASSIGN_OR_RETURN(out.source_address, OptAddress(f, "SourceAddress"));
  MINIVPC_ASSIGN_OR_RETURN(out.destination_address, OptAddress(f, "DestinationAddress"));
  out.source_ports = OptPorts(f, "SourcePortRange");
  out.destination_ports = OptPorts(f, "DestinationPortRange");
  return std::optional<PathFilter>(out);
}

json RenderFilter(const PathFilter& f) {
  json out = json::object();
  auto ports = [](const PathPortRange& p) { return json{{"FromPort", p.from}, {"ToPort", p.to}}; };
  if (f.source_address) out["SourceAddress"] = f.source_address->ToString();
  if (f.source_ports) out["SourcePortRange"] = ports(*f.source_ports);
  if (f.destination_address) out["DestinationAddress"] = f.destination_address->ToString();
  if (f.destination_ports) out["DestinationPortRange"] = ports(*f.destination_ports);
  return out;
}

json RenderPath(const RegionState& r, const NetworkInsightsPath& p) {
  json out{{"NetworkInsightsPathId", p.id},
           {"NetworkInsightsPathArn", ResourceArn(r, p.id)},
           {"CreatedDate", Timestamp(p.created_ms)},
           {"Source", p.source},
           {"SourceArn", ResourceArn(r, p.source)},
           {"Protocol", p.protocol},
           {"Tags", TagsToJson(p.tags)}};
  if (!p.destination.empty()) {
    out["Destination"] = p.destination;
    out["DestinationArn"] = ResourceArn(r, p.destination);
  }
  if (!p.source_ip.empty()) out["SourceIp"] = p.source_ip;
  if (!p.destination_ip.empty()) out["DestinationIp"] = p.destination_ip;
  if (p.destination_port != 0) out["DestinationPort"] = p.destination_port;
  if (p.filter_at_source) out["FilterAtSource"] = RenderFilter(*p.filter_at_source);
  if (p.filter_at_destination) out["FilterAtDestination"] = RenderFilter(*p.filter_at_destination);
  return out;
}

json RenderAnalysis(const RegionState& r, const NetworkInsightsAnalysis& a) {
  json out{{"NetworkInsightsAnalysisId", a.id},
           {"NetworkInsightsAnalysisArn", ResourceArn(r, a.id)},
           {"NetworkInsightsPathId", a.path_id},
           {"StartDate", Timestamp(a.started_ms)},
           {"Status", a.status},
           {"Tags", TagsToJson(a.tags)}};
  if (a.findings.is_object()) out.update(a.findings);
  if (a.status == "succeeded") out["NetworkPathFound"] = a.path_found;
  return out;
}

StatusOr<json> CreatePathHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "Source", "Source"));
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "Protocol", "Protocol"));
  analysis::InsightsPathArgs a;
  a.source = GetString(c.input, "Source");
  a.destination = GetString(c.input, "Destination");
  a.protocol = GetString(c.input, "Protocol");
  MINIVPC_ASSIGN_OR_RETURN(a.source_ip, OptAddress(c.input, "SourceIp"));
  MINIVPC_ASSIGN_OR_RETURN(a.destination_ip, OptAddress(c.input, "DestinationIp"));
  if (auto port = GetOptInt(c.input, "DestinationPort"))
    a.destination_port = static_cast<int>(*port);
  MINIVPC_ASSIGN_OR_RETURN(a.filter_at_source, OptFilter(c.input, "FilterAtSource"));
  MINIVPC_ASSIGN_OR_RETURN(a.filter_at_destination, OptFilter(c.input, "FilterAtDestination"));
  MINIVPC_ASSIGN_OR_RETURN(a.tags, TagsFromSpecifications(c.input, "network-insights-path"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, analysis::CreateInsightsPath(c.region, a));
  return json{{"NetworkInsightsPath", RenderPath(c.region, *c.region.insights_paths.Find(id))}};
}

StatusOr<json> DeletePathHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInsightsPathId", "NetworkInsightsPathId"));
  std::string id = GetString(c.input, "NetworkInsightsPathId");
  MINIVPC_RETURN_IF_ERROR(analysis::DeleteInsightsPath(c.region, id));
  return json{{"NetworkInsightsPathId", id}};
}

StatusOr<json> DescribePathsHandler(Call& c) {
  static const DescribeSpec spec{&analysis::kInsightsPathKind,
                                 "NetworkInsightsPathIds",
                                 "NetworkInsightsPaths",
                                 &kPathFilters,
                                 1,
                                 100};
  return Describe(c.region.insights_paths, c.input, spec,
                  [&](const NetworkInsightsPath& p) { return RenderPath(c.region, p); });
}

StatusOr<json> StartAnalysisHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(Require(c.input, "NetworkInsightsPathId", "NetworkInsightsPathId"));
  analysis::AnalysisArgs a;
  a.path_id = GetString(c.input, "NetworkInsightsPathId");
  a.filter_in_arns = GetStrings(c.input, "FilterInArns");
  a.filter_out_arns = GetStrings(c.input, "FilterOutArns");
  a.additional_accounts = GetStrings(c.input, "AdditionalAccounts");
  MINIVPC_ASSIGN_OR_RETURN(a.tags, TagsFromSpecifications(c.input, "network-insights-analysis"));
  MINIVPC_ASSIGN_OR_RETURN(std::string id, analysis::StartInsightsAnalysis(c.region, a));
  const NetworkInsightsAnalysis& row = *c.region.insights_analyses.Find(id);
  json out = RenderAnalysis(c.region, row);
  // As AWS answers: the analysis has only just started.
  for (const char* m : {"NetworkPathFound", "ForwardPathComponents", "ReturnPathComponents",
                        "Explanations", "StatusMessage"}) {
    out.erase(m);
  }
  out["Status"] = "running";
  return json{{"NetworkInsightsAnalysis", out}};
}

StatusOr<json> DeleteAnalysisHandler(Call& c) {
  MINIVPC_RETURN_IF_ERROR(
      Require(c.input, "NetworkInsightsAnalysisId", "NetworkInsightsAnalysisId"));
  std::string id = GetString(c.input, "NetworkInsightsAnalysisId");
  MINIVPC_RETURN_IF_ERROR(analysis::DeleteInsightsAnalysis(c.region, id));
  return json{{"NetworkInsightsAnalysisId", id}};
}

// EC2 timestamp text ("2026-01-01T00:00:00Z", optional fraction and
// offset) or epoch seconds -> milliseconds since the epoch.
StatusOr<int64_t> ParseTime(const std::string& text, const char* member) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
    const char* rest = text.c_str() + n;
    if (*rest == '.') {
      int64_t scale = 100;
      for (++rest; *rest >= '0' && *rest <= '9'; ++rest, scale /= 10) ms += (*rest - '0') * scale;
    }
    int oh = 0, om = 0;
    char sign = 0;
    if (std::sscanf(rest, "%c%2d:%2d", &sign, &oh, &om) == 3 && (sign == '+' || sign == '-')) {
      ms -= (sign == '+' ? 1 : -1) * (oh * 3600 + om * 60) * int64_t{1000};
    }
    return ms;
  }
  char* end = nullptr;
  double secs = std::strtod(text.c_str(), &end);
  if (!text.empty() && end && *end == '\0') return static_cast<int64_t>(secs * 1000);
  return Status(err::kInvalidParameterValue,
                "Value (" + text + ") for parameter " + member + " is invalid.");
}

StatusOr<json> DescribeAnalysesHandler(Call& c) {
  static const DescribeSpec spec{&analysis::kInsightsAnalysisKind,
                                 "NetworkInsightsAnalysisIds",
                                 "NetworkInsightsAnalyses",
                                 &kAnalysisFilters,
                                 1,
                                 100};
  const RegionState& r = c.region;
  std::string path_id = GetString(c.input, "NetworkInsightsPathId");
  if (!path_id.empty()) {
    MINIVPC_RETURN_IF_ERROR(
        Lookup(r.insights_paths, analysis::kInsightsPathKind, path_id).status());
  }
  int64_t from = INT64_MIN, to = INT64_MAX;
  if (auto t = GetOptString(c.input, "AnalysisStartTime")) {
    MINIVPC_ASSIGN_OR_RETURN(from, ParseTime(*t, "AnalysisStartTime"));
  }
  if (auto t = GetOptString(c.input, "AnalysisEndTime")) {
    MINIVPC_ASSIGN_OR_RETURN(to, ParseTime(*t, "AnalysisEndTime"));
  }
  // Requested ids must exist; the path and time window then narrow them (or
  // all analyses) as a filter would.
  std::vector<std::string> ids = GetStrings(c.input, "NetworkInsightsAnalysisIds");
  for (const auto& id : ids) {
    if (!r.insights_analyses.Contains(id)) return IdError(analysis::kInsightsAnalysisKind, id);
  }
  std::set<std::string> wanted(ids.begin(), ids.end());
  std::set<std::string> candidates;
  for (const auto& [id, a] : r.insights_analyses.rows()) {
    if (!wanted.empty() && !wanted.count(id)) continue;
    if (!path_id.empty() && a.path_id != path_id) continue;
    if (a.started_ms < from || a.started_ms > to) continue;
    candidates.insert(id);
  }
  json input = c.input;
  input.erase("NetworkInsightsAnalysisIds");
  return Describe(
      r.insights_analyses, input, spec,
      [&](const NetworkInsightsAnalysis& a) { return RenderAnalysis(r, a); }, &candidates);
}

}  // namespace

void RegisterNetworkInsightsActions(ActionTable& t) {
  t["CreateNetworkInsightsPath"] = {Access::kWrite, CreatePathHandler};
  t["DescribeNetworkInsightsPaths"] = {Access::kRead, DescribePathsHandler};
  t["DeleteNetworkInsightsPath"] = {Access::kWrite, DeletePathHandler};
  t["StartNetworkInsightsAnalysis"] = {Access::kWrite, StartAnalysisHandler};
  t["DescribeNetworkInsightsAnalyses"] = {Access::kRead, DescribeAnalysesHandler};
  t["DeleteNetworkInsightsAnalysis"] = {Access::kWrite, DeleteAnalysisHandler};
}

}  // namespace minivpc::ec2api
