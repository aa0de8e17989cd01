#include "vpc/flow_logs.h"

#include <gtest/gtest.h>

#include <set>

#include "vpc/cloud.h"
#include "vpc/network_interfaces.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

constexpr char kRole[] = "arn:aws:iam::123456789012:role/flow-logs";

class FlowLogsTest : public ::testing::Test {
 protected:
  FlowLogsTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    CreateVpcArgs v;
    v.cidr_block = "10.0.0.0/16";
    vpc_ = *CreateVpc(r_, v);
    CreateSubnetArgs s;
    s.vpc_id = vpc_;
    s.cidr_block = "10.0.1.0/24";
    subnet_ = *CreateSubnet(r_, s);
    CreateNetworkInterfaceArgs e;
    e.subnet_id = subnet_;
    eni_ = *CreateNetworkInterface(r_, e);
    cloud_.journal().TakeDirty();
  }

  // A valid request: all traffic of `id` to CloudWatch Logs group "flows".
  CreateFlowLogsArgs Args(const std::string& type, const std::string& id) {
    CreateFlowLogsArgs a;
    a.resource_type = type;
    a.resource_ids = {id};
    a.traffic_type = "ALL";
    a.log_group_name = "flows";
    a.deliver_logs_permission_arn = kRole;
    return a;
  }

  CreateFlowLogsResult Create(const CreateFlowLogsArgs& a) {
    auto res = CreateFlowLogs(r_, a);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    cloud_.journal().TakeDirty();
    return res.ok() ? *res : CreateFlowLogsResult{};
  }

  // Asserts the request fails whole with `code` and changes nothing.
  void Fails(const CreateFlowLogsArgs& a, const std::string& code) {
    size_t before = r_.flow_logs.size();
    auto res = CreateFlowLogs(r_, a);
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.status().code(), code) << res.status().ToString();
    cloud_.journal().Rollback();
    EXPECT_EQ(r_.flow_logs.size(), before);
  }

  SystemRandom random_{1};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_, subnet_, eni_;
};

TEST_F(FlowLogsTest, CreatesOneFlowLogPerResourceWithAwsDefaults) {
  CreateFlowLogsResult res = Create(Args("VPC", vpc_));
  ASSERT_EQ(res.flow_log_ids.size(), 1u);
  EXPECT_TRUE(res.unsuccessful.empty());
  const FlowLog* f = r_.flow_logs.Find(res.flow_log_ids[0]);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(IsWellFormedId(f->id, "fl"));
  EXPECT_EQ(f->id.size(), 3u + 17u);
  EXPECT_EQ(f->resource_id, vpc_);
  EXPECT_EQ(f->log_destination_type, "cloud-watch-logs");
  EXPECT_EQ(f->log_group_name, "flows");
  EXPECT_EQ(f->log_destination, "arn:aws:logs:us-east-1:123456789012:log-group:flows");
  EXPECT_EQ(f->log_format, kDefaultLogFormat);
  EXPECT_EQ(f->max_aggregation_interval, 600);
  EXPECT_EQ(f->deliver_logs_status, "SUCCESS");
  EXPECT_EQ(f->creation_time_ms, clock_.NowMillis());
}

TEST_F(FlowLogsTest, ReportsUnknownResourcesWithoutFailingTheOthers) {
  CreateFlowLogsArgs a = Args("Subnet", subnet_);
  a.resource_ids = {subnet_, "subnet-0123456789abcdef0", "bogus"};
  CreateFlowLogsResult res = Create(a);
  EXPECT_EQ(res.flow_log_ids.size(), 1u);
  ASSERT_EQ(res.unsuccessful.size(), 2u);
  EXPECT_EQ(res.unsuccessful[0].resource_id, "subnet-0123456789abcdef0");
  EXPECT_EQ(res.unsuccessful[0].error.code(), "InvalidSubnetID.NotFound");
  EXPECT_EQ(res.unsuccessful[1].error.code(), "InvalidSubnetID.Malformed");
}

TEST_F(FlowLogsTest, ChecksResourceIdsAgainstTheResourceType) {
  CreateFlowLogsResult res = Create(Args("NetworkInterface", vpc_));
  EXPECT_TRUE(res.flow_log_ids.empty());
  ASSERT_EQ(res.unsuccessful.size(), 1u);
  EXPECT_EQ(res.unsuccessful[0].error.code(), "InvalidNetworkInterfaceID.Malformed");
  EXPECT_EQ(Create(Args("NetworkInterface", eni_)).flow_log_ids.size(), 1u);
}

