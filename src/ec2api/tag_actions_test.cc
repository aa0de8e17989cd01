// CreateTags / DeleteTags / DescribeTags through the service, over every
// resource kind EC2 lets you tag.
#include <gtest/gtest.h>

#include "ec2api/service.h"
#include "store/store.h"
#include "vpc/cloud.h"

namespace minivpc::ec2api {
namespace {

using nlohmann::json;

class TagActionsTest : public ::testing::Test {
 protected:
  TagActionsTest()
      : cloud_({}, &random_, &clock_), store_(NewMemoryStore()), svc_(cloud_, *store_) {}

  StatusOr<json> Call(const std::string& action, const QueryParams& params) {
    return svc_.ExecuteSync("123456789012", "us-east-1", action, params);
  }
  json Ok(const std::string& action, const QueryParams& params) {
    StatusOr<json> out = Call(action, params);
    EXPECT_TRUE(out.ok()) << action << ": " << out.status().ToString();
    return out.ok() ? *out : json::object();
  }

  // A VPC with one subnet and one ENI; returns {vpc, eni}.
  std::pair<std::string, std::string> Network() {
    std::string vpc = Ok("CreateVpc", {{"CidrBlock", "10.0.0.0/16"}})["Vpc"]["VpcId"];
    std::string subnet =
        Ok("CreateSubnet", {{"VpcId", vpc}, {"CidrBlock", "10.0.1.0/24"}})["Subnet"]["SubnetId"];
    std::string eni = Ok("CreateNetworkInterface",
                         {{"SubnetId", subnet}})["NetworkInterface"]["NetworkInterfaceId"];
    return {vpc, eni};
  }

  // resource id -> resource type, for the tags with key `key`.
  std::map<std::string, std::string> Tagged(const std::string& key) {
    std::map<std::string, std::string> out;
    json tags = Ok("DescribeTags", {{"Filter.1.Name", "key"}, {"Filter.1.Value.1", key}})["Tags"];
    for (const auto& t : tags) out[t["ResourceId"]] = t["ResourceType"];
    return out;
  }

  SystemRandom random_{1};
  FakeClock clock_;
  Cloud cloud_;
  std::unique_ptr<Store> store_;
  Ec2Service svc_;
};

TEST_F(TagActionsTest, TagsFlowLogsAndNetworkInsightsPathsAndAnalyses) {
  auto [vpc, eni] = Network();
  std::string fl = Ok(
      "CreateFlowLogs",
      {{"ResourceId.1", vpc},
       {"ResourceType", "VPC"},
       {"TrafficType", "ALL"},
       {"LogGroupName", "g"},
       {"DeliverLogsPermissionArn", "arn:aws:iam::123456789012:role/flow-logs"}})["FlowLogIds"][0];
  std::string nip = Ok("CreateNetworkInsightsPath",
                       {{"Source", eni},
                        {"DestinationIp", "10.0.1.200"},
                        {"Protocol", "tcp"},
                        {"ClientToken", "path-1"}})["NetworkInsightsPath"]["NetworkInsightsPathId"];
  std::string nia =
      Ok("StartNetworkInsightsAnalysis",
         {{"NetworkInsightsPathId", nip},
          {"ClientToken", "analysis-1"}})["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"];

  Ok("CreateTags", {{"ResourceId.1", fl},
                    {"ResourceId.2", nip},
                    {"ResourceId.3", nia},
                    {"ResourceId.4", vpc},
                    {"Tag.1.Key", "team"},
                    {"Tag.1.Value", "net"}});
  std::map<std::string, std::string> want = {{fl, "vpc-flow-log"},
                                             {nip, "network-insights-path"},
                                             {nia, "network-insights-analysis"},
                                             {vpc, "vpc"}};
  EXPECT_EQ(Tagged("team"), want);

  json by_type = Ok("DescribeTags", {{"Filter.1.Name", "resource-type"},
                                     {"Filter.1.Value.1", "network-insights-path"}})["Tags"];
  ASSERT_EQ(by_type.size(), 1u);
  EXPECT_EQ(by_type[0]["ResourceId"], nip);
  // The resources' own Describe calls show the tag too.
  json flow = Ok("DescribeFlowLogs", {{"FlowLogId.1", fl}})["FlowLogs"][0];
  EXPECT_EQ(flow["Tags"], json::parse(R"([{"Key": "team", "Value": "net"}])"));

  Ok("DeleteTags", {{"ResourceId.1", fl}, {"ResourceId.2", nip}, {"ResourceId.3", nia}});
  EXPECT_EQ(Tagged("team"), (std::map<std::string, std::string>{{vpc, "vpc"}}));
}

TEST_F(TagActionsTest, UnknownIdsOfTheNewKindsAreNotFound) {
  struct Case {
    const char* id;
    const char* code;
  };
  for (const Case& c : {Case{"nip-0123456789abcdef0", "InvalidNetworkInsightsPathId.NotFound"},
                        Case{"nia-0123456789abcdef0", "InvalidNetworkInsightsAnalysisId.NotFound"},
                        Case{"fl-0123456789abcdef0", "InvalidFlowLogId.NotFound"},
                        Case{"dopt-0123456789abcdef0", "InvalidID"}}) {
    StatusOr<json> out =
        Call("CreateTags", {{"ResourceId.1", c.id}, {"Tag.1.Key", "k"}, {"Tag.1.Value", "v"}});
    ASSERT_FALSE(out.ok()) << c.id;
    EXPECT_EQ(out.status().code(), c.code) << c.id;
  }
}

TEST_F(TagActionsTest, AFailingIdLeavesTheOtherResourcesUntagged) {
  auto [vpc, eni] = Network();
  StatusOr<json> out = Call("CreateTags", {{"ResourceId.1", vpc},
                                           {"ResourceId.2", "fl-0123456789abcdef0"},
                                           {"Tag.1.Key", "k"},
                                           {"Tag.1.Value", "v"}});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(Tagged("k").empty());
}

}  // namespace
}  // namespace minivpc::ec2api
