// VPC Flow Logs actions: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs.
//
// Create and Delete are batch calls: a well-formed request succeeds (HTTP
// 200) and lists each resource or flow log it could not act on under
// Unsuccessful, with the error code and message EC2 would have answered;
// only a malformed request fails whole. DescribeFlowLogs treats FlowLogIds
// as a filter: an id that names no flow log matches nothing (no error).
#include "ec2api/action.h"
#include "ec2api/handler_util.h"
#include "vpc/flow_logs.h"

namespace minivpc::ec2api {
namespace {

constexpr size_t kMaxFlowLogIds = 1000;

const FilterPaths kFlowLogFilters = {
    {"deliver-log-status", "DeliverLogsStatus"},
    {"log-destination-type", "LogDestinationType"},
    {"flow-log-id", "FlowLogId"},
    {"log-group-name", "LogGroupName"},
    {"resource-id", "ResourceId"},
    {"traffic-type", "TrafficType"},
};

json RenderFlowLog(const FlowLog& f) {
  json out{{"CreationTime", Timestamp(f.creation_time_ms)},
           {"DeliverLogsStatus", f.deliver_logs_status},
           {"FlowLogId", f.id},
           {"FlowLogStatus", "ACTIVE"},
           {"ResourceId", f.resource_id},
           {"TrafficType", f.traffic_type},
           {"LogDestinationType", f.log_destination_type},
           {"LogDestination", f.log_destination},
           {"LogFormat", f.log_format},
           {"MaxAggregationInterval", f.max_aggregation_interval},
           {"Tags", TagsToJson(f.tags)}};
  if (!f.log_group_name.empty()) out["LogGroupName"] = f.log_group_name;
  if (!f.deliver_logs_permission_arn.empty()) {
    out["DeliverLogsPermissionArn"] = f.deliver_logs_permission_arn;
  }
  if (!f.deliver_cross_account_role.empty()) {
    out["DeliverCrossAccountRole"] = f.deliver_cross_account_role;
  }
  if (f.log_destination_type == "s3") {
    out["DestinationOptions"] = {
        {"FileFormat", f.file_format.empty() ? "plain-text" : f.file_format},
        {"HiveCompatiblePartitions", f.hive_compatible_partitions},
        {"PerHourPartition", f.per_hour_partition}};
  }
  return out;
}

json RenderUnsuccessful(const std::vector<UnsuccessfulItem>& items) {
  json out = json::array();
  for (const auto& item : items) {
    out.push_back({{"ResourceId", item.resource_id},
                   {"Error", {{"Code", item.error.code()}, {"Message", item.error.message()}}}});
  }
  return out;
}

StatusOr<CreateFlowLogsArgs> ReadCreateArgs(const json& in) {
  CreateFlowLogsArgs a;
  a.resource_type = GetString(in, "ResourceType");
  a.resource_ids = GetStrings(in, "ResourceIds");
  a.traffic_type = GetString(in, "TrafficType");
  a.log_destination_type = GetString(in, "LogDestinationType", "cloud-watch-logs");
  a.log_destination = GetString(in, "LogDestination");
  a.log_group_name = GetString(in, "LogGroupName");
  a.deliver_logs_permission_arn = GetString(in, "DeliverLogsPermissionArn");
  a.deliver_cross_account_role = GetString(in, "DeliverCrossAccountRole");
  if (std::optional<std::string> format = GetOptString(in, "LogFormat")) {
    // Given, it must name at least one field; absent means the default.
    if (format->empty()) MINIVPC_RETURN_IF_ERROR(ParseLogFormat("").status());
    a.log_format = *format;
  }
  a.max_aggregation_interval =
      static_cast<int>(GetOptInt(in, "MaxAggregationInterval").value_or(600));
  if (in.contains("DestinationOptions") && in["DestinationOptions"].is_object()) {
    const json& opts = in["DestinationOptions"];
    a.has_destination_options = true;
    a.file_format = GetString(opts, "FileFormat");
    a.hive_compatible_partitions = GetBool(opts, "HiveCompatiblePartitions");
    a.per_hour_partition = GetBool(opts, "PerHourPartition");
  }
  MINIVPC_ASSIGN_OR_RETURN(a.tags, TagsFromSpecifications(in, "vpc-flow-log"));
  return a;
}

StatusOr<json> CreateFlowLogsHandler(Call& c) {
  MINIVPC_ASSIGN_OR_RETURN(CreateFlowLogsArgs args, ReadCreateArgs(c.input));
  MINIVPC_ASSIGN_OR_RETURN(CreateFlowLogsResult res, CreateFlowLogs(c.region, args));
  json out{{"FlowLogIds", res.flow_log_ids},
           {"Unsuccessful", RenderUnsuccessful(res.unsuccessful)}};
  if (std::string token = GetString(c.input, "ClientToken"); !token.empty()) {
    out["ClientToken"] = token;
  }
  return out;
}

StatusOr<json> DescribeFlowLogsHandler(Call& c) {
  static const DescribeSpec spec{&kFlowLogKind, "", "FlowLogs", &kFlowLogFilters, 1, 1000};
  std::set<std::string> wanted;
  for (const auto& id : GetStrings(c.input, "FlowLogIds")) wanted.insert(id);
  bool by_id = c.input.contains("FlowLogIds") && c.input["FlowLogIds"].is_array() &&
               !c.input["FlowLogIds"].empty();
  // DescribeFlowLogs names its filter list "Filter", not "Filters".
  json input = c.input;
  if (input.contains("Filter")) input["Filters"] = input["Filter"];
  return Describe(c.region.flow_logs, input, spec, RenderFlowLog, by_id ? &wanted : nullptr);
}

StatusOr<json> DeleteFlowLogsHandler(Call& c) {
  std::vector<std::string> ids = GetStrings(c.input, "FlowLogIds");
  if (ids.empty()) {
    return Status(err::kMissingParameter, "The request must contain the parameter FlowLogId");
  }
  if (ids.size() > kMaxFlowLogIds) {
    return Status(err::kInvalidParameter, "The maximum number of flow log IDs is 1000.");
  }
  return json{{"Unsuccessful", RenderUnsuccessful(DeleteFlowLogs(c.region, ids))}};
}

}  // namespace

void RegisterFlowLogActions(ActionTable& t) {
  t["CreateFlowLogs"] = {Access::kWrite, CreateFlowLogsHandler};
  t["DescribeFlowLogs"] = {Access::kRead, DescribeFlowLogsHandler};
  t["DeleteFlowLogs"] = {Access::kWrite, DeleteFlowLogsHandler};
}

}  // namespace minivpc::ec2api
