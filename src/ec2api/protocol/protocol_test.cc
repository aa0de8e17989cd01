// ApiModel decoding against the wire names botocore's EC2 serializer sends
// (captured from botocore 1.43 for the same requests), and the error codes
// EC2 answers malformed requests with.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ec2api/protocol/api_model.h"

namespace minivpc::ec2api {
namespace {

using json = nlohmann::json;

json Decode(std::string_view op, const QueryParams& params) {
  StatusOr<json> r = ApiModel::Get().DecodeInput(op, params);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : json();
}

Status DecodeError(std::string_view op, const QueryParams& params) {
  StatusOr<json> r = ApiModel::Get().DecodeInput(op, params);
  EXPECT_FALSE(r.ok()) << r->dump();
  return r.ok() ? Status() : r.status();
}

TEST(ApiModel, KnowsTheServedOperations) {
  const ApiModel& m = ApiModel::Get();
  for (const char* op : {"CreateVpc", "DescribeVpcs", "RunInstances", "DeleteFlowLogs",
                         "DescribeNetworkInsightsAnalyses", "ModifySecurityGroupRules"}) {
    EXPECT_TRUE(m.HasOperation(op)) << op;
  }
  EXPECT_FALSE(m.HasOperation("CreateVpcPeeringConnection"));
  EXPECT_FALSE(m.HasOperation("describevpcs"));
  EXPECT_EQ(&m, &ApiModel::Get());
}

TEST(DecodeInput, DescribeVpcsListsFiltersAndScalars) {
  json in = Decode("DescribeVpcs", {{"VpcId.1", "vpc-1"},
                                    {"VpcId.2", "vpc-2"},
                                    {"Filter.1.Name", "tag:Env"},
                                    {"Filter.1.Value.1", "prod"},
                                    {"Filter.1.Value.2", "dev"},
                                    {"MaxResults", "5"},
                                    {"DryRun", "false"}});
  EXPECT_EQ(in, json::parse(R"({"VpcIds": ["vpc-1", "vpc-2"],
      "Filters": [{"Name": "tag:Env", "Values": ["prod", "dev"]}],
      "MaxResults": 5, "DryRun": false})"));
}

TEST(DecodeInput, SparseListIndicesAreReadInIndexOrder) {
  json in = Decode("DescribeVpcs", {{"VpcId.10", "vpc-c"},
                                    {"VpcId.2", "vpc-b"},
                                    {"Filter.3.Value.1", "x"},
                                    {"Filter.3.Name", "state"},
                                    {"VpcId.1", "vpc-a"}});
  EXPECT_EQ(in["VpcIds"], json({"vpc-a", "vpc-b", "vpc-c"}));
  EXPECT_EQ(in["Filters"], json::parse(R"([{"Name": "state", "Values": ["x"]}])"));
}

TEST(DecodeInput, RunInstancesNestedStructuresAndQueryNames) {
  json in = Decode("RunInstances",
                   {{"ImageId", "ami-1"},
                    {"MinCount", "1"},
                    {"MaxCount", "2"},
                    {"NetworkInterface.1.DeviceIndex", "0"},
                    {"NetworkInterface.1.SubnetId", "subnet-1"},
                    {"NetworkInterface.1.SecurityGroupId.1", "sg-1"},
                    {"NetworkInterface.1.SecurityGroupId.2", "sg-2"},
                    {"NetworkInterface.1.AssociatePublicIpAddress", "true"},
                    {"NetworkInterface.1.PrivateIpAddresses.1.PrivateIpAddress", "10.0.0.5"},
                    {"NetworkInterface.1.PrivateIpAddresses.1.Primary", "true"},
                    {"NetworkInterface.1.Ipv6Addresses.1.Ipv6Address", "2600::1"},
                    {"TagSpecification.1.ResourceType", "instance"},
                    {"TagSpecification.1.Tag.1.Key", "Name"},
                    {"TagSpecification.1.Tag.1.Value", "web"},
                    {"SecurityGroupId.1", "sg-9"},
                    {"Monitoring.Enabled", "true"},
                    {"Placement.AvailabilityZone", "us-east-1a"}});
  EXPECT_EQ(in, json::parse(R"({
      "ImageId": "ami-1", "MinCount": 1, "MaxCount": 2,
      "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": "subnet-1",
          "Groups": ["sg-1", "sg-2"], "AssociatePublicIpAddress": true,
          "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.5", "Primary": true}],
          "Ipv6Addresses": [{"Ipv6Address": "2600::1"}]}],
      "TagSpecifications": [{"ResourceType": "instance",
                             "Tags": [{"Key": "Name", "Value": "web"}]}],
      "SecurityGroupIds": ["sg-9"], "Monitoring": {"Enabled": true},
      "Placement": {"AvailabilityZone": "us-east-1a"}})"));
}

