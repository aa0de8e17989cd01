#include "live/flow_log_writer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "vpc/flow_logs.h"
#include "vpc/network_interfaces.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc::live {
namespace {

namespace fs = std::filesystem;

constexpr char kEni[] = "eni-0123456789abcdef0";
constexpr char kFl[] = "fl-0123456789abcdef0";

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

ActiveFlowLog Log(const std::string& traffic = "ALL", int interval = 60) {
  ActiveFlowLog a;
  a.flow_log_id = kFl;
  a.interface_id = kEni;
  a.account_id = "123456789012";
  a.vpc_id = "vpc-0123456789abcdef0";
  a.subnet_id = "subnet-0123456789abcdef0";
  a.region = "us-east-1";
  a.az_id = "use1-az1";
  a.traffic_type = traffic;
  a.interval_s = interval;
  a.log_format = std::string(kDefaultLogFormat);
  a.destination_type = "cloud-watch-logs";
  a.log_group_name = "flows";
  a.log_destination = "arn:aws:logs:us-east-1:123456789012:log-group:flows";
  return a;
}

// A TCP packet from 10.0.1.5:40000 to 10.0.1.6:80 seen at kEni.
FlowSample Packet(uint64_t t, bool accept = true, uint16_t src_port = 40000) {
  FlowSample s;
  s.interface_id = kEni;
  s.src = Ip("10.0.1.5");
  s.dst = Ip("10.0.1.6");
  s.src_port = src_port;
  s.dst_port = 80;
  s.protocol = 6;
  s.bytes = 100;
  s.accept = accept;
  s.egress = true;
  s.time_s = t;
  return s;
}

class FlowLogWriterTest : public ::testing::Test {
 protected:
  FlowLogWriterTest() {
    std::string tmpl = (fs::temp_directory_path() / "flowlogs-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  ~FlowLogWriterTest() override { fs::remove_all(dir_); }

  std::vector<std::string> Lines(const std::string& rel) {
    std::ifstream in(fs::path(dir_) / rel);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  std::vector<std::string> EniLines() {
    return Lines(std::string("cloud-watch-logs/flows/") + kEni + ".log");
  }

  std::string dir_;
};

TEST_F(FlowLogWriterTest, AggregatesAFlowIntoOneRecordPerWindow) {
  FlowLogWriter w(dir_);
  w.Configure({Log()});
  w.Record(Packet(1000));
  w.Record(Packet(1005));
  w.Record(Packet(1010));
  w.Flush(1019);  // the window [960, 1020) has not ended
  EXPECT_TRUE(EniLines().empty());
  w.Flush(1020);
  EXPECT_EQ(EniLines(), std::vector<std::string>{
                            "2 123456789012 eni-0123456789abcdef0 10.0.1.5 10.0.1.6 40000 80 6 3 "
                            "300 1000 1010 ACCEPT OK"});
  EXPECT_EQ(w.stats().records_written, 1u);
}

TEST_F(FlowLogWriterTest, SeparatesFlowsByTupleAndAction) {
  FlowLogWriter w(dir_);
  w.Configure({Log()});
  w.Record(Packet(1000, true, 40000));
  w.Record(Packet(1001, true, 40001));
  w.Record(Packet(1002, false, 40000));
  w.Flush(1020);
  std::vector<std::string> lines = EniLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find(" 40000 80 6 1 100 1000 1000 ACCEPT OK"), std::string::npos);
  EXPECT_NE(lines[1].find(" 40001 80 6 1 100 1001 1001 ACCEPT OK"), std::string::npos);
  EXPECT_NE(lines[2].find(" 40000 80 6 1 100 1002 1002 REJECT OK"), std::string::npos);
}

TEST_F(FlowLogWriterTest, WindowsFollowTheAggregationInterval) {
  FlowLogWriter w(dir_);
  w.Configure({Log("ALL", 600)});
  w.Record(Packet(599));
  w.Record(Packet(601));
  w.Flush(1199);
  ASSERT_EQ(EniLines().size(), 1u);
  EXPECT_NE(EniLines()[0].find(" 599 599 ACCEPT OK"), std::string::npos);
  w.Flush(1200);
  ASSERT_EQ(EniLines().size(), 2u);
  EXPECT_NE(EniLines()[1].find(" 601 601 ACCEPT OK"), std::string::npos);
}

TEST_F(FlowLogWriterTest, WritesNodataForIdleWindowsOnceTheEniHadTraffic) {
  FlowLogWriter w(dir_);
  w.Configure({Log()});
  w.Flush(600);
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "cloud-watch-logs"));  // no traffic yet: no stream
  w.Record(Packet(610));
  w.Flush(840);
  std::vector<std::string> lines = EniLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "2 123456789012 eni-0123456789abcdef0 - - - - - - - 660 840 - NODATA");
  w.Flush(900);
  EXPECT_EQ(EniLines().back(),
            "2 123456789012 eni-0123456789abcdef0 - - - - - - - 840 900 - NODATA");
}

