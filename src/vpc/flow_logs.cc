#include "vpc/flow_logs.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace minivpc {
namespace {

using F = FlowLogField;

struct FieldInfo {
  FlowLogField field;
  std::string_view name;
  int version;
};

constexpr FieldInfo kFields[] = {
    {F::kVersion, "version", 2},
    {F::kAccountId, "account-id", 2},
    {F::kInterfaceId, "interface-id", 2},
    {F::kSrcAddr, "srcaddr", 2},
    {F::kDstAddr, "dstaddr", 2},
    {F::kSrcPort, "srcport", 2},
    {F::kDstPort, "dstport", 2},
    {F::kProtocol, "protocol", 2},
    {F::kPackets, "packets", 2},
    {F::kBytes, "bytes", 2},
    {F::kStart, "start", 2},
    {F::kEnd, "end", 2},
    {F::kAction, "action", 2},
    {F::kLogStatus, "log-status", 2},
    {F::kVpcId, "vpc-id", 3},
    {F::kSubnetId, "subnet-id", 3},
    {F::kInstanceId, "instance-id", 3},
    {F::kTcpFlags, "tcp-flags", 3},
    {F::kType, "type", 3},
    {F::kPktSrcAddr, "pkt-srcaddr", 3},
    {F::kPktDstAddr, "pkt-dstaddr", 3},
    {F::kRegion, "region", 4},
    {F::kAzId, "az-id", 4},
    {F::kSublocationType, "sublocation-type", 4},
    {F::kSublocationId, "sublocation-id", 4},
    {F::kPktSrcAwsService, "pkt-src-aws-service", 5},
    {F::kPktDstAwsService, "pkt-dst-aws-service", 5},
    {F::kFlowDirection, "flow-direction", 5},
    {F::kTrafficPath, "traffic-path", 5},
    {F::kEcsClusterArn, "ecs-cluster-arn", 7},
    {F::kEcsClusterName, "ecs-cluster-name", 7},
    {F::kEcsContainerInstanceArn, "ecs-container-instance-arn", 7},
    {F::kEcsContainerInstanceId, "ecs-container-instance-id", 7},
    {F::kEcsContainerId, "ecs-container-id", 7},
    {F::kEcsSecondContainerId, "ecs-second-container-id", 7},
    {F::kEcsServiceName, "ecs-service-name", 7},
    {F::kEcsTaskDefinitionArn, "ecs-task-definition-arn", 7},
    {F::kEcsTaskArn, "ecs-task-arn", 7},
    {F::kEcsTaskId, "ecs-task-id", 7},
    {F::kRejectReason, "reject-reason", 8},
};

const FieldInfo* FindField(std::string_view name) {
  for (const auto& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

constexpr size_t kMaxResourceIds = 1000;

Status BadParameter(std::string message) {
  return Status(err::kInvalidParameter, std::move(message));
}

// AWS's model-validation wording for a value outside an enum.
Status CheckEnum(const std::string& value, std::string_view member,
                 std::initializer_list<std::string_view> allowed) {
  std::string set;
  for (auto a : allowed) {
    if (a == value) return Status::Ok();
    if (!set.empty()) set += ", ";
    set += a;
  }
  return Status(err::kInvalidParameterValue,
                "1 validation error detected: Value '" + value + "' at '" + std::string(member) +
                    "' failed to satisfy constraint: Member must satisfy enum value set: [" + set +
                    "]");
}

bool AllDigits(std::string_view s, size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// CloudWatch Logs group names: 1..512 of [A-Za-z0-9_-/.#].
bool IsLogGroupName(std::string_view name) {
  if (name.empty() || name.size() > 512) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("_-/.#").find(c) != std::string_view::npos;
  });
}

// S3 bucket names: 3..63 of [a-z0-9.-], starting and ending alphanumeric.
bool IsBucketName(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  auto ok = [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '.' || c == '-';
  };
  auto alnum = [](unsigned char c) { return std::islower(c) || std::isdigit(c); };
  return std::all_of(b.begin(), b.end(), ok) && alnum(b.front()) && alnum(b.back());
}

// "arn:<partition>:<service>:<region>:<account>:<resource...>" split in six.
std::vector<std::string_view> ArnParts(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return {};
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(arn.substr(start));
  if (parts[0] != "arn" || parts[1].substr(0, 3) != "aws") return {};
  return parts;
}

struct Destination {
  std::string arn;
  std::string log_group;  // cloud-watch-logs only
};

StatusOr<Destination> CloudWatchDestination(const RegionState& r, const CreateFlowLogsArgs& a) {
  if (!a.log_group_name.empty() && !a.log_destination.empty()) {
    return BadParameter("Please only provide LogGroupName or only provide LogDestination.");
  }
  if (a.log_group_name.empty() && a.log_destination.empty()) {
    return BadParameter("LogDestination can't be empty if LogGroupName is not provided.");
  }
  if (a.deliver_logs_permission_arn.empty()) {
    return BadParameter(
        "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs.");
  }
  auto role = ArnParts(a.deliver_logs_permission_arn);
  if (role.empty() || role[2] != "iam" || !AllDigits(role[4], 12) ||
      role[5].substr(0, 5) != "role/" || role[5].size() == 5) {
    return BadParameter("Unable to assume given IAM role: '" + a.deliver_logs_permission_arn + "'");
  }
  Destination d{"", a.log_group_name};
  if (d.log_group.empty()) {
    auto p = ArnParts(a.log_destination);
    std::string_view res = p.empty() ? "" : p[5];
    if (res.size() > 2 && res.substr(res.size() - 2) == ":*") res.remove_suffix(2);
    if (p.empty() || p[2] != "logs" || !AllDigits(p[4], 12) || res.substr(0, 10) != "log-group:") {
      return BadParameter("LogDestination: " + a.log_destination +
                          " is not a valid CloudWatch Logs log group ARN.");
    }
    if (p[3] != r.region) {
      return BadParameter("LogDestination must be in the same region as the API caller.");
    }
    d.log_group = std::string(res.substr(10));
  }
  if (!IsLogGroupName(d.log_group)) {
    return BadParameter("LogGroupName '" + d.log_group +
                        "' is not valid: 1 to 512 characters of [a-zA-Z0-9_-/.#].");
  }
  d.arn = "arn:aws:logs:" + r.region + ":" + r.account_id + ":log-group:" + d.log_group;
  return d;
}

StatusOr<Destination> S3Destination(const CreateFlowLogsArgs& a) {
  if (!a.deliver_logs_permission_arn.empty()) {
    return BadParameter("DeliverLogsPermissionArn is not applicable for s3 delivery.");
  }
  auto p = ArnParts(a.log_destination);
  if (p.empty() || p[2] != "s3" || !p[3].empty() || !p[4].empty()) {
    return BadParameter("LogDestination: " + a.log_destination + " is not a valid S3 ARN.");
  }
  std::vector<std::string_view> path = Split(p[5], '/');
  if (!IsBucketName(path[0])) {
    return BadParameter("LogDestination: '" + std::string(path[0]) +
                        "' is not a valid S3 bucket name.");
  }
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == "AWSLogs") {
      return BadParameter("LogDestination: AWSLogs is reserved and can't be used as a subfolder.");
    }
  }
  return Destination{a.log_destination, ""};
}

