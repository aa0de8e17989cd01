// Pipeline::ProcessBurst's remembered denials (Pipeline::Denial): a flow
// the sender's security groups denied is denied again without a lookup,
// and only while nothing that decides it has changed: the configuration
// (snapshot generation), and whether the sender tracks the flow, also when
// an earlier packet of the same burst starts to track it. Also: the ports
// of non-first fragments, which both paths take from the fragment table.
#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "dataplane/pipeline.h"
#include "dataplane/pipeline_internal.h"
#include "dataplane/snapshot.h"
#include "vpc/cloud.h"

namespace minivpc::dp {
namespace {

IpAddress Ip(const char* text) { return IpAddress::Parse(text).value(); }
Cidr Net(const char* text) { return Cidr::Parse(text).value(); }

template <typename T>
T Row(const std::string& id) {
  T row;
  row.id = id;
  row.vpc_id = "vpc-1";
  return row;
}

SecurityGroupRule AllFromAnywhere(bool egress) {
  SecurityGroupRule rule;
  rule.is_egress = egress;
  rule.ip_protocol = "-1";
  rule.cidr = Net("0.0.0.0/0");
  return rule;
}

// One VPC and subnet (local routes only). ENI "eni-a" (10.0.1.10) is in
// group "sg-in": inbound from anywhere, no outbound rules. ENI "eni-b"
// (10.0.1.20) is in "sg-open": everything both ways.
class PipelineBurstTest : public ::testing::Test {
 protected:
  PipelineBurstTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    Vpc vpc;
    vpc.id = "vpc-1";
    vpc.cidr = Net("10.0.0.0/16");
    vpc.main_route_table_id = "rtb-main";
    r_.vpcs.Put(vpc);
    auto main = Row<RouteTable>("rtb-main");
    Route local;
    local.destination = Net("10.0.0.0/16");
    local.gateway_id = "local";
    main.routes = {local};
    r_.route_tables.Put(main);
    r_.network_acls.Put(Row<NetworkAcl>("acl-1"));  // one subnet: never consulted
    auto subnet = Row<Subnet>("subnet-1");
    subnet.cidr = Net("10.0.1.0/24");
    subnet.network_acl_id = "acl-1";
    r_.subnets.Put(subnet);
    auto in = Row<SecurityGroup>("sg-in");
    in.rules = {AllFromAnywhere(false)};
    r_.security_groups.Put(in);
    auto open = Row<SecurityGroup>("sg-open");
    open.rules = {AllFromAnywhere(false), AllFromAnywhere(true)};
    r_.security_groups.Put(open);
    Eni("eni-a", "10.0.1.10", "sg-in");
    Eni("eni-b", "10.0.1.20", "sg-open");
  }

  void Eni(const std::string& id, const char* ip, const std::string& group) {
    const std::string instance = "i-" + id.substr(4);
    auto inst = Row<Instance>(instance);
    inst.state = "running";
    r_.instances.Put(inst);
    auto eni = Row<NetworkInterface>(id);
    eni.subnet_id = "subnet-1";
    eni.private_ips.push_back({Ip(ip), true, std::nullopt});
    eni.group_ids = {group};
    eni.attachment = EniAttachment();
    eni.attachment->id = "eni-attach-" + id;
    eni.attachment->instance_id = instance;
    r_.enis.Put(eni);
  }

  int32_t Index(const Snapshot& s, const std::string& id) {
    for (size_t i = 0; i < s.enis.size(); ++i) {
      if (s.enis[i].id == id) return static_cast<int32_t>(i);
    }
    return -1;
  }

  static PacketHeaders Tcp(const char* src, const char* dst, uint16_t sport, uint16_t dport) {
    PacketHeaders h;
    h.src = Ip(src);
    h.dst = Ip(dst);
    h.family = IpFamily::kV4;
    h.protocol = 6;
    h.src_port = sport;
    h.dst_port = dport;
    return h;
  }

