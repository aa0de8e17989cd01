// Ec2Service's pipeline: the order in which changes reach the store, and
// DescribeNetworkInterfaces over the ENIs-by-subnet index.
#include "ec2api/service.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"

namespace minivpc::ec2api {
namespace {

using nlohmann::json;

// Completes every commit inline and remembers the last document per row.
class RecordingStore : public Store {
 public:
  Status Scan(const RowFn&) override { return Status::Ok(); }
  void Commit(std::vector<RowChange> changes, DoneFn done) override {
    for (auto& c : changes) last_[c.kind + "/" + c.id] = c.doc;
    done(Status::Ok());
  }
  std::optional<json> Last(const std::string& kind, const std::string& id) const {
    auto it = last_.find(kind + "/" + id);
    if (it == last_.end() || !it->second) return std::nullopt;
    return json::parse(*it->second);
  }

 private:
  std::map<std::string, std::optional<std::string>> last_;
};

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() : cloud_({}, &random_, &clock_), svc_(cloud_, store_) {}

  json Ok(const std::string& action, const QueryParams& params) {
    StatusOr<json> out = svc_.ExecuteSync("123456789012", "us-east-1", action, params);
    EXPECT_TRUE(out.ok()) << action << ": " << out.status().ToString();
    return out.ok() ? *out : json::object();
  }
  std::vector<std::string> EniIds(const json& out) {
    std::vector<std::string> ids;
    for (const auto& e : out["NetworkInterfaces"]) ids.push_back(e["NetworkInterfaceId"]);
    return ids;
  }

  SystemRandom random_{1};
  FakeClock clock_;
  Cloud cloud_;
  RecordingStore store_;
  Ec2Service svc_;
};

TEST_F(ServiceTest, ChangesReachTheStoreInTheOrderTheyWereMade) {
  std::string vpc = Ok("CreateVpc", {{"CidrBlock", "10.0.0.0/16"}})["Vpc"]["VpcId"];
  // A second write of the same row runs between the first write's release
  // of the lock and anything the first write does afterwards.
  bool nested = false;
  svc_.SetChangeHook([&] {
    if (nested) return;
    nested = true;
    Ok("ModifyVpcAttribute", {{"VpcId", vpc}, {"EnableDnsHostnames.Value", "true"}});
  });
  Ok("ModifyVpcAttribute", {{"VpcId", vpc}, {"EnableDnsSupport.Value", "false"}});
  ASSERT_TRUE(nested);
  std::optional<json> row = store_.Last("vpc", vpc);
  ASSERT_TRUE(row.has_value());
  // The stored row has both changes: the older copy did not land last.
  EXPECT_EQ((*row)["enable_dns_support"], false);
  EXPECT_EQ((*row)["enable_dns_hostnames"], true);
}

TEST_F(ServiceTest, DescribeNetworkInterfacesBySubnetReturnsExactlyThoseSubnets) {
  std::string vpc = Ok("CreateVpc", {{"CidrBlock", "10.0.0.0/16"}})["Vpc"]["VpcId"];
  std::vector<std::string> subnets;
  std::map<std::string, std::vector<std::string>> enis;
  for (int i = 0; i < 3; ++i) {
    std::string cidr = "10.0." + std::to_string(i) + ".0/24";
    subnets.push_back(
        Ok("CreateSubnet", {{"VpcId", vpc}, {"CidrBlock", cidr}})["Subnet"]["SubnetId"]);
    for (int n = 0; n < 3; ++n) {
      enis[subnets.back()].push_back(
          Ok("CreateNetworkInterface",
             {{"SubnetId", subnets.back()}})["NetworkInterface"]["NetworkInterfaceId"]);
    }
    std::sort(enis[subnets.back()].begin(), enis[subnets.back()].end());
  }
  json one = Ok("DescribeNetworkInterfaces",
                {{"Filter.1.Name", "subnet-id"}, {"Filter.1.Value.1", subnets[1]}});
  EXPECT_EQ(EniIds(one), enis[subnets[1]]);

  json two = Ok("DescribeNetworkInterfaces", {{"Filter.1.Name", "subnet-id"},
                                              {"Filter.1.Value.1", subnets[0]},
                                              {"Filter.1.Value.2", subnets[2]}});
  std::vector<std::string> want = enis[subnets[0]];
  want.insert(want.end(), enis[subnets[2]].begin(), enis[subnets[2]].end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(EniIds(two), want);

  // Other filters still apply to the subnet's ENIs; wildcards still work.
  json anded = Ok("DescribeNetworkInterfaces", {{"Filter.1.Name", "subnet-id"},
                                                {"Filter.1.Value.1", subnets[1]},
                                                {"Filter.2.Name", "network-interface-id"},
                                                {"Filter.2.Value.1", enis[subnets[0]][0]}});
  EXPECT_TRUE(EniIds(anded).empty());
  json wild =
      Ok("DescribeNetworkInterfaces",
         {{"Filter.1.Name", "subnet-id"}, {"Filter.1.Value.1", subnets[1].substr(0, 9) + "*"}});
  EXPECT_GE(EniIds(wild).size(), 3u);
  json none = Ok("DescribeNetworkInterfaces", {{"Filter.1.Name", "subnet-id"},
                                               {"Filter.1.Value.1", "subnet-0123456789abcdef0"}});
  EXPECT_TRUE(EniIds(none).empty());

  // Pagination over the index.
  json page = Ok("DescribeNetworkInterfaces", {{"Filter.1.Name", "subnet-id"},
                                               {"Filter.1.Value.1", subnets[0]},
                                               {"Filter.1.Value.2", subnets[2]},
                                               {"MaxResults", "5"}});
  ASSERT_EQ(EniIds(page).size(), 5u);
  json rest = Ok("DescribeNetworkInterfaces", {{"Filter.1.Name", "subnet-id"},
                                               {"Filter.1.Value.1", subnets[0]},
                                               {"Filter.1.Value.2", subnets[2]},
                                               {"MaxResults", "5"},
                                               {"NextToken", page["NextToken"]}});
  std::vector<std::string> all = EniIds(page);
  for (const auto& id : EniIds(rest)) all.push_back(id);
  EXPECT_EQ(all, want);
}

}  // namespace
}  // namespace minivpc::ec2api
