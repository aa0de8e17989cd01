// VPC Flow Logs: the control-plane rules of CreateFlowLogs / DeleteFlowLogs
// and the flow log record format.
//
//   CreateFlowLogsArgs a;
//   a.resource_type = "VPC";
//   a.resource_ids = {vpc_id};
//   a.traffic_type = "ALL";
//   a.log_group_name = "my-flows";
//   a.deliver_logs_permission_arn = "arn:aws:iam::123456789012:role/flows";
//   MINIVPC_ASSIGN_OR_RETURN(CreateFlowLogsResult res, CreateFlowLogs(r, a));
//   // res.flow_log_ids: created; res.unsuccessful: per-resource failures.
//
// As in EC2, a request whose parameters are wrong fails whole (an error
// Status); a request that is well formed creates one flow log per resource
// and reports each resource it could not cover (unknown id, an identical
// flow log already there) in `unsuccessful`, without failing the others.
//
// An ENI is covered by the flow logs of its VPC, of its subnet and of
// itself (FlowLogsCovering). The records themselves are produced by live
// mode (live/flow_log_writer.h) from the LogFormat parsed here.
//
// Not thread safe: callers hold the Cloud's lock, as for every vpc/ rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "vpc/lookups.h"
#include "vpc/region_state.h"

namespace minivpc {

inline constexpr IdKind kFlowLogKind{"fl", "flow log ID", err::kInvalidFlowLogIdNotFound,
                                     err::kInvalidFlowLogIdNotFound};

// AWS's default record format (every version 2 field, in order).
inline constexpr std::string_view kDefaultLogFormat =
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

// Every field the AWS "Available fields" table documents. minivpc accepts
// all of them; the writer prints '-' for fields that never apply here (ECS
// metadata, sublocations, AWS service ranges), as AWS does when a field is
// not applicable.
enum class FlowLogField {
  // Version 2 (the default format).
  kVersion,
  kAccountId,
  kInterfaceId,
  kSrcAddr,
  kDstAddr,
  kSrcPort,
  kDstPort,
  kProtocol,
  kPackets,
  kBytes,
  kStart,
  kEnd,
  kAction,
  kLogStatus,
  // Version 3.
  kVpcId,
  kSubnetId,
  kInstanceId,
  kTcpFlags,
  kType,
  kPktSrcAddr,
  kPktDstAddr,
  // Version 4.
  kRegion,
  kAzId,
  kSublocationType,
  kSublocationId,
  // Version 5.
  kPktSrcAwsService,
  kPktDstAwsService,
  kFlowDirection,
  kTrafficPath,
  // Version 7.
  kEcsClusterArn,
  kEcsClusterName,
  kEcsContainerInstanceArn,
  kEcsContainerInstanceId,
  kEcsContainerId,
  kEcsSecondContainerId,
  kEcsServiceName,
  kEcsTaskDefinitionArn,
  kEcsTaskArn,
  kEcsTaskId,
  // Version 8.
  kRejectReason,
};

// The field's name as written in a format ("srcaddr" for ${srcaddr}).
std::string_view FieldName(FlowLogField f);

struct LogFormat {
  std::vector<FlowLogField> fields;  // in record order; at least one
  int version = 2;                   // the highest version among the fields
};

// Parses "${field} ${field} ...": fields separated by single spaces, no
// leading or trailing space. Errors: InvalidParameterValue for text that is
// not a list of ${...} tokens (AWS's "has an invalid format"),
// InvalidParameter naming the fields that are not flow log fields.
StatusOr<LogFormat> ParseLogFormat(std::string_view text);

struct CreateFlowLogsArgs {
  std::string resource_type;  // "VPC" | "Subnet" | "NetworkInterface"
  std::vector<std::string> resource_ids;
  std::string traffic_type;                               // "ACCEPT" | "REJECT" | "ALL"
  std::string log_destination_type = "cloud-watch-logs";  // | "s3" | "kinesis-data-firehose"
  std::string log_destination;                            // ARN; "" = not given
  std::string log_group_name;                             // "" = not given
  std::string deliver_logs_permission_arn;
  std::string deliver_cross_account_role;
  std::string log_format;  // "" = kDefaultLogFormat
  int max_aggregation_interval = 600;
  // DestinationOptions (s3 only); has_destination_options = given.
  bool has_destination_options = false;
  std::string file_format;  // "plain-text" | "parquet"; "" = plain-text
  bool hive_compatible_partitions = false;
  bool per_hour_partition = false;
  Tags tags;
};

// A resource (or flow log) a batch call could not act on, with why.
struct UnsuccessfulItem {
  std::string resource_id;
  Status error;
};

struct CreateFlowLogsResult {
  std::vector<std::string> flow_log_ids;  // in the order of the resource ids
  std::vector<UnsuccessfulItem> unsuccessful;
};

// Whole-request errors (nothing created):
//   MissingParameter: no ResourceId / ResourceType / TrafficType;
//   InvalidParameterValue: ResourceType, TrafficType, LogDestinationType or
//     FileFormat outside its enum, or a malformed LogFormat;
//   InvalidParameter: more than 1000 resource ids, MaxAggregationInterval
//     other than 60/600, unknown LogFormat fields, a destination that does
//     not fit its type (LogGroupName with s3, neither or both of LogGroupName
//     and LogDestination for cloud-watch-logs, a bad or other-region ARN, an
//     S3 subfolder named AWSLogs), no DeliverLogsPermissionArn for
//     cloud-watch-logs, DestinationOptions for a destination other than s3.
// Per-resource failures (in `unsuccessful`): the resource's Malformed /
// NotFound code; FlowLogAlreadyExists when a flow log with the same
// resource, traffic type and destination exists.
StatusOr<CreateFlowLogsResult> CreateFlowLogs(RegionState& r, const CreateFlowLogsArgs& args);

// Deletes each flow log; ids that name none are returned as
// InvalidFlowLogId.NotFound items and do not stop the others.
std::vector<UnsuccessfulItem> DeleteFlowLogs(RegionState& r, const std::vector<std::string>& ids);

// Deletes the flow logs of a VPC, subnet or ENI that is being deleted.
void DeleteFlowLogsForResource(RegionState& r, const std::string& resource_id);

// The flow logs that record `eni`'s traffic: those on its VPC, its subnet and
// itself, in id order.
std::vector<const FlowLog*> FlowLogsCovering(const RegionState& r, const NetworkInterface& eni);

}  // namespace minivpc