  // One burst; every verdict must equal the full evaluation's (Process
  // with an explanation, on its own table fed the same packets).
  std::vector<Verdict> Burst(const Snapshot& s, const std::vector<BurstItem>& items) {
    std::vector<Verdict> out(items.size());
    fast_.ProcessBurst(s, items, now_, out.data());
    for (size_t i = 0; i < items.size(); ++i) {
      Explanation why;
      const Verdict want = full_.Process(s, *items[i].headers, items[i].in, now_, &why);
      EXPECT_EQ(out[i].outcome, want.outcome) << "packet " << i;
      EXPECT_EQ(out[i].reason, want.reason) << "packet " << i;
      EXPECT_EQ(out[i].eni, want.eni) << "packet " << i;
      EXPECT_EQ(out[i].established, want.established) << "packet " << i;
    }
    return out;
  }

  SystemRandom random_{7};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  Conntrack fast_ct_{Conntrack::Options{.max_entries = 1024}};
  Conntrack full_ct_{Conntrack::Options{.max_entries = 1024}};
  Pipeline fast_{&fast_ct_};
  Pipeline full_{&full_ct_};
  uint32_t now_ = 1000;
};

TEST_F(PipelineBurstTest, RemembersADenialUntilTheConfigurationChanges) {
  auto s = Snapshot::Compile(r_, 1);
  const int32_t a = Index(*s, "eni-a");
  const PacketHeaders out = Tcp("10.0.1.10", "10.0.1.20", 40000, 80);
  const std::vector<BurstItem> burst = {{&out, Ingress::FromEni(a)}};
  // Remembered at the second denial (see Pipeline::Denial), recalled from
  // the third on.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Burst(*s, burst)[0].reason, DropReason::kSecurityGroup);
  EXPECT_EQ(fast_.denials_recalled(), 0u);
  EXPECT_EQ(Burst(*s, burst)[0].reason, DropReason::kSecurityGroup);
  EXPECT_EQ(fast_.denials_recalled(), 1u);
  // Another port is another flow: not remembered.
  const PacketHeaders other = Tcp("10.0.1.10", "10.0.1.20", 40000, 81);
  EXPECT_EQ(Burst(*s, {{&other, Ingress::FromEni(a)}})[0].reason, DropReason::kSecurityGroup);
  EXPECT_EQ(fast_.denials_recalled(), 1u);
  EXPECT_EQ(fast_.drops(DropReason::kSecurityGroup), full_.drops(DropReason::kSecurityGroup));

  // Allow the traffic: a new generation, the denial no longer holds.
  r_.security_groups.Update("sg-in",
                            [](SecurityGroup& g) { g.rules.push_back(AllFromAnywhere(true)); });
  auto allowed = Snapshot::Compile(r_, 2);
  EXPECT_EQ(Burst(*allowed, burst)[0].outcome, Outcome::kDeliveredToEni);
  EXPECT_EQ(fast_.denials_recalled(), 1u);
}

TEST_F(PipelineBurstTest, ARememberedDenialYieldsToAFlowTrackedSince) {
  auto s = Snapshot::Compile(r_, 1);
  const int32_t a = Index(*s, "eni-a"), b = Index(*s, "eni-b");
  const PacketHeaders from_a = Tcp("10.0.1.10", "10.0.1.20", 40000, 80);
  const PacketHeaders from_b = Tcp("10.0.1.20", "10.0.1.10", 80, 40000);
  const BurstItem denied = {&from_a, Ingress::FromEni(a)};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Burst(*s, {denied})[0].reason, DropReason::kSecurityGroup);
  EXPECT_EQ(fast_.denials_recalled(), 1u);
  // B opens the reverse flow, which A admits (and tracks), then A's packet
  // in the same burst: a reply of that flow, delivered.
  auto v = Burst(*s, {{&from_b, Ingress::FromEni(b)}, denied});
  EXPECT_EQ(v[0].outcome, Outcome::kDeliveredToEni);
  EXPECT_EQ(v[1].outcome, Outcome::kDeliveredToEni);
  EXPECT_TRUE(v[1].established);
  EXPECT_EQ(fast_.denials_recalled(), 1u);
  // And in later bursts.
  EXPECT_EQ(Burst(*s, {denied})[0].outcome, Outcome::kDeliveredToEni);
  EXPECT_EQ(fast_.denials_recalled(), 1u);
}

