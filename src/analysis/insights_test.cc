#include "analysis/insights.h"

#include <gtest/gtest.h>

#include "dataplane/verdict.h"
#include "vpc/cloud.h"
#include "vpc/instances.h"
#include "vpc/internet_gateways.h"
#include "vpc/network_acls.h"
#include "vpc/network_interfaces.h"
#include "vpc/route_tables.h"
#include "vpc/security_group_rules.h"
#include "vpc/security_groups.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc::analysis {
namespace {

using nlohmann::json;

// Two subnets of one VPC (default network ACL, main route table), with
// helpers to launch instances and open ports.
class InsightsTest : public ::testing::Test {
 protected:
  InsightsTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    vpc_ = MakeVpc("10.0.0.0/16");
    subnet_a_ = MakeSubnet("10.0.1.0/24");
    subnet_b_ = MakeSubnet("10.0.2.0/24");
    closed_ = CreateSecurityGroup(r_, {"closed", "no inbound rules", vpc_, {}}).value();
    cloud_.journal().TakeDirty();
  }

  std::string MakeVpc(const std::string& cidr) {
    CreateVpcArgs a;
    a.cidr_block = cidr;
    return CreateVpc(r_, a).value();
  }

  std::string MakeSubnet(const std::string& cidr) {
    CreateSubnetArgs a;
    a.vpc_id = vpc_;
    a.cidr_block = cidr;
    return CreateSubnet(r_, a).value();
  }

  // An instance in `subnet` with `group` (or the default group).
  std::string Launch(const std::string& subnet, const std::string& group = "",
                     bool public_ip = false) {
    RunInstancesArgs a;
    a.image_id = "ami-12345678";
    LaunchInterface nic;
    nic.device_index = 0;
    nic.subnet_id = subnet;
    if (!group.empty()) nic.group_ids = {group};
    nic.associate_public_ip = public_ip;
    a.network_interfaces = {nic};
    std::string id = RunInstances(r_, a).value().instance_ids.front();
    cloud_.journal().TakeDirty();
    return id;
  }

  std::string EniOf(const std::string& instance) {
    return r_.instances.Find(instance)->primary_eni_id;
  }

  void Open(const std::string& group, bool egress, const std::string& proto, int port,
            const std::string& cidr) {
    PermissionPeer peer;
    peer.cidr_ipv4 = cidr;
    IpPermissionSpec p{proto, port, port, {peer}};
    ASSERT_TRUE(AuthorizeSecurityGroupRules(r_, group, egress, {p}, {}).ok());
  }

  void AclEntry(int number, bool egress, const std::string& action, int from, int to) {
    NetworkAclEntrySpec e;
    e.rule_number = number;
    e.egress = egress;
    e.protocol = "6";
    e.rule_action = action;
    e.cidr_block = "0.0.0.0/0";
    e.port_from = from;
    e.port_to = to;
    ASSERT_TRUE(CreateNetworkAclEntry(r_, r_.vpcs.Find(vpc_)->default_acl_id, e).ok());
  }

  std::string AttachGateway(bool route) {
    std::string igw = CreateInternetGateway(r_, {}).value();
    EXPECT_TRUE(AttachInternetGateway(r_, igw, vpc_).ok());
    if (route) {
      RouteArgs ra;
      ra.route_table_id = r_.vpcs.Find(vpc_)->main_route_table_id;
      ra.destination_cidr_block = "0.0.0.0/0";
      ra.gateway_id = igw;
      EXPECT_TRUE(CreateRoute(r_, ra).ok());
    }
    return igw;
  }

  // Creates the path, runs one analysis and returns the stored analysis.
  const NetworkInsightsAnalysis& Analyze(const InsightsPathArgs& args, AnalysisArgs run = {}) {
    run.path_id = CreateInsightsPath(r_, args).value();
    std::string id = StartInsightsAnalysis(r_, run).value();
    cloud_.journal().TakeDirty();
    return *r_.insights_analyses.Find(id);
  }

  static InsightsPathArgs Path(std::string src, std::string dst, std::optional<int> port = 22) {
    InsightsPathArgs a;
    a.source = std::move(src);
    a.destination = std::move(dst);
    a.protocol = "tcp";
    a.destination_port = port;
    return a;
  }

