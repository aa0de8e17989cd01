#include "store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>

#include "store/persistence.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

std::string TempDb() {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("minivpc-store-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "state.db").string();
}

Status CommitSync(Store& store, std::vector<RowChange> changes) {
  std::promise<Status> done;
  store.Commit(std::move(changes), [&](Status s) { done.set_value(s); });
  return done.get_future().get();
}

TEST(SqliteStore, RestartRestoresEveryIdAddressAndAssociation) {
  std::string path = TempDb();
  SystemRandom random(3);
  FakeClock clock;
  std::string vpc_id, subnet_id, acl_assoc;
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Cloud cloud({}, &random, &clock);
    RegionState& r = cloud.EmptyRegion("123456789012", "eu-west-1");
    CreateVpcArgs args;
    args.cidr_block = "10.0.0.0/16";
    args.amazon_provided_ipv6 = true;
    vpc_id = CreateVpc(r, args).value();
    CreateSubnetArgs s;
    s.vpc_id = vpc_id;
    s.cidr_block = "10.0.1.0/24";
    subnet_id = CreateSubnet(r, s).value();
    acl_assoc = r.subnets.Find(subnet_id)->network_acl_association_id;
    ASSERT_TRUE(CommitSync(**store, CollectChanges(cloud.journal().TakeDirty())).ok());
  }
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok());
  Cloud cloud({}, &random, &clock);
  size_t rows = 0;
  ASSERT_TRUE(RestoreCloud(**store, cloud, &rows).ok());
  EXPECT_EQ(rows, 6u);  // meta, vpc, subnet, route table, acl, security group
  RegionState* r = cloud.FindRegion("123456789012", "eu-west-1");
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->vpcs.Contains(vpc_id));
  EXPECT_EQ(r->subnets.Find(subnet_id)->network_acl_association_id, acl_assoc);
  EXPECT_EQ(r->subnets_by_vpc[vpc_id].count(subnet_id), 1u);  // indexes rebuilt
  EXPECT_EQ(r->vpcs.Find(vpc_id)->ipv6_cidrs.size(), 1u);
}

TEST(SqliteStore, DeletesArePersisted) {
  std::string path = TempDb();
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(CommitSync(**store, {{"a/r", "vpc", "vpc-1", "{\"id\":\"vpc-1\"}"}}).ok());
  ASSERT_TRUE(CommitSync(**store, {{"a/r", "vpc", "vpc-1", std::nullopt}}).ok());
  int n = 0;
  ASSERT_TRUE((*store)->Scan([&](auto, auto, auto, auto) { ++n; }).ok());
  EXPECT_EQ(n, 0);
}

TEST(SqliteStore, ConcurrentCommitsAllBecomeDurable) {
  std::string path = TempDb();
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.ok());
    std::atomic<int> acked{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          std::string id = "eni-" + std::to_string(t * 1000 + i);
          if (CommitSync(**store, {{"a/r", "network-interface", id, "{}"}}).ok()) ++acked;
        }
      });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(acked.load(), 200);
  }
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok());
  int n = 0;
  ASSERT_TRUE((*store)->Scan([&](auto, auto, auto, auto) { ++n; }).ok());
  EXPECT_EQ(n, 200);
}

TEST(SqliteStore, UnopenablePathIsAnErrorNotACrash) {
  auto store = OpenSqliteStore("/proc/definitely/not/here.db");
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace minivpc
