#include "differential/random_topology.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace minivpc::difftest {
namespace {

Cloud::Options SmallPools() {
  Cloud::Options o;
  o.public_pool = Cidr::Parse("198.18.0.0/26").value();
  o.ipv6_pool = Cidr::Parse("2600:1f00::/52").value();
  return o;
}

// VPC blocks: the repeats make overlapping VPCs (legal in AWS) common.
const std::vector<std::string> kVpcCidrs = {"10.0.0.0/26", "10.0.0.64/26", "10.0.0.0/26",
                                            "172.16.0.0/26"};
const std::vector<std::string> kSecondaryCidrs = {"100.64.0.0/26", "10.0.1.0/26"};
// Outside destinations, nested for longest-prefix matches; some cover other
// VPCs' blocks and the public pool.
const std::vector<std::string> kRoutesV4 = {
    "0.0.0.0/0",  "8.0.0.0/7",  "8.8.0.0/16",    "8.8.8.0/24",    "8.8.8.8/32",
    "9.9.9.0/24", "10.0.0.0/8", "172.16.0.0/12", "198.18.0.0/15", "203.0.113.0/24"};
const std::vector<std::string> kRoutesV6 = {"::/0",          "2001:db8::/32",   "2001:db8:1::/48",
                                            "2001:db8::/64", "2001:db8::1/128", "2600:1f00::/24"};
const std::vector<std::string> kRuleV4 = {"0.0.0.0/0",  "8.8.0.0/16",     "8.8.8.0/24",
                                          "10.0.0.0/8", "203.0.113.0/24", "198.18.0.0/26"};
const std::vector<std::string> kRuleV6 = {"::/0", "2001:db8::/32", "2600:1f00::/24"};
const std::vector<std::string> kSgProtocols = {"-1", "tcp", "tcp", "udp", "icmp", "icmpv6",
                                               "6",  "17",  "1",   "58",  "47",   "all"};
const std::vector<std::string> kAclProtocols = {"-1", "-1", "6", "6", "17", "1", "58", "47"};
const std::vector<int> kWellKnownPorts = {0, 22, 53, 80, 443, 1024, 3306, 8080, 65535};
const std::vector<int> kIcmpTypes = {-1, 0, 3, 8, 11, 128};

std::string Str(int v) { return std::to_string(v); }

}  // namespace

RandomTopology::RandomTopology(uint64_t seed)
    : random_(seed),
      cloud_(SmallPools(), &random_, &clock_),
      store_(NewMemoryStore()),
      service_(cloud_, *store_),
      rng_(seed) {}

const RegionState& RandomTopology::region() const {
  return *const_cast<Cloud&>(cloud_).FindRegion(kAccount, kRegion);
}

nlohmann::json RandomTopology::Call(const std::string& action, ec2api::QueryParams params) {
  StatusOr<nlohmann::json> out = service_.ExecuteSync(kAccount, kRegion, action, params);
  if (!out.ok()) {
    ++failed_calls_;
    if (std::getenv("MINIVPC_DIFF_LOG_REFUSED")) {
      std::fprintf(stderr, "refused %s: %s\n", action.c_str(), out.status().ToString().c_str());
    }
    return nullptr;
  }
  std::string line = action;
  for (const auto& [k, v] : params) line += " " + k + "=" + v;
  calls_.push_back(line);
  return std::move(*out);
}