TEST_F(FlowLogWriterTest, TrafficTypeSelectsAcceptedRejectedOrAll) {
  FlowLogWriter w(dir_);
  ActiveFlowLog accept = Log("ACCEPT"), reject = Log("REJECT"), all = Log("ALL");
  accept.log_group_name = "accept";
  reject.log_group_name = "reject";
  accept.flow_log_id = "fl-00000000000000001";
  reject.flow_log_id = "fl-00000000000000002";
  w.Configure({accept, reject, all});
  w.Record(Packet(1000, true));
  w.Record(Packet(1001, false));
  w.Flush(1020);
  auto lines = [&](const char* group) {
    return Lines(std::string("cloud-watch-logs/") + group + "/" + kEni + ".log");
  };
  ASSERT_EQ(lines("accept").size(), 1u);
  EXPECT_NE(lines("accept")[0].find("ACCEPT OK"), std::string::npos);
  ASSERT_EQ(lines("reject").size(), 1u);
  EXPECT_NE(lines("reject")[0].find("REJECT OK"), std::string::npos);
  EXPECT_EQ(lines("flows").size(), 2u);
}

TEST_F(FlowLogWriterTest, FilteredTrafficIsNeitherRecordedNorNodata) {
  FlowLogWriter w(dir_);
  w.Configure({Log("REJECT")});
  w.Record(Packet(1000, false));
  w.Record(Packet(1030, true));  // only accepted traffic in [1020, 1080)
  w.Flush(1140);
  std::vector<std::string> lines = EniLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("REJECT OK"), std::string::npos);
  EXPECT_NE(lines[1].find("1080 1140 - NODATA"), std::string::npos);
}

TEST_F(FlowLogWriterTest, CapsFlowsPerWindowAndWritesSkipdata) {
  FlowLogWriter w(dir_, {.max_flows_per_window = 2, .max_pending_windows = 4});
  w.Configure({Log()});
  for (uint16_t port = 1; port <= 3; ++port) w.Record(Packet(1000, true, port));
  w.Record(Packet(1001, true, 1));  // an existing flow still aggregates
  w.Flush(1020);
  std::vector<std::string> lines = EniLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[1].find(" 1 80 6 2 200 1000 1001 ACCEPT OK"), std::string::npos);
  EXPECT_EQ(lines[2], "2 123456789012 eni-0123456789abcdef0 - - - - - - - 960 1020 - SKIPDATA");
  EXPECT_EQ(w.stats().dropped_flows, 1u);
}

TEST_F(FlowLogWriterTest, BoundsPendingWindowsAndDropsLateSamples) {
  FlowLogWriter w(dir_, {.max_flows_per_window = 10, .max_pending_windows = 2});
  w.Configure({Log()});
  w.Record(Packet(0));
  w.Record(Packet(60));
  w.Record(Packet(120));  // a third pending window: dropped
  EXPECT_EQ(w.stats().dropped_samples, 1u);
  w.Flush(120);
  w.Record(Packet(30));  // its window was written already
  EXPECT_EQ(w.stats().dropped_samples, 2u);
  EXPECT_EQ(EniLines().size(), 2u);
}