StatusOr<Destination> FirehoseDestination(const RegionState& r, const CreateFlowLogsArgs& a) {
  auto p = ArnParts(a.log_destination);
  std::string_view res = p.empty() ? "" : p[5];
  bool stream = res.size() > 15 &&
                (res.substr(0, 15) == "deliverystream/" || res.substr(0, 15) == "deliverystream:");
  if (p.empty() || p[2] != "firehose" || !AllDigits(p[4], 12) || !stream) {
    return BadParameter("LogDestination: " + a.log_destination +
                        " is not a valid Kinesis Data Firehose delivery stream ARN.");
  }
  if (p[3] != r.region) {
    return BadParameter("LogDestination must be in the same region as the API caller.");
  }
  return Destination{a.log_destination, ""};
}

StatusOr<Destination> ResolveDestination(const RegionState& r, const CreateFlowLogsArgs& a) {
  const std::string& type = a.log_destination_type;
  MINIVPC_RETURN_IF_ERROR(
      CheckEnum(type, "logDestinationType", {"cloud-watch-logs", "s3", "kinesis-data-firehose"}));
  if (a.has_destination_options && type != "s3") {
    return BadParameter("DestinationOptions is only applicable for s3 delivery.");
  }
  if (a.has_destination_options && !a.file_format.empty()) {
    MINIVPC_RETURN_IF_ERROR(CheckEnum(a.file_format, "fileFormat", {"plain-text", "parquet"}));
  }
  if (type == "cloud-watch-logs") return CloudWatchDestination(r, a);
  if (!a.log_group_name.empty()) {
    return BadParameter(
        "LogDestination type must be cloud-watch-logs if LogGroupName is provided.");
  }
  if (a.log_destination.empty()) {
    return BadParameter("LogDestination can't be empty if LogDestinationType is " + type + ".");
  }
  if (type == "s3") return S3Destination(a);
  return FirehoseDestination(r, a);
}