void RandomTopology::Build() {
  int n = 1 + static_cast<int>(Below(2)) + Chance(0.2);
  for (int i = 0; i < n; ++i) CreateVpc();
  CreateGateways();
  for (auto& vpc : vpcs_) {
    for (int i = 1 + static_cast<int>(Below(3)); i > 0; --i) {
      std::string name = std::string("g") += Str(++group_counter_);
      auto out = Call("CreateSecurityGroup",
                      {{"VpcId", vpc.id}, {"GroupName", name}, {"GroupDescription", name}});
      if (!out.is_null()) vpc.groups.push_back(out["GroupId"]);
    }
    for (int i = static_cast<int>(Below(3)); i > 0; --i) {
      auto out = Call("CreateNetworkAcl", {{"VpcId", vpc.id}});
      if (!out.is_null()) vpc.acls.push_back(out["NetworkAcl"]["NetworkAclId"]);
    }
    for (int i = static_cast<int>(Below(3)); i > 0; --i) {
      auto out = Call("CreateRouteTable", {{"VpcId", vpc.id}});
      if (!out.is_null()) vpc.tables.push_back(out["RouteTable"]["RouteTableId"]);
    }
    LaunchInstances(vpc);
  }
  AssociateElasticIps();
  for (const auto& vpc : vpcs_) {
    for (const auto& g : vpc.groups) {
      if (Chance(0.3)) {
        Call("RevokeSecurityGroupEgress", {{"GroupId", g},
                                           {"IpPermissions.1.IpProtocol", "-1"},
                                           {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"}});
      }
      AddOpenRules(vpc, g);
      AddGroupRules(vpc, g, static_cast<int>(Below(6)));
    }
    std::string igw = GatewayOf(vpc.id);
    const Vpc* row = region().vpcs.Find(vpc.id);
    if (!igw.empty() && Chance(0.7)) {
      Call("CreateRoute", {{"RouteTableId", row->main_route_table_id},
                           {"DestinationCidrBlock", "0.0.0.0/0"},
                           {"GatewayId", igw}});
    }
    if (!igw.empty() && !row->ipv6_cidrs.empty() && Chance(0.5)) {
      Call("CreateRoute", {{"RouteTableId", row->main_route_table_id},
                           {"DestinationIpv6CidrBlock", "::/0"},
                           {"GatewayId", igw}});
    }
    for (const auto& acl : vpc.acls) AddAclEntries(vpc, acl, static_cast<int>(Below(7)));
    for (const auto& table : vpc.tables) AddRoutes(vpc, table, static_cast<int>(Below(6)));
    AssociateTablesAndAcls(vpc);
  }
}

void RandomTopology::CreateVpc() {
  VpcInfo vpc;
  vpc.cidr = Cidr::Parse(Pick(kVpcCidrs)).value();
  ec2api::QueryParams p = {{"CidrBlock", vpc.cidr.ToString()}};
  if (Chance(0.6)) p.push_back({"AmazonProvidedIpv6CidrBlock", "true"});
  auto out = Call("CreateVpc", p);
  if (out.is_null()) return;
  vpc.id = out["Vpc"]["VpcId"];
  vpc.blocks.push_back(vpc.cidr);
  if (Chance(0.3)) {
    std::string block = Pick(kSecondaryCidrs);
    if (!Call("AssociateVpcCidrBlock", {{"VpcId", vpc.id}, {"CidrBlock", block}}).is_null()) {
      vpc.blocks.push_back(Cidr::Parse(block).value());
    }
  }
  const Vpc* row = region().vpcs.Find(vpc.id);
  if (row->ipv6_cidrs.empty() && Chance(0.15)) {
    Call("AssociateVpcCidrBlock", {{"VpcId", vpc.id}, {"AmazonProvidedIpv6CidrBlock", "true"}});
  }
  vpc.groups.push_back(row->default_security_group_id);
  vpc.acls.push_back(row->default_acl_id);
  vpc.tables.push_back(row->main_route_table_id);
  CreateSubnets(vpc);
  vpcs_.push_back(std::move(vpc));
}

void RandomTopology::CreateSubnets(VpcInfo& vpc) {
  const Vpc* row = region().vpcs.Find(vpc.id);
  std::vector<Cidr> slots;  // every /28 of every block
  for (const Cidr& block : vpc.blocks) {
    for (int i = 0; i < 4; ++i) slots.push_back(block.Subnet(28, i));
  }
  std::shuffle(slots.begin(), slots.end(), rng_);
  for (int i = 1 + static_cast<int>(Below(3)); i > 0; --i) {
    ec2api::QueryParams p = {{"VpcId", vpc.id},
                             {"CidrBlock", slots[static_cast<size_t>(i)].ToString()},
                             {"AvailabilityZone", "us-east-1a"}};
    if (!row->ipv6_cidrs.empty() && Chance(0.8)) {
      p.push_back({"Ipv6CidrBlock", row->ipv6_cidrs[0].cidr.Subnet(64, i).ToString()});
    }
    auto out = Call("CreateSubnet", p);
    if (!out.is_null()) vpc.subnets.push_back(out["Subnet"]["SubnetId"]);
  }
}

void RandomTopology::CreateGateways() {
  for (int i = static_cast<int>(Below(3)); i > 0; --i) {
    auto out = Call("CreateInternetGateway", {});
    if (out.is_null()) continue;
    std::string id = out["InternetGateway"]["InternetGatewayId"];
    igws_.push_back(id);
    if (Chance(0.85))
      Call("AttachInternetGateway", {{"InternetGatewayId", id}, {"VpcId", Pick(vpcs_).id}});
  }
}

void RandomTopology::LaunchInstances(const VpcInfo& vpc) {
  for (const auto& subnet : vpc.subnets) {
    bool v6 = region().subnets.Find(subnet)->ipv6.has_value();
    for (int i = static_cast<int>(Below(4)); i > 0; --i) {
      ec2api::QueryParams p = {{"ImageId", "ami-12345678"}, {"MinCount", "1"}, {"MaxCount", "1"}};
      std::string prefix = Chance(0.5) ? "NetworkInterface.1." : "";
      if (!prefix.empty()) {
        p.push_back({prefix + "DeviceIndex", "0"});
        if (Chance(0.6)) p.push_back({prefix + "AssociatePublicIpAddress", "true"});
        if (Chance(0.3)) p.push_back({prefix + "SecondaryPrivateIpAddressCount", "1"});
      }
      p.push_back({prefix + "SubnetId", subnet});
      std::vector<std::string> groups = SomeGroups(vpc, static_cast<int>(Below(3)));
      for (size_t g = 0; g < groups.size(); ++g) {
        p.push_back({prefix + "SecurityGroupId." + Str(static_cast<int>(g) + 1), groups[g]});
      }
      if (v6 && Chance(0.7)) p.push_back({prefix + "Ipv6AddressCount", "1"});
      Call("RunInstances", p);
    }
    if (Chance(0.5)) CreateStandaloneEni(vpc, subnet);
  }
}

void RandomTopology::CreateStandaloneEni(const VpcInfo& vpc, const std::string& subnet) {
  ec2api::QueryParams p = {{"SubnetId", subnet}, {"SecurityGroupId.1", Pick(vpc.groups)}};
  if (Chance(0.3)) p.push_back({"SecondaryPrivateIpAddressCount", "1"});
  if (region().subnets.Find(subnet)->ipv6 && Chance(0.6)) p.push_back({"Ipv6AddressCount", "1"});
  auto out = Call("CreateNetworkInterface", p);
  if (out.is_null()) return;
  std::string eni = out["NetworkInterface"]["NetworkInterfaceId"];
  standalone_enis_.push_back(eni);
  std::vector<std::string> instances = InstancesOf(vpc.id, /*with_one_eni=*/false);
  if (!instances.empty() && Chance(0.6)) {
    Call("AttachNetworkInterface",
         {{"NetworkInterfaceId", eni}, {"InstanceId", Pick(instances)}, {"DeviceIndex", "1"}});
  }
}

void RandomTopology::AssociateElasticIps() {
  for (int i = static_cast<int>(Below(4)); i > 0; --i) {
    auto out = Call("AllocateAddress", {{"Domain", "vpc"}});
    if (out.is_null()) continue;
    std::string alloc = out["AllocationId"];
    eips_.push_back(alloc);
    const VpcInfo* vpc = &Pick(vpcs_);
    if (GatewayOf(vpc->id).empty()) vpc = &Pick(vpcs_);  // favour VPCs with a gateway
    std::vector<std::string> enis = EnisOf(vpc->id);
    if (enis.empty()) continue;
    std::string eni = Pick(enis);
    ec2api::QueryParams p = {{"AllocationId", alloc}, {"NetworkInterfaceId", eni}};
    const NetworkInterface* row = region().enis.Find(eni);
    if (row->private_ips.size() > 1 && Chance(0.5)) {
      p.push_back({"PrivateIpAddress", row->private_ips[1].address.ToString()});
    }
    Call("AssociateAddress", p);
  }
}

int RandomTopology::RandomPort() {
  if (!ports_.empty() && Chance(0.3)) return Pick(ports_);
  int port = Chance(0.7) ? Pick(kWellKnownPorts) : static_cast<int>(Below(65536));
  ports_.push_back(port);
  return port;
}

void RandomTopology::AddOpenRules(const VpcInfo& vpc, const std::string& group) {
  auto allow = [&](const char* key, const std::string& cidr) {
    Call("AuthorizeSecurityGroupIngress",
         {{"GroupId", group}, {"IpPermissions.1.IpProtocol", "-1"}, {key, cidr}});
  };
  if (Chance(0.4)) allow("IpPermissions.1.IpRanges.1.CidrIp", vpc.cidr.ToString());
  if (Chance(0.3)) allow("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0");
  if (Chance(0.3)) allow("IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0");
}

void RandomTopology::AddGroupRules(const VpcInfo& vpc, const std::string& group, int count) {
  for (int i = 0; i < count; ++i) {
    std::string action =
        Chance(0.6) ? "AuthorizeSecurityGroupIngress" : "AuthorizeSecurityGroupEgress";
    std::string proto = Pick(kSgProtocols);
    ec2api::QueryParams p = {{"GroupId", group}, {"IpPermissions.1.IpProtocol", proto}};
    if (proto == "tcp" || proto == "udp" || proto == "6" || proto == "17") {
      int from = RandomPort();
      int to = std::min(65535, from + Pick(std::vector<int>{0, 0, 1, 10, 1000}));
      if (Chance(0.1)) from = to = -1;
      p.push_back({"IpPermissions.1.FromPort", Str(from)});
      p.push_back({"IpPermissions.1.ToPort", Str(to)});
    } else if (proto == "icmp" || proto == "icmpv6" || proto == "1" || proto == "58") {
      int type = Pick(kIcmpTypes);
      int code = type < 0 ? -1 : Pick(std::vector<int>{-1, 0, 1});
      icmp_types_.push_back(type);
      if (proto.find('6') == std::string::npos || Chance(0.7)) {
        p.push_back({"IpPermissions.1.FromPort", Str(type)});
        p.push_back({"IpPermissions.1.ToPort", Str(code)});
      }
    }
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (r < 0.25) {
      p.push_back({"IpPermissions.1.Groups.1.GroupId", Pick(vpc.groups)});
    } else if (r < 0.7) {
      p.push_back({"IpPermissions.1.IpRanges.1.CidrIp", RandomRuleCidr(vpc, false, false)});
    } else {
      p.push_back({"IpPermissions.1.Ipv6Ranges.1.CidrIpv6", RandomRuleCidr(vpc, true, false)});
    }
    Call(action, p);
  }
}

void RandomTopology::AddAclEntries(const VpcInfo& vpc, const std::string& acl, int count) {
  for (int i = 0; i < count; ++i) {
    std::string proto = Pick(kAclProtocols);
    bool v6 = Chance(0.35);
    int number =
        Chance(0.5) ? 10 * (1 + static_cast<int>(Below(12))) : 1 + static_cast<int>(Below(200));
    ec2api::QueryParams p = {{"NetworkAclId", acl},
                             {"RuleNumber", Str(number)},
                             {"Protocol", proto},
                             {"RuleAction", Chance(0.65) ? "allow" : "deny"},
                             {"Egress", Chance(0.5) ? "true" : "false"},
                             {v6 ? "Ipv6CidrBlock" : "CidrBlock", RandomRuleCidr(vpc, v6, true)}};
    if (proto == "6" || proto == "17") {
      int from = RandomPort();
      int to = std::min(65535, from + Pick(std::vector<int>{0, 1, 100, 65535}));
      p.push_back({"PortRange.From", Str(from)});
      p.push_back({"PortRange.To", Str(to)});
    } else if (proto == "1" || proto == "58") {
      int type = Pick(kIcmpTypes);
      icmp_types_.push_back(type);
      p.push_back({"Icmp.Type", Str(type)});
      p.push_back({"Icmp.Code", Str(type < 0 ? -1 : Pick(std::vector<int>{-1, 0, 1}))});
    }
    Call("CreateNetworkAclEntry", p);
  }
}

void RandomTopology::AddRoutes(const VpcInfo& vpc, const std::string& table, int count) {
  for (int i = 0; i < count; ++i) {
    bool v6 = Chance(0.3);
    std::string dest = RandomRouteCidr(vpc, v6);
    ec2api::QueryParams p = {{"RouteTableId", table},
                             {v6 ? "DestinationIpv6CidrBlock" : "DestinationCidrBlock", dest}};
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    std::vector<std::string> instances = InstancesOf(vpc.id, /*with_one_eni=*/true);
    std::vector<std::string> enis = EnisOf(vpc.id);
    std::string igw = GatewayOf(vpc.id);
    if (r < 0.45 && !igws_.empty()) {
      p.push_back({"GatewayId", igw.empty() || Chance(0.1) ? Pick(igws_) : igw});
    } else if (r < 0.7 && !instances.empty()) {
      p.push_back({"InstanceId", Pick(instances)});
    } else if (!enis.empty()) {
      p.push_back({"NetworkInterfaceId", Pick(enis)});
    } else {
      continue;
    }
    // An existing route (the local one too) is retargeted.
    bool exists = false;
    for (const auto& route : region().route_tables.Find(table)->routes) {
      exists |= route.destination.ToString() == dest;
    }
    Call(exists ? "ReplaceRoute" : "CreateRoute", p);
  }
}

void RandomTopology::AssociateTablesAndAcls(const VpcInfo& vpc) {
  for (const auto& subnet : vpc.subnets) {
    if (vpc.tables.size() > 1 && Chance(0.6)) {
      Call("AssociateRouteTable", {{"RouteTableId", Pick(vpc.tables)}, {"SubnetId", subnet}});
    }
    if (vpc.acls.size() > 1 && Chance(0.6)) {
      std::string assoc = region().subnets.Find(subnet)->network_acl_association_id;
      Call("ReplaceNetworkAclAssociation",
           {{"AssociationId", assoc}, {"NetworkAclId", Pick(vpc.acls)}});
    }
  }
}

std::string RandomTopology::RandomRuleCidr(const VpcInfo& vpc, bool v6, bool strict) {
  std::vector<IpAddress> addrs = AddressesOf(vpc.id, v6);
  std::vector<Cidr> blocks = SubnetBlocks(vpc, v6);
  double r = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (r < 0.3 && !addrs.empty()) {
    IpAddress a = Pick(addrs);
    int prefix = Pick(std::vector<int>{a.bits(), a.bits(), a.bits() - 2});
    Cidr c = Cidr::Of(a, a.bits());  // host bits set on /30 unless masked
    if (prefix == a.bits()) return c.ToString();
    uint128 mask = Cidr::Of(a, prefix).Mask();
    IpAddress base = v6 ? IpAddress::V6(a.value() & mask)
                        : IpAddress::V4(static_cast<uint32_t>(a.value() & mask));
    return strict ? Cidr::Of(base, prefix).ToString() : a.ToString() + "/" + Str(prefix);
  }
  if (r < 0.55 && !blocks.empty()) return Pick(blocks).ToString();
  if (r < 0.65 && !v6) return vpc.cidr.ToString();
  return Pick(v6 ? kRuleV6 : kRuleV4);
}

std::string RandomTopology::RandomRouteCidr(const VpcInfo& vpc, bool v6) {
  std::vector<Cidr> blocks = SubnetBlocks(vpc, v6);
  double r = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (r < 0.2 && !blocks.empty()) return Pick(blocks).ToString();  // subnet routes to an ENI
  if (r < 0.25 && !v6) return Pick(vpc.blocks).ToString();         // a local route
  if (r < 0.35) {                                                  // another VPC's block
    const VpcInfo& other = Pick(vpcs_);
    if (!v6) return Pick(other.blocks).ToString();
    std::vector<Cidr> v6blocks = Ipv6Blocks();
    if (!v6blocks.empty()) return Pick(v6blocks).ToString();
  }
  return Pick(v6 ? kRoutesV6 : kRoutesV4);
}

}  // namespace minivpc::difftest