TEST_F(FlowLogWriterTest, CustomFormatChoosesFieldsAndOrder) {
  FlowLogWriter w(dir_);
  ActiveFlowLog a = Log();
  a.log_format = "${dstport} ${srcaddr} ${action} ${vpc-id} ${instance-id} ${version} ${az-id}";
  w.Configure({a});
  w.Record(Packet(1000));
  w.Flush(1020);
  EXPECT_EQ(EniLines(),
            std::vector<std::string>{"80 10.0.1.5 ACCEPT vpc-0123456789abcdef0 - 4 use1-az1"});
}

TEST_F(FlowLogWriterTest, RecordsTcpFlagsDirectionAndType) {
  FlowLogWriter w(dir_);
  ActiveFlowLog a = Log();
  a.log_format = "${tcp-flags} ${flow-direction} ${type} ${pkt-dstaddr} ${ecs-task-id}";
  w.Configure({a});
  FlowSample s = Packet(1000);
  s.tcp_flags = 0x02;  // SYN
  w.Record(s);
  s.tcp_flags = 0x10;  // ACK alone is not recorded
  w.Record(s);
  s.tcp_flags = 0x11;  // FIN-ACK
  w.Record(s);
  FlowSample in = Packet(1000);
  in.egress = false;
  in.src = Ip("10.0.1.6");
  in.dst = Ip("10.0.1.5");
  in.pkt_dst = Ip("198.18.0.9");
  in.tcp_flags = 0x12;  // SYN-ACK
  w.Record(in);
  w.Flush(1020);
  std::set<std::string> lines;
  for (const auto& l : EniLines()) lines.insert(l);
  EXPECT_EQ(lines,
            (std::set<std::string>{"3 egress IPv4 10.0.1.6 -", "18 ingress IPv4 198.18.0.9 -"}));
}

TEST_F(FlowLogWriterTest, IgnoresTrafficAwsDoesNotLog) {
  FlowLogWriter w(dir_);
  ActiveFlowLog a = Log();
  a.unlogged = {Ip("10.0.0.2")};
  w.Configure({a});
  FlowSample s = Packet(1000);
  s.dst = Ip("169.254.169.254");
  w.Record(s);
  s.dst = Ip("10.0.0.2");
  w.Record(s);
  s = Packet(1000);
  s.protocol = 17;
  s.dst_port = 67;
  w.Record(s);
  w.Flush(5000);
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "cloud-watch-logs"));
}

TEST_F(FlowLogWriterTest, ReconfigureKeepsPendingWindowsOfKeptPairs) {
  FlowLogWriter w(dir_);
  ActiveFlowLog other = Log();
  other.flow_log_id = "fl-00000000000000009";
  other.log_group_name = "other";
  w.Configure({Log(), other});
  w.Record(Packet(1000));
  w.Configure({Log()});  // `other` was deleted
  w.Flush(1020);
  EXPECT_EQ(EniLines().size(), 1u);
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "cloud-watch-logs/other"));
}

TEST_F(FlowLogWriterTest, MapsDestinationsToSafeFilePaths) {
  ActiveFlowLog a = Log();
  a.log_group_name = "/aws/vpc/flows";
  EXPECT_EQ(FlowLogFilePath(a), "cloud-watch-logs/%2Faws%2Fvpc%2Fflows/eni-0123456789abcdef0.log");
  a.log_group_name = "..";
  EXPECT_EQ(FlowLogFilePath(a), "cloud-watch-logs/%2E./eni-0123456789abcdef0.log");
  a.destination_type = "s3";
  a.log_destination = "arn:aws:s3:::my-bucket";
  EXPECT_EQ(FlowLogFilePath(a), "s3/my-bucket/fl-0123456789abcdef0.log");
  a.log_destination = "arn:aws:s3:::my-bucket/a//b/../";
  EXPECT_EQ(FlowLogFilePath(a), "s3/my-bucket/a/b/%2E./fl-0123456789abcdef0.log");
  a.destination_type = "kinesis-data-firehose";
  a.log_destination = "arn:aws:firehose:us-east-1:123456789012:deliverystream/my stream";
  EXPECT_EQ(FlowLogFilePath(a), "kinesis-data-firehose/my%20stream/fl-0123456789abcdef0.log");
}