Status CheckRequest(const CreateFlowLogsArgs& a) {
  if (a.resource_ids.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter ResourceId");
  }
  if (a.resource_type.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter ResourceType");
  }
  MINIVPC_RETURN_IF_ERROR(
      CheckEnum(a.resource_type, "resourceType", {"VPC", "Subnet", "NetworkInterface"}));
  if (a.resource_ids.size() > kMaxResourceIds) {
    return BadParameter("The maximum number of resource IDs is 1000.");
  }
  if (a.traffic_type.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter TrafficType");
  }
  MINIVPC_RETURN_IF_ERROR(CheckEnum(a.traffic_type, "trafficType", {"ACCEPT", "REJECT", "ALL"}));
  if (a.max_aggregation_interval != 60 && a.max_aggregation_interval != 600) {
    return BadParameter("Invalid Flow Log Max Aggregation Interval");
  }
  return Status::Ok();
}

Status CheckResource(const RegionState& r, const std::string& type, const std::string& id) {
  if (type == "VPC") return r.vpcs.Contains(id) ? Status::Ok() : IdError(kVpcKind, id);
  if (type == "Subnet") return r.subnets.Contains(id) ? Status::Ok() : IdError(kSubnetKind, id);
  return r.enis.Contains(id) ? Status::Ok() : IdError(kEniKind, id);
}