// Two denied flows in the same set of the denial table (the same sender's
// bucket: this table has 2,048) are both remembered, and stay remembered
// when the filter in front of the table starts afresh.
TEST_F(PipelineBurstTest, RemembersTwoDenialsInOneSetAcrossFilterRestarts) {
  auto s = Snapshot::Compile(r_, 1);
  const int32_t a = Index(*s, "eni-a");
  const PacketHeaders first = Tcp("10.0.1.10", "10.0.1.20", 40000, 80);
  auto bucket = [&](const PacketHeaders& h) {
    return fast_ct_.Bucket(
        internal::KeyOf(h.src, h.dst, h.src_port, h.dst_port, 6, 1, s->hot[a].key));
  };
  PacketHeaders second = first;
  for (second.dst_port = 81; bucket(second) != bucket(first); ++second.dst_port) {
    ASSERT_LT(second.dst_port, 60000);
  }
  const std::vector<BurstItem> both = {{&first, Ingress::FromEni(a)},
                                       {&second, Ingress::FromEni(a)}};
  // The first packet sets the bucket's filter bit, each later one is
  // remembered (the second's at once: it shares the bit).
  for (int i = 0; i < 2; ++i) Burst(*s, both);
  const uint64_t recalled = fast_.denials_recalled();
  Burst(*s, both);
  EXPECT_EQ(fast_.denials_recalled(), recalled + 2);
  // Enough denials of other flows, in other sets, to restart the filter
  // three times.
  std::vector<PacketHeaders> headers;
  for (uint32_t n = 0; headers.size() < 200000; ++n) {
    PacketHeaders h = Tcp("10.0.1.10", "10.0.1.20", static_cast<uint16_t>(1 + n % 60000),
                          static_cast<uint16_t>(1000 + n / 60000));
    if (bucket(h) != bucket(first)) headers.push_back(h);
  }
  std::vector<BurstItem> many;
  for (const PacketHeaders& h : headers) many.push_back({&h, Ingress::FromEni(a)});
  std::vector<Verdict> out(many.size());
  fast_.ProcessBurst(*s, many, now_, out.data());
  for (const Verdict& v : out) ASSERT_EQ(v.reason, DropReason::kSecurityGroup);
  EXPECT_EQ(fast_.denials_recalled(), recalled + 2);
  Burst(*s, both);
  EXPECT_EQ(fast_.denials_recalled(), recalled + 4);
}

// A non-first fragment carries no ports: it takes those its first fragment
// recorded (same addresses, protocol and id), and without one it is a
// counted drop. Both paths (bursts and Process) agree (see Burst).
TEST_F(PipelineBurstTest, NonFirstFragmentsTakeTheirFirstFragmentsPorts) {
  auto s = Snapshot::Compile(r_, 1);
  const int32_t b = Index(*s, "eni-b");
  PacketHeaders first = Tcp("10.0.1.20", "10.0.1.10", 40000, 80);
  first.more_fragments = true;
  first.fragment_id = 77;
  PacketHeaders rest = first;
  rest.more_fragments = false;
  rest.fragment_offset = 1480;
  rest.src_port = rest.dst_port = 0;  // not in this fragment
  PacketHeaders stray = rest;
  stray.fragment_id = 78;
  const std::vector<Verdict> v = Burst(
      *s,
      {{&stray, Ingress::FromEni(b)}, {&first, Ingress::FromEni(b)}, {&rest, Ingress::FromEni(b)}});
  EXPECT_EQ(v[0].reason, DropReason::kFragmentWithoutFirst);
  EXPECT_EQ(v[1].outcome, Outcome::kDeliveredToEni);
  EXPECT_EQ(v[2].outcome, Outcome::kDeliveredToEni);
  EXPECT_TRUE(v[2].established);  // the first fragment's flow
}

}  // namespace
}  // namespace minivpc::dp