TEST_F(FlowLogWriterTest, S3FilesStartWithAHeaderLine) {
  FlowLogWriter w(dir_);
  ActiveFlowLog a = Log();
  a.destination_type = "s3";
  a.log_destination = "arn:aws:s3:::my-bucket/flows/";
  a.log_format = "${srcaddr} ${action}";
  w.Configure({a});
  w.Record(Packet(1000));
  w.Flush(1020);
  w.Record(Packet(1030));
  w.Flush(1080);
  EXPECT_EQ(Lines("s3/my-bucket/flows/fl-0123456789abcdef0.log"),
            (std::vector<std::string>{"srcaddr action", "10.0.1.5 ACCEPT", "10.0.1.5 ACCEPT"}));
}

TEST_F(FlowLogWriterTest, CountsFilesThatCannotBeWritten) {
  fs::path blocker = fs::path(dir_) / "file";
  std::ofstream(blocker) << "x";
  FlowLogWriter w(blocker.string());  // a file, not a directory
  w.Configure({Log()});
  w.Record(Packet(1000));
  w.Flush(1020);
  EXPECT_EQ(w.stats().write_errors, 1u);
}

TEST(ActiveFlowLogs, CoverEveryEniOfTheVpcSubnetOrEni) {
  SystemRandom random(1);
  FakeClock clock;
  Cloud cloud({}, &random, &clock);
  RegionState& r = cloud.EmptyRegion("123456789012", "us-east-1");
  CreateVpcArgs v;
  v.cidr_block = "10.0.0.0/16";
  std::string vpc = *CreateVpc(r, v);
  auto subnet = [&](const char* cidr) {
    CreateSubnetArgs s;
    s.vpc_id = vpc;
    s.cidr_block = cidr;
    return *CreateSubnet(r, s);
  };
  auto eni = [&](const std::string& subnet_id) {
    CreateNetworkInterfaceArgs e;
    e.subnet_id = subnet_id;
    return *CreateNetworkInterface(r, e);
  };
  std::string s1 = subnet("10.0.1.0/24"), s2 = subnet("10.0.2.0/24");
  std::string e1 = eni(s1), e2 = eni(s2);
  auto create = [&](const char* type, const std::string& id, const char* group) {
    CreateFlowLogsArgs a;
    a.resource_type = type;
    a.resource_ids = {id};
    a.traffic_type = "ALL";
    a.log_group_name = group;
    a.deliver_logs_permission_arn = "arn:aws:iam::123456789012:role/flows";
    return CreateFlowLogs(r, a)->flow_log_ids.at(0);
  };
  std::string on_vpc = create("VPC", vpc, "v");
  std::string on_s2 = create("Subnet", s2, "s");
  std::string on_e1 = create("NetworkInterface", e1, "e");
  cloud.journal().TakeDirty();

  std::set<std::pair<std::string, std::string>> pairs;
  for (const ActiveFlowLog& a : ActiveFlowLogsFromCloud(cloud)) {
    pairs.insert({a.flow_log_id, a.interface_id});
    EXPECT_EQ(a.account_id, "123456789012");
    EXPECT_EQ(a.vpc_id, vpc);
    EXPECT_EQ(a.region, "us-east-1");
    EXPECT_EQ(a.unlogged.size(), 2u);  // the subnet router and the Amazon DNS
  }
  EXPECT_EQ(pairs, (std::set<std::pair<std::string, std::string>>{
                       {on_vpc, e1}, {on_vpc, e2}, {on_s2, e2}, {on_e1, e1}}));
}

}  // namespace
}  // namespace minivpc::live