bool Exists(const RegionState& r, const FlowLog& want) {
  for (const auto& [id, f] : r.flow_logs.rows()) {
    if (f.resource_id == want.resource_id && f.traffic_type == want.traffic_type &&
        f.log_destination_type == want.log_destination_type &&
        f.log_destination == want.log_destination) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view FieldName(FlowLogField f) {
  for (const auto& info : kFields) {
    if (info.field == f) return info.name;
  }
  return "";
}

StatusOr<LogFormat> ParseLogFormat(std::string_view text) {
  auto invalid = [&] {
    return Status(err::kInvalidParameterValue, "1 validation error detected: Value '" +
                                                   std::string(text) +
                                                   "' at 'logFormat' has an invalid format");
  };
  LogFormat out;
  std::string unknown;
  size_t pos = 0;
  while (true) {
    if (text.substr(pos, 2) != "${") return invalid();
    size_t close = text.find('}', pos);
    if (close == std::string_view::npos) return invalid();
    std::string_view name = text.substr(pos + 2, close - pos - 2);
    if (name.empty() || name.find_first_of("${ ") != std::string_view::npos) return invalid();
    if (const FieldInfo* f = FindField(name)) {
      out.fields.push_back(f->field);
      out.version = std::max(out.version, f->version);
    } else {
      if (!unknown.empty()) unknown += ", ";
      unknown += "${";
      unknown += name;
      unknown += "}";
    }
    pos = close + 1;
    if (pos == text.size()) break;
    if (text[pos] != ' ' || pos + 1 == text.size()) return invalid();
    ++pos;
  }
  if (!unknown.empty()) return BadParameter("Unknown fields provided: " + unknown);
  return out;
}

StatusOr<CreateFlowLogsResult> CreateFlowLogs(RegionState& r, const CreateFlowLogsArgs& a) {
  MINIVPC_RETURN_IF_ERROR(CheckRequest(a));
  std::string format = a.log_format.empty() ? std::string(kDefaultLogFormat) : a.log_format;
  MINIVPC_RETURN_IF_ERROR(ParseLogFormat(format).status());
  MINIVPC_ASSIGN_OR_RETURN(Destination dest, ResolveDestination(r, a));

  CreateFlowLogsResult result;
  for (const auto& resource_id : a.resource_ids) {
    if (Status st = CheckResource(r, a.resource_type, resource_id); !st.ok()) {
      result.unsuccessful.push_back({resource_id, st});
      continue;
    }
    FlowLog f;
    f.resource_id = resource_id;
    f.resource_type = a.resource_type;
    f.traffic_type = a.traffic_type;
    f.log_destination_type = a.log_destination_type;
    f.log_destination = dest.arn;
    f.log_group_name = dest.log_group;
    if (Exists(r, f)) {
      result.unsuccessful.push_back(
          {resource_id, Status(err::kFlowLogAlreadyExists,
                               "Error. There is an existing Flow Log with the same configuration "
                               "and log destination.")});
      continue;
    }
    f.id = r.NewId("fl");
    f.deliver_logs_permission_arn = a.deliver_logs_permission_arn;
    f.deliver_cross_account_role = a.deliver_cross_account_role;
    f.log_format = format;
    f.max_aggregation_interval = a.max_aggregation_interval;
    if (a.log_destination_type == "s3") {
      f.file_format = a.file_format.empty() ? "plain-text" : a.file_format;
      f.hive_compatible_partitions = a.hive_compatible_partitions;
      f.per_hour_partition = a.per_hour_partition;
    }
    f.creation_time_ms = r.now_ms();
    f.tags = a.tags;
    result.flow_log_ids.push_back(f.id);
    r.flow_logs.Put(std::move(f));
  }
  return result;
}

std::vector<UnsuccessfulItem> DeleteFlowLogs(RegionState& r, const std::vector<std::string>& ids) {
  std::vector<UnsuccessfulItem> failed;
  for (const auto& id : ids) {
    if (!r.flow_logs.Contains(id)) {
      failed.push_back({id, Status(err::kInvalidFlowLogIdNotFound,
                                   "These flow log ids in the input list are not found: "
                                   "[TotalCount: 1] " +
                                       id)});
      continue;
    }
    r.flow_logs.Erase(id);
  }
  return failed;
}

void DeleteFlowLogsForResource(RegionState& r, const std::string& resource_id) {
  std::vector<std::string> doomed;
  for (const auto& [id, f] : r.flow_logs.rows()) {
    if (f.resource_id == resource_id) doomed.push_back(id);
  }
  for (const auto& id : doomed) r.flow_logs.Erase(id);
}

std::vector<const FlowLog*> FlowLogsCovering(const RegionState& r, const NetworkInterface& eni) {
  std::vector<const FlowLog*> out;
  for (const auto& [id, f] : r.flow_logs.rows()) {
    if (f.resource_id == eni.id || f.resource_id == eni.subnet_id || f.resource_id == eni.vpc_id) {
      out.push_back(&f);
    }
  }
  return out;
}

}  // namespace minivpc