TEST_F(FlowLogsTest, RejectsAnIdenticalFlowLogAsAlreadyExisting) {
  Create(Args("VPC", vpc_));
  CreateFlowLogsResult again = Create(Args("VPC", vpc_));
  EXPECT_TRUE(again.flow_log_ids.empty());
  ASSERT_EQ(again.unsuccessful.size(), 1u);
  EXPECT_EQ(again.unsuccessful[0].error.code(), "FlowLogAlreadyExists");
  // The same group given as an ARN is the same destination.
  CreateFlowLogsArgs by_arn = Args("VPC", vpc_);
  by_arn.log_group_name.clear();
  by_arn.log_destination = "arn:aws:logs:us-east-1:123456789012:log-group:flows:*";
  EXPECT_EQ(Create(by_arn).unsuccessful.size(), 1u);
  // Another traffic type or another destination is a different flow log.
  CreateFlowLogsArgs reject = Args("VPC", vpc_);
  reject.traffic_type = "REJECT";
  EXPECT_EQ(Create(reject).flow_log_ids.size(), 1u);
  CreateFlowLogsArgs other_group = Args("VPC", vpc_);
  other_group.log_group_name = "other";
  EXPECT_EQ(Create(other_group).flow_log_ids.size(), 1u);
  EXPECT_EQ(r_.flow_logs.size(), 3u);
}

TEST_F(FlowLogsTest, RepeatedIdInOneRequestIsADuplicate) {
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.resource_ids = {vpc_, vpc_};
  CreateFlowLogsResult res = Create(a);
  EXPECT_EQ(res.flow_log_ids.size(), 1u);
  ASSERT_EQ(res.unsuccessful.size(), 1u);
  EXPECT_EQ(res.unsuccessful[0].error.code(), "FlowLogAlreadyExists");
}

TEST_F(FlowLogsTest, ValidatesTheRequestAsAWhole) {
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.traffic_type = "";
  Fails(a, "MissingParameter");
  a.traffic_type = "SOME";
  Fails(a, "InvalidParameterValue");
  a = Args("Vpc", vpc_);
  Fails(a, "InvalidParameterValue");
  a = Args("VPC", vpc_);
  a.resource_ids.clear();
  Fails(a, "MissingParameter");
  a = Args("VPC", vpc_);
  a.resource_ids.assign(1001, vpc_);
  Fails(a, "InvalidParameter");
  a = Args("VPC", vpc_);
  a.max_aggregation_interval = 300;
  Fails(a, "InvalidParameter");
  a.max_aggregation_interval = 60;
  EXPECT_EQ(Create(a).flow_log_ids.size(), 1u);
}

TEST_F(FlowLogsTest, CloudWatchNeedsExactlyOneGroupAndARole) {
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.deliver_logs_permission_arn.clear();
  Fails(a, "InvalidParameter");
  a.deliver_logs_permission_arn = "not-a-role";
  Fails(a, "InvalidParameter");
  a = Args("VPC", vpc_);
  a.log_group_name.clear();
  Fails(a, "InvalidParameter");
  a.log_group_name = "flows";
  a.log_destination = "arn:aws:logs:us-east-1:123456789012:log-group:flows";
  Fails(a, "InvalidParameter");
  a.log_group_name.clear();
  a.log_destination = "arn:aws:logs:eu-west-1:123456789012:log-group:flows";
  Fails(a, "InvalidParameter");  // another region
  a = Args("VPC", vpc_);
  a.log_group_name = "bad name!";
  Fails(a, "InvalidParameter");
}

TEST_F(FlowLogsTest, S3NeedsABucketArn) {
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.log_destination_type = "s3";
  Fails(a, "InvalidParameter");  // LogGroupName is for cloud-watch-logs
  a.log_group_name.clear();
  a.deliver_logs_permission_arn.clear();
  Fails(a, "InvalidParameter");  // no LogDestination
  a.log_destination = "arn:aws:s3:::Bad_Bucket";
  Fails(a, "InvalidParameter");
  a.log_destination = "arn:aws:s3:::my-bucket/AWSLogs";
  Fails(a, "InvalidParameter");
  a.log_destination = "arn:aws:s3:::my-bucket/flows/";
  a.deliver_logs_permission_arn = kRole;
  Fails(a, "InvalidParameter");  // no role for s3
  a.deliver_logs_permission_arn.clear();
  CreateFlowLogsResult res = Create(a);
  ASSERT_EQ(res.flow_log_ids.size(), 1u);
  const FlowLog* f = r_.flow_logs.Find(res.flow_log_ids[0]);
  EXPECT_EQ(f->log_destination, "arn:aws:s3:::my-bucket/flows/");
  EXPECT_EQ(f->log_group_name, "");
  EXPECT_EQ(f->file_format, "plain-text");
}

TEST_F(FlowLogsTest, DestinationOptionsOnlyForS3) {
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.has_destination_options = true;
  a.file_format = "parquet";
  Fails(a, "InvalidParameter");
  a.log_destination_type = "s3";
  a.log_group_name.clear();
  a.deliver_logs_permission_arn.clear();
  a.log_destination = "arn:aws:s3:::my-bucket";
  a.file_format = "csv";
  Fails(a, "InvalidParameterValue");
  a.file_format = "parquet";
  a.per_hour_partition = true;
  CreateFlowLogsResult res = Create(a);
  ASSERT_EQ(res.flow_log_ids.size(), 1u);
  EXPECT_EQ(r_.flow_logs.Find(res.flow_log_ids[0])->file_format, "parquet");
  EXPECT_TRUE(r_.flow_logs.Find(res.flow_log_ids[0])->per_hour_partition);
}

