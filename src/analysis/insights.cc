// Network insights paths and analyses: validation and storage. The analysis
// itself (a path traced through the region) is in insights_search.cc.
#include "analysis/insights.h"

#include <algorithm>
#include <cctype>

#include "analysis/insights_shapes.h"
#include "common/error_codes.h"

namespace minivpc::analysis {
namespace {

using nlohmann::json;

Status Invalid(std::string message) {
  return Status(err::kInvalidParameterValue, std::move(message));
}

// The id an ARN of this account and region names ("arn:aws:ec2:<region>:
// <account>:<type>/<id>"), or `text` when it is not an ARN.
StatusOr<std::string> IdOf(const RegionState& r, const std::string& text) {
  if (text.rfind("arn:", 0) != 0) return text;
  size_t slash = text.rfind('/');
  std::string id = slash == std::string::npos ? "" : text.substr(slash + 1);
  if (id.empty() || ResourceArn(r, id) != text) {
    return Invalid("The ARN '" + text +
                   "' does not name a resource of this account and Region that can be a "
                   "source or destination.");
  }
  return id;
}

enum class EndKind { kInstance, kEni, kInternetGateway };

// The kind of a source or destination, after checking it exists.
StatusOr<EndKind> CheckEnd(const RegionState& r, const std::string& id, const char* member) {
  if (id.rfind("i-", 0) == 0) {
    MINIVPC_RETURN_IF_ERROR(Lookup(r.instances, kInstanceKind, id).status());
    return EndKind::kInstance;
  }
  if (id.rfind("eni-", 0) == 0) {
    MINIVPC_RETURN_IF_ERROR(Lookup(r.enis, kEniKind, id).status());
    return EndKind::kEni;
  }
  if (id.rfind("igw-", 0) == 0) {
    MINIVPC_RETURN_IF_ERROR(Lookup(r.internet_gateways, kIgwKind, id).status());
    return EndKind::kInternetGateway;
  }
  return Invalid("The " + std::string(member) + " '" + id +
                 "' is not a supported resource: use an instance, a network interface or an "
                 "internet gateway.");
}

Status CheckIpv4(const std::optional<IpAddress>& a, const char* member) {
  if (a && !a->is_v4()) {
    return Invalid("Value (" + a->ToString() + ") for parameter " + member +
                   " is invalid. Only IPv4 addresses are supported.");
  }
  return Status::Ok();
}

Status CheckRange(const std::optional<PathPortRange>& p, const char* member) {
  if (p && (p->from < 0 || p->to > 65535 || p->from > p->to)) {
    return Invalid("The port range " + std::to_string(p->from) + "-" + std::to_string(p->to) +
                   " for " + member + " is invalid: FromPort must not exceed ToPort.");
  }
  return Status::Ok();
}

Status CheckFilter(const std::optional<PathFilter>& f, const char* name) {
  if (!f) return Status::Ok();
  std::string n(name);
  MINIVPC_RETURN_IF_ERROR(CheckIpv4(f->source_address, (n + ".SourceAddress").c_str()));
  MINIVPC_RETURN_IF_ERROR(CheckIpv4(f->destination_address, (n + ".DestinationAddress").c_str()));
  MINIVPC_RETURN_IF_ERROR(CheckRange(f->source_ports, (n + ".SourcePortRange").c_str()));
  return CheckRange(f->destination_ports, (n + ".DestinationPortRange").c_str());
}

// The two filters' ranges for one field must overlap, or no packet matches.
Status CheckOverlap(const std::optional<PathPortRange>& a, const std::optional<PathPortRange>& b,
                    const char* field) {
  if (a && b && (a->to < b->from || b->to < a->from)) {
    return Status(err::kInvalidParameterCombination,
                  std::string("The ") + field +
                      " ranges of FilterAtSource and FilterAtDestination do not overlap.");
  }
  return Status::Ok();
}

Status CheckArguments(const InsightsPathArgs& a) {
  if (a.filter_at_source && (a.source_ip || a.destination_port)) {
    return Status(err::kInvalidParameterCombination,
                  "FilterAtSource cannot be specified together with SourceIp or DestinationPort.");
  }
  if (a.filter_at_destination && a.destination_ip) {
    return Status(err::kInvalidParameterCombination,
                  "FilterAtDestination cannot be specified together with DestinationIp.");
  }
  MINIVPC_RETURN_IF_ERROR(CheckIpv4(a.source_ip, "SourceIp"));
  MINIVPC_RETURN_IF_ERROR(CheckIpv4(a.destination_ip, "DestinationIp"));
  if (a.destination_port && (*a.destination_port < 0 || *a.destination_port > 65535)) {
    return Invalid("Value (" + std::to_string(*a.destination_port) +
                   ") for parameter DestinationPort is invalid.");
  }
  MINIVPC_RETURN_IF_ERROR(CheckFilter(a.filter_at_source, "FilterAtSource"));
  MINIVPC_RETURN_IF_ERROR(CheckFilter(a.filter_at_destination, "FilterAtDestination"));
  if (a.filter_at_source && a.filter_at_destination) {
    MINIVPC_RETURN_IF_ERROR(CheckOverlap(a.filter_at_source->source_ports,
                                         a.filter_at_destination->source_ports, "source port"));
    MINIVPC_RETURN_IF_ERROR(CheckOverlap(a.filter_at_source->destination_ports,
                                         a.filter_at_destination->destination_ports,
                                         "destination port"));
  }
  return Status::Ok();
}

bool HasDestinationAddress(const InsightsPathArgs& a) {
  return a.destination_ip ||
         (a.filter_at_destination && a.filter_at_destination->destination_address) ||
         (a.filter_at_source && a.filter_at_source->destination_address);
}

bool IsArn(const std::string& s) {
  // arn:<partition>:<service>:<region>:<account>:<resource>
  return s.rfind("arn:", 0) == 0 && std::count(s.begin(), s.end(), ':') >= 5;
}

}  // namespace

StatusOr<std::string> CreateInsightsPath(RegionState& r, const InsightsPathArgs& a) {
  std::string protocol = a.protocol;
  std::transform(protocol.begin(), protocol.end(), protocol.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (protocol != "tcp" && protocol != "udp") {
    return Invalid("Value (" + a.protocol +
                   ") for parameter protocol is invalid. Valid values are tcp and udp.");
  }
  MINIVPC_RETURN_IF_ERROR(CheckArguments(a));
  if (a.source.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter Source");
  }
  MINIVPC_ASSIGN_OR_RETURN(std::string source, IdOf(r, a.source));
  MINIVPC_ASSIGN_OR_RETURN(EndKind source_kind, CheckEnd(r, source, "source"));
  std::string destination;
  if (a.destination.empty()) {
    if (!HasDestinationAddress(a)) {
      return Status(err::kMissingParameter,
                    "The request must contain the parameter Destination or DestinationIp");
    }
  } else {
    MINIVPC_ASSIGN_OR_RETURN(destination, IdOf(r, a.destination));
    MINIVPC_ASSIGN_OR_RETURN(EndKind dest_kind, CheckEnd(r, destination, "destination"));
    if (source_kind == EndKind::kInternetGateway && dest_kind == EndKind::kInternetGateway) {
      return Invalid("The source and the destination cannot both be internet gateways.");
    }
    if (destination == source) return Invalid("The source and the destination must differ.");
  }
  NetworkInsightsPath p;
  p.id = r.NewId("nip");
  p.source = source;
  p.destination = destination;
  if (a.source_ip) p.source_ip = a.source_ip->ToString();
  if (a.destination_ip) p.destination_ip = a.destination_ip->ToString();
  p.protocol = protocol;
  p.destination_port = a.destination_port.value_or(0);
  p.created_ms = r.now_ms();
  p.tags = a.tags;
  p.filter_at_source = a.filter_at_source;
  p.filter_at_destination = a.filter_at_destination;
  r.insights_paths.Put(p);
  return p.id;
}

Status DeleteInsightsPath(RegionState& r, const std::string& path_id) {
  MINIVPC_RETURN_IF_ERROR(Lookup(r.insights_paths, kInsightsPathKind, path_id).status());
  for (const auto& [id, analysis] : r.insights_analyses.rows()) {
    if (analysis.path_id == path_id) {
      return Status(err::kDependencyViolation,
                    "The network insights path '" + path_id + "' has analyses (such as '" + id +
                        "'). Delete its analyses before deleting the path.");
    }
  }
  r.insights_paths.Erase(path_id);
  return Status::Ok();
}

StatusOr<std::string> StartInsightsAnalysis(RegionState& r, const AnalysisArgs& args) {
  MINIVPC_ASSIGN_OR_RETURN(const NetworkInsightsPath* path,
                           Lookup(r.insights_paths, kInsightsPathKind, args.path_id));
  for (const auto* list : {&args.filter_in_arns, &args.filter_out_arns}) {
    for (const auto& arn : *list) {
      if (!IsArn(arn)) return Invalid("The value '" + arn + "' is not a valid ARN.");
    }
  }
  NetworkInsightsAnalysis a;
  a.id = r.NewId("nia");
  a.path_id = path->id;
  a.started_ms = r.now_ms();
  a.tags = args.tags;
  a.findings = json::object();
  if (!args.filter_in_arns.empty()) a.findings["FilterInArns"] = args.filter_in_arns;
  if (!args.filter_out_arns.empty()) a.findings["FilterOutArns"] = args.filter_out_arns;
  if (!args.additional_accounts.empty()) {
    a.findings["AdditionalAccounts"] = args.additional_accounts;
  }
  StatusOr<json> result = AnalyzePath(r, *path, args);
  if (result.ok()) {
    a.status = "succeeded";
    a.path_found = result->value("NetworkPathFound", false);
    a.findings.update(*result);
  } else {
    // A resource of the path is gone: AWS reports a failed analysis.
    a.status = "failed";
    a.findings["StatusMessage"] = result.status().message();
  }
  r.insights_analyses.Put(a);
  return a.id;
}

Status DeleteInsightsAnalysis(RegionState& r, const std::string& analysis_id) {
  MINIVPC_RETURN_IF_ERROR(Lookup(r.insights_analyses, kInsightsAnalysisKind, analysis_id).status());
  r.insights_analyses.Erase(analysis_id);
  return Status::Ok();
}

}  // namespace minivpc::analysis