TEST(DecodeInput, AuthorizeSecurityGroupIngressPermissions) {
  json in = Decode("AuthorizeSecurityGroupIngress",
                   {{"GroupId", "sg-1"},
                    {"IpPermissions.1.IpProtocol", "tcp"},
                    {"IpPermissions.1.FromPort", "22"},
                    {"IpPermissions.1.ToPort", "22"},
                    {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"},
                    {"IpPermissions.1.IpRanges.1.Description", "ssh"},
                    {"IpPermissions.1.Groups.1.GroupId", "sg-2"},
                    {"IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"},
                    {"IpPermissions.1.PrefixListIds.1.PrefixListId", "pl-1"},
                    {"IpPermissions.2.IpProtocol", "-1"}});
  EXPECT_EQ(in, json::parse(R"({"GroupId": "sg-1", "IpPermissions": [
      {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
       "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}],
       "UserIdGroupPairs": [{"GroupId": "sg-2"}],
       "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
       "PrefixListIds": [{"PrefixListId": "pl-1"}]},
      {"IpProtocol": "-1"}]})"));
}

TEST(DecodeInput, CreateTagsUsesLocationNames) {
  json in = Decode("CreateTags", {{"ResourceId.1", "vpc-1"}, {"Tag.1.Key", "a"}});
  EXPECT_EQ(in, json::parse(R"({"Resources": ["vpc-1"], "Tags": [{"Key": "a"}]})"));
}

TEST(DecodeInput, EmptyListParameterIsAnEmptyList) {
  json in = Decode("DescribeVpcs", {{"Filter", ""}});
  EXPECT_EQ(in, json::parse(R"({"Filters": []})"));
}

TEST(DecodeInput, LastRepeatedValueWins) {
  json in = Decode("DeleteVpc", {{"VpcId", "vpc-1"}, {"VpcId", "vpc-2"}});
  EXPECT_EQ(in["VpcId"], "vpc-2");
}

TEST(DecodeInput, BooleansAcceptAnyCase) {
  EXPECT_EQ(Decode("DeleteVpc", {{"VpcId", "v"}, {"DryRun", "TRUE"}})["DryRun"], true);
  EXPECT_EQ(Decode("DeleteVpc", {{"VpcId", "v"}, {"DryRun", "False"}})["DryRun"], false);
}

TEST(DecodeInput, UnknownParameters) {
  for (const char* key : {"Bogus", "VpcId", "VpcId.0", "VpcId.x", "VpcId.1.Foo", "Filter.1.Bogus",
                          "Filter.1", "vpcId.1", "MaxResults.1", "Filter..1", "VpcId.-1"}) {
    Status s = DecodeError("DescribeVpcs", {{key, "v"}});
    EXPECT_EQ(s.code(), "UnknownParameter") << key;
    EXPECT_EQ(s.message(), "The parameter " + std::string(key) + " is not recognized");
  }
}

TEST(DecodeInput, UnknownAction) {
  Status s = DecodeError("DescribeUnicorns", {});
  EXPECT_EQ(s.code(), "InvalidAction");
  EXPECT_EQ(s.message(), "The action DescribeUnicorns is not valid for this web service.");
}

TEST(DecodeInput, MalformedIntegersAndBooleans) {
  Status s = DecodeError("DescribeVpcs", {{"MaxResults", "abc"}});
  EXPECT_EQ(s.code(), "InvalidParameterValue");
  EXPECT_EQ(s.message(), "Value (abc) for parameter maxResults is invalid. Expected an integer.");
  for (const char* bad : {"", "1.5", "5x", " 5", "+5", "99999999999999999999"}) {
    EXPECT_EQ(DecodeError("DescribeVpcs", {{"MaxResults", bad}}).code(), "InvalidParameterValue")
        << bad;
  }
  s = DecodeError("DeleteVpc", {{"VpcId", "v"}, {"DryRun", "yes"}});
  EXPECT_EQ(s.code(), "InvalidParameterValue");
  EXPECT_THAT(s.message(), testing::HasSubstr("parameter dryRun"));
  s = DecodeError(
      "RunInstances",
      {{"MinCount", "1"}, {"MaxCount", "1"}, {"NetworkInterface.1.DeviceIndex", "zero"}});
  EXPECT_THAT(s.message(), testing::HasSubstr("networkInterface.1.DeviceIndex"));
}

TEST(DecodeInput, IntegersAreRangeCheckedAgainstTheModel) {
  Status s = DecodeError("DescribeVpcs", {{"MaxResults", "4"}});
  EXPECT_EQ(s.code(), "InvalidParameterValue");
  EXPECT_EQ(s.message(), "Value (4) for parameter maxResults is invalid. Expecting a value >= 5.");
  EXPECT_EQ(DecodeError("DescribeVpcs", {{"MaxResults", "1001"}}).code(), "InvalidParameterValue");
  EXPECT_EQ(Decode("DescribeVpcs", {{"MaxResults", "1000"}})["MaxResults"], 1000);
  // Integer without model bounds: Java int range.
  EXPECT_EQ(DecodeError("RunInstances", {{"MinCount", "1"}, {"MaxCount", "2147483648"}}).code(),
            "InvalidParameterValue");
  EXPECT_EQ(Decode("RunInstances", {{"MinCount", "-1"}, {"MaxCount", "2147483647"}})["MaxCount"],
            2147483647);
}