TEST_F(FlowLogsTest, FirehoseNeedsADeliveryStreamInTheRegion) {
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.log_destination_type = "kinesis-data-firehose";
  a.log_group_name.clear();
  Fails(a, "InvalidParameter");
  a.log_destination = "arn:aws:firehose:us-west-2:123456789012:deliverystream/flows";
  Fails(a, "InvalidParameter");
  a.log_destination = "arn:aws:firehose:us-east-1:123456789012:deliverystream/flows";
  EXPECT_EQ(Create(a).flow_log_ids.size(), 1u);
  a.log_destination_type = "kafka";
  Fails(a, "InvalidParameterValue");
}

TEST_F(FlowLogsTest, ParsesTheDefaultFormat) {
  auto f = ParseLogFormat(kDefaultLogFormat);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->fields.size(), 14u);
  EXPECT_EQ(f->fields.front(), FlowLogField::kVersion);
  EXPECT_EQ(f->fields.back(), FlowLogField::kLogStatus);
  EXPECT_EQ(f->version, 2);
}

TEST_F(FlowLogsTest, CustomFormatTakesTheHighestFieldVersion) {
  auto f = ParseLogFormat("${srcaddr} ${dstaddr} ${action}");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->version, 2);
  f = ParseLogFormat("${vpc-id} ${srcaddr}");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->version, 3);
  f = ParseLogFormat("${flow-direction} ${region}");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->version, 5);
  EXPECT_EQ(FieldName(f->fields[0]), "flow-direction");
}

TEST_F(FlowLogsTest, RejectsMalformedFormatsAndUnknownFields) {
  for (const char* bad : {"", " ${srcaddr}", "${srcaddr} ", "${srcaddr}  ${dstaddr}", "srcaddr",
                          "${srcaddr", "${}", "${srcaddr}${dstaddr}"}) {
    EXPECT_EQ(ParseLogFormat(bad).status().code(), "InvalidParameterValue") << bad;
  }
  auto f = ParseLogFormat("${srcaddr} ${colour} ${size}");
  EXPECT_EQ(f.status().code(), "InvalidParameter");
  EXPECT_NE(f.status().message().find("${colour}, ${size}"), std::string::npos);
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.log_format = "${srcaddr} ${colour}";
  Fails(a, "InvalidParameter");
}

TEST_F(FlowLogsTest, DeleteReportsUnknownIdsAndDeletesTheRest) {
  std::string id = Create(Args("VPC", vpc_)).flow_log_ids[0];
  std::vector<UnsuccessfulItem> failed = DeleteFlowLogs(r_, {"fl-0123456789abcdef0", id});
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].resource_id, "fl-0123456789abcdef0");
  EXPECT_EQ(failed[0].error.code(), "InvalidFlowLogId.NotFound");
  EXPECT_FALSE(r_.flow_logs.Contains(id));
}

TEST_F(FlowLogsTest, AnEniIsCoveredByItsVpcSubnetAndItself) {
  std::string on_vpc = Create(Args("VPC", vpc_)).flow_log_ids[0];
  std::string on_subnet = Create(Args("Subnet", subnet_)).flow_log_ids[0];
  std::string on_eni = Create(Args("NetworkInterface", eni_)).flow_log_ids[0];
  CreateVpcArgs v;
  v.cidr_block = "10.9.0.0/16";
  std::string other_vpc = *CreateVpc(r_, v);
  Create(Args("VPC", other_vpc));
  std::vector<const FlowLog*> covering = FlowLogsCovering(r_, *r_.enis.Find(eni_));
  std::set<std::string> ids;
  for (const FlowLog* f : covering) ids.insert(f->id);
  EXPECT_EQ(ids, (std::set<std::string>{on_vpc, on_subnet, on_eni}));
}

TEST_F(FlowLogsTest, DeletingForAResourceRemovesOnlyItsFlowLogs) {
  std::string on_vpc = Create(Args("VPC", vpc_)).flow_log_ids[0];
  std::string on_eni = Create(Args("NetworkInterface", eni_)).flow_log_ids[0];
  DeleteFlowLogsForResource(r_, eni_);
  EXPECT_FALSE(r_.flow_logs.Contains(on_eni));
  EXPECT_TRUE(r_.flow_logs.Contains(on_vpc));
}

TEST_F(FlowLogsTest, RowRoundTripsThroughJson) {
  CreateFlowLogsArgs a = Args("VPC", vpc_);
  a.tags = {{"team", "net"}};
  a.max_aggregation_interval = 60;
  std::string id = Create(a).flow_log_ids[0];
  nlohmann::json doc = *r_.flow_logs.Serialize(id);
  FlowLog back = doc.get<FlowLog>();
  EXPECT_EQ(back.id, id);
  EXPECT_EQ(back.max_aggregation_interval, 60);
  EXPECT_EQ(back.tags.at("team"), "net");
  EXPECT_EQ(back.log_group_name, "flows");
}

}  // namespace
}  // namespace minivpc