  // The first component of `list` whose Component.Id starts with `prefix`
  // and that has member `member`.
  static json Find(const json& list, const std::string& prefix, const std::string& member) {
    for (const auto& c : list) {
      if (c["Component"]["Id"].get<std::string>().rfind(prefix, 0) == 0 && c.contains(member)) {
        return c;
      }
    }
    return nullptr;
  }

  SystemRandom random_{1};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_, subnet_a_, subnet_b_, closed_;
};

TEST_F(InsightsTest, FindsPathWithTheRulesThatAdmitIt) {
  std::string a = Launch(subnet_a_, closed_);
  std::string sg_b = CreateSecurityGroup(r_, {"web", "ssh", vpc_, {}}).value();
  Open(sg_b, false, "tcp", 22, "10.0.0.0/16");
  std::string b = Launch(subnet_b_, sg_b);
  const auto& an = Analyze(Path(a, b));
  ASSERT_EQ(an.status, "succeeded");
  EXPECT_TRUE(an.path_found);
  const json& fwd = an.findings["ForwardPathComponents"];
  ASSERT_GE(fwd.size(), 8u);
  EXPECT_EQ(fwd.front()["Component"]["Id"], a);
  EXPECT_EQ(fwd.front()["SequenceNumber"], 1);
  EXPECT_EQ(fwd.front()["OutboundHeader"]["DestinationPortRanges"][0]["From"], 22);
  EXPECT_EQ(fwd.back()["Component"]["Id"], b);
  EXPECT_EQ(fwd.back()["Component"]["Arn"], "arn:aws:ec2:us-east-1:123456789012:instance/" + b);
  json in_acl = Find(fwd, "acl-", "AclRule");
  ASSERT_FALSE(in_acl.is_null());
  EXPECT_EQ(in_acl["AclRule"]["RuleNumber"], 100);
  EXPECT_EQ(in_acl["AclRule"]["RuleAction"], "allow");
  bool saw_ingress_rule = false;
  for (const auto& c : fwd) {
    if (!c.contains("SecurityGroupRule") || c["SecurityGroupRule"]["Direction"] != "ingress")
      continue;
    saw_ingress_rule = true;
    EXPECT_EQ(c["Component"]["Id"], sg_b);
    EXPECT_EQ(c["SecurityGroupRule"]["Cidr"], "10.0.0.0/16");
    EXPECT_EQ(c["SecurityGroupRule"]["Protocol"], "tcp");
    EXPECT_EQ(c["SecurityGroupRule"]["PortRange"]["From"], 22);
  }
  EXPECT_TRUE(saw_ingress_rule);
  json route = Find(fwd, "rtb-", "RouteTableRoute");
  ASSERT_FALSE(route.is_null());
  EXPECT_EQ(route["RouteTableRoute"]["GatewayId"], "local");
  EXPECT_EQ(route["RouteTableRoute"]["State"], "active");
  EXPECT_FALSE(an.findings["ReturnPathComponents"].empty());
  EXPECT_FALSE(an.findings.contains("Explanations"));
}

TEST_F(InsightsTest, ReportsTheSecurityGroupThatBlocks) {
  std::string a = Launch(subnet_a_);
  std::string b = Launch(subnet_b_, closed_);
  const auto& an = Analyze(Path(a, b));
  EXPECT_FALSE(an.path_found);
  EXPECT_FALSE(an.findings.contains("ForwardPathComponents"));
  const json& e = an.findings["Explanations"][0];
  EXPECT_EQ(e["ExplanationCode"], "ENI_SG_RULES_MISMATCH");
  EXPECT_EQ(e["Direction"], "ingress");
  EXPECT_EQ(e["NetworkInterface"]["Id"], EniOf(b));
  EXPECT_EQ(e["SecurityGroups"][0]["Id"], closed_);
  EXPECT_EQ(e["Subnet"]["Id"], subnet_b_);
  EXPECT_EQ(e["Vpc"]["Id"], vpc_);
}