TEST(DecodeInput, RejectsMalformedUtf8InStrings) {
  EXPECT_EQ(DecodeError("DeleteVpc", {{"VpcId", "vpc-\xff"}}).code(), "InvalidParameterValue");
  EXPECT_EQ(
      Decode("CreateTags", {{"ResourceId.1", "r"}, {"Tag.1.Key", "caf\xc3\xa9"}})["Tags"][0]["Key"],
      "caf\xc3\xa9");
}

TEST(DecodeInput, MissingRequiredTopLevelMember) {
  Status s = DecodeError("CreateSubnet", {{"CidrBlock", "10.0.0.0/24"}});
  EXPECT_EQ(s.code(), "MissingParameter");
  EXPECT_EQ(s.message(), "The request must contain the parameter VpcId");
  s = DecodeError("RunInstances", {{"MinCount", "1"}});
  EXPECT_EQ(s.message(), "The request must contain the parameter MaxCount");
  s = DecodeError("CreateTags", {{"Tag.1.Key", "a"}});
  EXPECT_EQ(s.message(), "The request must contain the parameter ResourceId");
}

TEST(DecodeInput, MissingRequiredMemberOfNestedStructure) {
  // Monitoring.Enabled is required once Monitoring is present.
  Status s =
      DecodeError("RunInstances", {{"MinCount", "1"}, {"MaxCount", "1"}, {"Monitoring", ""}});
  EXPECT_EQ(s.code(), "MissingParameter");
  EXPECT_EQ(s.message(), "The request must contain the parameter Monitoring.Enabled");
  // ... and SecurityGroupRule.N.SecurityGroupRuleId in every element.
  s = DecodeError("ModifySecurityGroupRules",
                  {{"GroupId", "sg-1"},
                   {"SecurityGroupRule.1.SecurityGroupRuleId", "sgr-1"},
                   {"SecurityGroupRule.2.SecurityGroupRule.IpProtocol", "tcp"}});
  EXPECT_EQ(s.message(),
            "The request must contain the parameter SecurityGroupRule.2.SecurityGroupRuleId");
}

TEST(DecodeInput, OperationsWithoutParametersDecodeToAnEmptyObject) {
  EXPECT_EQ(Decode("DescribeRegions", {}), json::object());
  EXPECT_EQ(Decode("CreateInternetGateway", {}), json::object());
}

// A hand-written model in the generator's format, for shapes the EC2 subset
// lacks: an operation with neither input nor output.
constexpr char kTinyModel[] = R"({
  "metadata": {"apiVersion": "2016-11-15", "xmlNamespace": "urn:tiny"},
  "operations": {"Ping": {}, "Echo": {"input": "EchoIn", "output": "EchoOut"}},
  "shapes": {
    "EchoIn": {"type": "structure", "members": {"Text": {"shape": "S", "queryName": "T"}},
               "required": ["Text"]},
    "EchoOut": {"type": "structure", "members": {"Text": {"shape": "S"}}},
    "S": {"type": "string"}}})";

TEST(ApiModel, OperationsWithoutInputOrOutputShapes) {
  StatusOr<ApiModel> m = ApiModel::FromJson(kTinyModel);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  StatusOr<json> in = m->DecodeInput("Ping", {});
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(*in, json::object());
  EXPECT_EQ(m->DecodeInput("Ping", {{"X", "1"}}).status().code(), "UnknownParameter");
  EXPECT_EQ(m->EncodeOutput("Ping", json(), "r"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PingResponse xmlns=\"urn:tiny/\">"
            "<requestId>r</requestId><return>true</return></PingResponse>");
  StatusOr<json> echo = m->DecodeInput("Echo", {{"T", "hi"}});
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(m->EncodeOutput("Echo", *echo, "r"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EchoResponse xmlns=\"urn:tiny/\">"
            "<requestId>r</requestId><Text>hi</Text></EchoResponse>");
}

TEST(ApiModel, FromJsonRejectsCorruptModels) {
  for (const char* bad :
       {"", "[]", "{}", R"({"metadata": {}, "operations": {}, "shapes": {}})",
        R"({"metadata": {"xmlNamespace": "n"}, "operations": {"A": {"input": "X"}},
                              "shapes": {}})",
        R"({"metadata": {"xmlNamespace": "n"}, "operations": {},
                              "shapes": {"M": {"type": "map"}}})"}) {
    StatusOr<ApiModel> m = ApiModel::FromJson(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.status().code(), "InternalError");
  }
}

}  // namespace
}  // namespace minivpc::ec2api