TEST_F(InsightsTest, ReportsTheNetworkAclRuleThatDenies) {
  std::string a = Launch(subnet_a_);
  std::string b = Launch(subnet_b_);
  AclEntry(90, false, "deny", 22, 22);
  const auto& an = Analyze(Path(a, b));
  EXPECT_FALSE(an.path_found);
  const json& e = an.findings["Explanations"][0];
  EXPECT_EQ(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION");
  EXPECT_EQ(e["Acl"]["Id"], r_.vpcs.Find(vpc_)->default_acl_id);
  EXPECT_EQ(e["AclRule"]["RuleNumber"], 90);
  EXPECT_EQ(e["AclRule"]["RuleAction"], "deny");
  EXPECT_EQ(e["AclRule"]["Egress"], false);
  EXPECT_EQ(e["AclRule"]["PortRange"]["From"], 22);
}

TEST_F(InsightsTest, ReportsReturnTrafficBlockedByStatelessAcl) {
  std::string a = Launch(subnet_a_);
  std::string b = Launch(subnet_b_);
  AclEntry(50, true, "deny", 1024, 65535);  // replies go to ephemeral ports
  const auto& an = Analyze(Path(a, b));
  EXPECT_FALSE(an.path_found);
  EXPECT_FALSE(an.findings["ForwardPathComponents"].empty());
  EXPECT_FALSE(an.findings.contains("ReturnPathComponents"));
  const json& e = an.findings["Explanations"][0];
  EXPECT_EQ(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION");
  EXPECT_EQ(e["Direction"], "egress");
  EXPECT_EQ(e["AclRule"]["RuleNumber"], 50);
}

TEST_F(InsightsTest, SearchesThePortsWhenThePathHasNone) {
  std::string a = Launch(subnet_a_, closed_);
  std::string sg_b = CreateSecurityGroup(r_, {"alt", "8080 only", vpc_, {}}).value();
  Open(sg_b, false, "tcp", 8080, "0.0.0.0/0");
  std::string b = Launch(subnet_b_, sg_b);
  const auto& an = Analyze(Path(a, b, std::nullopt));
  ASSERT_TRUE(an.path_found);
  const json& header = an.findings["ForwardPathComponents"][0]["OutboundHeader"];
  EXPECT_EQ(header["DestinationPortRanges"][0]["From"], 8080);
  EXPECT_EQ(header["Protocol"], "6");
}

TEST_F(InsightsTest, FilterAtSourceLimitsThePortSearch) {
  std::string a = Launch(subnet_a_, closed_);
  std::string sg_b = CreateSecurityGroup(r_, {"two", "two ports", vpc_, {}}).value();
  Open(sg_b, false, "tcp", 8080, "0.0.0.0/0");
  Open(sg_b, false, "tcp", 9090, "0.0.0.0/0");
  std::string b = Launch(subnet_b_, sg_b);
  InsightsPathArgs in_range = Path(a, b, std::nullopt);
  in_range.filter_at_source = PathFilter{};
  in_range.filter_at_source->destination_ports = PathPortRange{9000, 9999};
  const auto& found = Analyze(in_range);
  ASSERT_TRUE(found.path_found);
  EXPECT_EQ(found.findings["ForwardPathComponents"][0]["OutboundHeader"]["DestinationPortRanges"][0]
                          ["From"],
            9090);
  InsightsPathArgs low = in_range;
  low.filter_at_source->destination_ports = PathPortRange{1, 100};
  const auto& none = Analyze(low);
  EXPECT_FALSE(none.path_found);
  EXPECT_EQ(none.findings["Explanations"][0]["ExplanationCode"], "ENI_SG_RULES_MISMATCH");
}

TEST_F(InsightsTest, DestinationAddressWithoutResource) {
  std::string a = Launch(subnet_a_);
  std::string b = Launch(subnet_b_);
  InsightsPathArgs p = Path(a, "");
  p.destination_ip = r_.enis.Find(EniOf(b))->primary_ip().address;
  const auto& an = Analyze(p);
  ASSERT_TRUE(an.path_found) << an.findings.dump();
  EXPECT_EQ(an.findings["ForwardPathComponents"].back()["Component"]["Id"], EniOf(b));
  p.destination_ip = IpAddress::Parse("10.0.2.250").value();  // nobody has it
  const auto& none = Analyze(p);
  EXPECT_FALSE(none.path_found);
  EXPECT_EQ(none.findings["Explanations"][0]["ExplanationCode"], "NO_ROUTE_TO_DESTINATION");
}

TEST_F(InsightsTest, InternetGatewayReachesOnlyAPublicAddress) {
  std::string igw = AttachGateway(/*route=*/true);
  std::string sg = CreateSecurityGroup(r_, {"ssh", "ssh", vpc_, {}}).value();
  Open(sg, false, "tcp", 22, "0.0.0.0/0");
  std::string pub = Launch(subnet_a_, sg, /*public_ip=*/true);
  std::string priv = Launch(subnet_a_, sg, /*public_ip=*/false);

  const auto& ok = Analyze(Path(igw, pub));
  ASSERT_TRUE(ok.path_found) << ok.findings.dump();
  const json& first = ok.findings["ForwardPathComponents"][0];
  EXPECT_EQ(first["Component"]["Id"], igw);
  std::string public_ip = r_.enis.Find(EniOf(pub))->primary_ip().association->public_ip.ToString();
  std::string private_ip = r_.enis.Find(EniOf(pub))->primary_ip().address.ToString();
  EXPECT_EQ(first["InboundHeader"]["DestinationAddresses"][0], public_ip + "/32");
  EXPECT_EQ(first["OutboundHeader"]["DestinationAddresses"][0], private_ip + "/32");

  const auto& blocked = Analyze(Path(igw, priv));
  EXPECT_FALSE(blocked.path_found);
  const json& e = blocked.findings["Explanations"][0];
  EXPECT_EQ(e["ExplanationCode"], dp::ExplanationCode(dp::DropReason::kNoNatMapping));
  EXPECT_EQ(e["InternetGateway"]["Id"], igw);
}

TEST_F(InsightsTest, GatewayOfAnotherVpcIsNotAttached) {
  std::string other = MakeVpc("10.9.0.0/16");
  std::string igw = CreateInternetGateway(r_, {}).value();
  ASSERT_TRUE(AttachInternetGateway(r_, igw, other).ok());
  std::string b = Launch(subnet_a_, "", true);
  const auto& an = Analyze(Path(igw, b));
  EXPECT_FALSE(an.path_found);
  EXPECT_EQ(an.findings["Explanations"][0]["ExplanationCode"], "BAD_STATE_ATTACHMENT");
  EXPECT_EQ(an.findings["Explanations"][0]["Vpc"]["Id"], vpc_);
}

TEST_F(InsightsTest, NoRouteToTheInternetGateway) {
  std::string igw = AttachGateway(/*route=*/false);
  std::string a = Launch(subnet_a_, "", true);
  const auto& an = Analyze(Path(a, igw, 443));
  EXPECT_FALSE(an.path_found);
  const json& e = an.findings["Explanations"][0];
  EXPECT_EQ(e["ExplanationCode"], "NO_ROUTE_TO_DESTINATION");
  EXPECT_EQ(e["RouteTable"]["Id"], r_.vpcs.Find(vpc_)->main_route_table_id);
}

TEST_F(InsightsTest, InstanceReachesTheInternetThroughItsGateway) {
  std::string igw = AttachGateway(/*route=*/true);
  std::string a = Launch(subnet_a_, "", true);
  const auto& an = Analyze(Path(a, igw, 443));
  ASSERT_TRUE(an.path_found) << an.findings.dump();
  const json& last = an.findings["ForwardPathComponents"].back();
  EXPECT_EQ(last["Component"]["Id"], igw);
  EXPECT_EQ(last["OutboundHeader"]["DestinationAddresses"][0], "198.51.100.1/32");
}

TEST_F(InsightsTest, FilterInArnsRestrictsThePath) {
  std::string a = Launch(subnet_a_);
  std::string b = Launch(subnet_b_);
  AnalysisArgs run;
  run.filter_in_arns = {
      "arn:aws:ec2:us-east-1:123456789012:internet-gateway/igw-0123456789abcdef0"};
  const auto& an = Analyze(Path(a, b), run);
  EXPECT_FALSE(an.path_found);
  EXPECT_EQ(an.findings["Explanations"][0]["ExplanationCode"], "COMPONENT_FILTER_RESTRICTION");
  EXPECT_EQ(an.findings["FilterInArns"][0], run.filter_in_arns[0]);
}

TEST_F(InsightsTest, PathFiltersRoundTripThroughTheStore) {
  std::string a = Launch(subnet_a_);
  InsightsPathArgs args = Path(a, EniOf(a), std::nullopt);
  args.destination = "";
  args.filter_at_source = PathFilter{};
  args.filter_at_source->destination_address = IpAddress::Parse("10.0.2.7").value();
  args.filter_at_source->destination_ports = PathPortRange{80, 90};
  args.filter_at_destination = PathFilter{};
  args.filter_at_destination->source_ports = PathPortRange{40000, 40000};
  std::string id = CreateInsightsPath(r_, args).value();
  const NetworkInsightsPath& stored = *r_.insights_paths.Find(id);
  auto back = json(stored).get<NetworkInsightsPath>();
  ASSERT_TRUE(back.filter_at_source && back.filter_at_destination);
  EXPECT_EQ(back.filter_at_source->destination_address->ToString(), "10.0.2.7");
  EXPECT_EQ(back.filter_at_source->destination_ports->to, 90);
  EXPECT_FALSE(back.filter_at_source->source_address);
  EXPECT_EQ(back.filter_at_destination->source_ports->from, 40000);
  EXPECT_EQ(back.protocol, "tcp");
}

TEST_F(InsightsTest, RejectsBadPathsAndChangesNothing) {
  std::string a = Launch(subnet_a_);
  InsightsPathArgs bad = Path(a, "i-0123456789abcdef0");
  EXPECT_EQ(CreateInsightsPath(r_, bad).status().code(), "InvalidInstanceID.NotFound");
  bad = Path(a, EniOf(a));
  bad.protocol = "icmp";
  EXPECT_EQ(CreateInsightsPath(r_, bad).status().code(), "InvalidParameterValue");
  bad = Path(a, "vpc-0123456789abcdef0");
  EXPECT_EQ(CreateInsightsPath(r_, bad).status().code(), "InvalidParameterValue");
  bad = Path(a, "");
  EXPECT_EQ(CreateInsightsPath(r_, bad).status().code(), "MissingParameter");
  bad = Path(a, a);
  EXPECT_EQ(CreateInsightsPath(r_, bad).status().code(), "InvalidParameterValue");
  bad = Path(a, EniOf(a), std::nullopt);
  bad.filter_at_source = PathFilter{};
  bad.source_ip = IpAddress::Parse("10.0.1.9").value();
  EXPECT_EQ(CreateInsightsPath(r_, bad).status().code(), "InvalidParameterCombination");
  cloud_.journal().Rollback();
  EXPECT_EQ(r_.insights_paths.size(), 0u);
}

TEST_F(InsightsTest, PathWithAnalysesCannotBeDeleted) {
  std::string a = Launch(subnet_a_);
  std::string b = Launch(subnet_b_);
  const auto& an = Analyze(Path(a, b));
  std::string analysis = an.id, path = an.path_id;
  EXPECT_EQ(DeleteInsightsPath(r_, path).code(), "DependencyViolation");
  cloud_.journal().Rollback();
  EXPECT_TRUE(r_.insights_paths.Contains(path));
  ASSERT_TRUE(DeleteInsightsAnalysis(r_, analysis).ok());
  ASSERT_TRUE(DeleteInsightsPath(r_, path).ok());
  EXPECT_EQ(DeleteInsightsPath(r_, path).code(), "InvalidNetworkInsightsPathId.NotFound");
}

TEST_F(InsightsTest, AnalysisFailsWhenAnEndIsGone) {
  std::string a = Launch(subnet_a_);
  CreateNetworkInterfaceArgs ni;
  ni.subnet_id = subnet_b_;
  std::string eni = CreateNetworkInterface(r_, ni).value();
  std::string path = CreateInsightsPath(r_, Path(a, eni)).value();
  ASSERT_TRUE(DeleteNetworkInterface(r_, eni).ok());
  AnalysisArgs run;
  run.path_id = path;
  std::string id = StartInsightsAnalysis(r_, run).value();
  const NetworkInsightsAnalysis* an = r_.insights_analyses.Find(id);
  EXPECT_EQ(an->status, "failed");
  EXPECT_NE(an->findings["StatusMessage"].get<std::string>().find(eni), std::string::npos);
}

}  // namespace
}  // namespace minivpc::analysis
