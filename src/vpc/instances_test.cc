#include "vpc/instances.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/network_interfaces.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

IpAddress Ip(const char* text) { return IpAddress::Parse(text).value(); }

const Cidr kPublicPool = Cidr::Of(IpAddress::V4(0xC6120000), 15);  // 198.18.0.0/15

class InstancesTest : public ::testing::Test {
 protected:
  InstancesTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    vpc_ = CreateVpc(r_, {"10.0.0.0/16"}).value();
    public_ = MakeSubnet("10.0.1.0/24", "us-east-1a", true);
    private_ = MakeSubnet("10.0.2.0/24", "us-east-1a", false);
    tiny_ = MakeSubnet("10.0.3.0/28", "us-east-1a", false);
    far_ = MakeSubnet("10.0.4.0/24", "us-east-1b", false);
    cloud_.journal().TakeDirty();
  }

  std::string MakeSubnet(const std::string& cidr, const std::string& az, bool map_public) {
    CreateSubnetArgs a;
    a.vpc_id = vpc_;
    a.cidr_block = cidr;
    a.availability_zone = az;
    std::string id = CreateSubnet(r_, a).value();
    if (map_public) (void)ModifySubnetAttribute(r_, id, true, std::nullopt);
    return id;
  }

  template <typename T>
  T Commit(T result) {
    if (result.ok()) {
      cloud_.journal().TakeDirty();
    } else {
      cloud_.journal().Rollback();
    }
    return result;
  }

  RunInstancesArgs Args(const std::string& subnet) {
    RunInstancesArgs a;
    a.image_id = "ami-0123456789abcdef0";
    a.subnet_id = subnet;
    return a;
  }
  StatusOr<LaunchResult> Run(const RunInstancesArgs& a) { return Commit(RunInstances(r_, a)); }
  std::string RunOne(const RunInstancesArgs& a) { return Run(a).value().instance_ids.front(); }

  const Instance& Inst(const std::string& id) { return *r_.instances.Find(id); }
  const NetworkInterface& Primary(const std::string& id) { return *PrimaryInterface(r_, Inst(id)); }
  std::optional<PublicIpAssociation> PublicIp(const std::string& id) {
    return Primary(id).primary_ip().association;
  }

  SystemRandom random_{5};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_, public_, private_, tiny_, far_;
};

TEST_F(InstancesTest, LaunchCreatesAPrimaryInterfaceInTheSubnet) {
  std::string id = RunOne(Args(private_));
  const Instance& inst = Inst(id);
  EXPECT_EQ(inst.state, "running");
  EXPECT_EQ(inst.instance_type, "t2.micro");
  EXPECT_EQ(inst.subnet_id, private_);
  EXPECT_EQ(inst.vpc_id, vpc_);
  const NetworkInterface& eni = Primary(id);
  EXPECT_EQ(eni.id, inst.primary_eni_id);
  EXPECT_EQ(eni.attachment->device_index, 0);
  EXPECT_TRUE(eni.attachment->delete_on_termination);
  EXPECT_TRUE(r_.subnets.Find(private_)->cidr.Contains(eni.primary_ip().address));
  EXPECT_FALSE(eni.primary_ip().association);
  EXPECT_FALSE(inst.auto_public_ip);
}

TEST_F(InstancesTest, SubnetMappingPublicIpsGivesThePrimaryInterfaceAPublicIp) {
  std::string id = RunOne(Args(public_));
  auto pub = PublicIp(id);
  ASSERT_TRUE(pub.has_value());
  EXPECT_TRUE(pub->allocation_id.empty());
  EXPECT_TRUE(kPublicPool.Contains(pub->public_ip));
  EXPECT_FALSE(r_.vpcs.Find(vpc_)->cidr.Contains(pub->public_ip));
  EXPECT_TRUE(Inst(id).auto_public_ip);
  EXPECT_TRUE(cloud_.IsPublicIpUsed(pub->public_ip));
}

TEST_F(InstancesTest, PublicIpIsNeverInsideTheVpcEvenWhenTheVpcUsesThePoolRange) {
  std::string vpc = Commit(CreateVpc(r_, {"198.18.0.0/16"})).value();
  CreateSubnetArgs s;
  s.vpc_id = vpc;
  s.cidr_block = "198.18.0.0/24";
  s.availability_zone = "us-east-1a";
  std::string subnet = Commit(CreateSubnet(r_, s)).value();
  RunInstancesArgs a = Args(subnet);
  a.network_interfaces = {{.device_index = 0, .subnet_id = subnet, .associate_public_ip = true}};
  a.subnet_id.clear();
  a.max_count = 40;
  auto launched = Run(a);
  ASSERT_TRUE(launched.ok());
  const Cidr inside = Cidr::Of(Ip("198.18.0.0"), 16);
  for (const auto& id : launched->instance_ids) {
    ASSERT_TRUE(PublicIp(id).has_value());
    EXPECT_FALSE(inside.Contains(PublicIp(id)->public_ip));
  }
}

TEST_F(InstancesTest, AssociatePublicIpAddressOverridesTheSubnet) {
  RunInstancesArgs yes;
  yes.image_id = "ami-12345678";
  yes.network_interfaces = {
      {.device_index = 0, .subnet_id = private_, .associate_public_ip = true}};
  EXPECT_TRUE(PublicIp(RunOne(yes)).has_value());
  RunInstancesArgs no = yes;
  no.network_interfaces[0].subnet_id = public_;
  no.network_interfaces[0].associate_public_ip = false;
  EXPECT_FALSE(PublicIp(RunOne(no)).has_value());
}

TEST_F(InstancesTest, PublicIpChangesAcrossStopAndStart) {
  std::string id = RunOne(Args(public_));
  IpAddress first = PublicIp(id)->public_ip;
  auto stop = Commit(StopInstances(r_, {id}));
  ASSERT_TRUE(stop.ok());
  EXPECT_EQ((*stop)[0].previous, "running");
  EXPECT_EQ((*stop)[0].current, "stopping");
  EXPECT_EQ(Inst(id).state, "stopped");
  EXPECT_FALSE(PublicIp(id).has_value());
  EXPECT_FALSE(cloud_.IsPublicIpUsed(first));
  IpAddress private_ip = Primary(id).primary_ip().address;
  auto start = Commit(StartInstances(r_, {id}));
  ASSERT_TRUE(start.ok());
  EXPECT_EQ((*start)[0].current, "pending");
  EXPECT_EQ(Inst(id).state, "running");
  ASSERT_TRUE(PublicIp(id).has_value());
  EXPECT_NE(PublicIp(id)->public_ip, first);
  EXPECT_EQ(Primary(id).primary_ip().address, private_ip);  // the private IP stays
}

TEST_F(InstancesTest, ElasticIpSurvivesStopAndStart) {
  std::string id = RunOne(Args(private_));
  std::string eni = Primary(id).id;
  PublicIpAssociation eip{Ip("198.18.1.1"), "eipalloc-12345678", "eipassoc-12345678"};
  r_.enis.Update(eni, [&](NetworkInterface& e) { e.private_ips[0].association = eip; });
  cloud_.journal().TakeDirty();
  ASSERT_TRUE(Commit(StopInstances(r_, {id})).ok());
  ASSERT_TRUE(PublicIp(id).has_value());
  EXPECT_EQ(PublicIp(id)->allocation_id, "eipalloc-12345678");
  ASSERT_TRUE(Commit(StartInstances(r_, {id})).ok());
  EXPECT_EQ(PublicIp(id)->public_ip, Ip("198.18.1.1"));
}

TEST_F(InstancesTest, StopAndStartAreIdempotentAndRebootKeepsAddresses) {
  std::string id = RunOne(Args(public_));
  IpAddress pub = PublicIp(id)->public_ip;
  ASSERT_TRUE(Commit(RebootInstances(r_, {id})).ok());
  EXPECT_EQ(PublicIp(id)->public_ip, pub);
  auto again = Commit(StartInstances(r_, {id}));
  EXPECT_EQ((*again)[0].previous, "running");
  EXPECT_EQ((*again)[0].current, "running");
  ASSERT_TRUE(Commit(StopInstances(r_, {id})).ok());
  auto stop = Commit(StopInstances(r_, {id}));
  ASSERT_TRUE(stop.ok());
  EXPECT_EQ((*stop)[0].previous, "stopped");
  EXPECT_EQ((*stop)[0].current, "stopped");
  EXPECT_EQ(Commit(RebootInstances(r_, {id})).code(), "IncorrectInstanceState");
}

TEST_F(InstancesTest, MultiInstanceCallsAreAtomic) {
  std::string a = RunOne(Args(private_));
  std::string b = RunOne(Args(private_));
  auto bad = Commit(StopInstances(r_, {a, "i-0123456789abcdef0", b}));
  EXPECT_EQ(bad.status().code(), "InvalidInstanceID.NotFound");
  EXPECT_EQ(Inst(a).state, "running");
  EXPECT_EQ(Inst(b).state, "running");
  auto two = Commit(TerminateInstances(r_, {a, "i-11111111", "i-22222222"}));
  EXPECT_EQ(two.status().message(), "The instance IDs 'i-11111111, i-22222222' do not exist");
  EXPECT_EQ(Commit(StartInstances(r_, {"bogus"})).status().code(), "InvalidInstanceID.Malformed");
  ASSERT_TRUE(Commit(TerminateInstances(r_, {b})).ok());
  EXPECT_EQ(Commit(StopInstances(r_, {a, b})).status().code(), "IncorrectInstanceState");
  EXPECT_EQ(Inst(a).state, "running");
}

TEST_F(InstancesTest, TerminateDeletesOrDetachesInterfaces) {
  std::string id = RunOne(Args(public_));
  std::string primary = Primary(id).id;
  CreateNetworkInterfaceArgs e;
  e.subnet_id = private_;
  std::string kept = Commit(CreateNetworkInterface(r_, e)).value();
  ASSERT_TRUE(Commit(AttachNetworkInterface(r_, kept, id, 1)).ok());
  IpAddress pub = PublicIp(id)->public_ip;
  auto t = Commit(TerminateInstances(r_, {id}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].current, "shutting-down");
  EXPECT_EQ(Inst(id).state, "terminated");
  EXPECT_EQ(r_.enis.Find(primary), nullptr);  // DeleteOnTermination (launch default)
  ASSERT_NE(r_.enis.Find(kept), nullptr);
  EXPECT_FALSE(r_.enis.Find(kept)->in_use());
  EXPECT_FALSE(cloud_.IsPublicIpUsed(pub));
  EXPECT_EQ(PrimaryInterface(r_, Inst(id)), nullptr);
  EXPECT_EQ(Commit(StartInstances(r_, {id})).status().code(), "IncorrectInstanceState");
  auto again = Commit(TerminateInstances(r_, {id}));
  EXPECT_EQ((*again)[0].current, "terminated");
}

TEST_F(InstancesTest, ExistingInterfaceAtLaunchKeepsItsAddressAndSurvivesTermination) {
  CreateNetworkInterfaceArgs e;
  e.subnet_id = public_;
  e.primary_ip = Ip("10.0.1.77");
  std::string eni = Commit(CreateNetworkInterface(r_, e)).value();
  RunInstancesArgs a;
  a.image_id = "ami-12345678";
  a.network_interfaces = {{.device_index = 0, .network_interface_id = eni}};
  std::string id = RunOne(a);
  EXPECT_EQ(Inst(id).primary_eni_id, eni);
  EXPECT_FALSE(Primary(id).attachment->delete_on_termination);
  EXPECT_FALSE(PublicIp(id).has_value());  // no auto public IP for an existing ENI
  EXPECT_EQ(Run(a).status().code(), "InvalidNetworkInterface.InUse");
  ASSERT_TRUE(Commit(TerminateInstances(r_, {id})).ok());
  EXPECT_EQ(r_.enis.Find(eni)->primary_ip().address, Ip("10.0.1.77"));
  EXPECT_FALSE(r_.enis.Find(eni)->in_use());
}

TEST_F(InstancesTest, PublicIpRequestRules) {
  RunInstancesArgs two;
  two.image_id = "ami-12345678";
  two.network_interfaces = {{.device_index = 0, .subnet_id = private_, .associate_public_ip = true},
                            {.device_index = 1, .subnet_id = private_}};
  EXPECT_EQ(Run(two).status().code(), "InvalidParameterCombination");
  RunInstancesArgs idx1;
  idx1.image_id = "ami-12345678";
  idx1.network_interfaces = {
      {.device_index = 1, .subnet_id = private_, .associate_public_ip = true}};
  EXPECT_EQ(Run(idx1).status().code(), "InvalidParameterCombination");
  CreateNetworkInterfaceArgs e;
  e.subnet_id = private_;
  std::string eni = Commit(CreateNetworkInterface(r_, e)).value();
  RunInstancesArgs existing;
  existing.image_id = "ami-12345678";
  existing.network_interfaces = {
      {.device_index = 0, .network_interface_id = eni, .associate_public_ip = true}};
  EXPECT_EQ(Run(existing).status().code(), "InvalidParameterCombination");
  EXPECT_FALSE(r_.enis.Find(eni)->in_use());
  // Several interfaces in a public subnet: no auto-assigned address.
  two.network_interfaces[0].associate_public_ip.reset();
  two.network_interfaces[0].subnet_id = public_;
  std::string id = RunOne(two);
  EXPECT_FALSE(PublicIp(id).has_value());
  EXPECT_EQ(AttachedInterfaces(r_, Inst(id)).size(), 2u);
  EXPECT_EQ(r_.instances.size(), 1u);
}

TEST_F(InstancesTest, ConflictingParametersAreRejected) {
  RunInstancesArgs a = Args(private_);
  a.network_interfaces = {{.device_index = 0, .subnet_id = private_}};
  EXPECT_EQ(Run(a).status().code(), "InvalidParameterCombination");
  a.subnet_id.clear();
  a.security_group_ids = {r_.vpcs.Find(vpc_)->default_security_group_id};
  EXPECT_EQ(Run(a).status().code(), "InvalidParameterCombination");
  RunInstancesArgs no_zero;
  no_zero.image_id = "ami-12345678";
  no_zero.network_interfaces = {{.device_index = 1, .subnet_id = private_}};
  EXPECT_EQ(Run(no_zero).status().code(), "InvalidParameterValue");
  RunInstancesArgs zones;
  zones.image_id = "ami-12345678";
  zones.network_interfaces = {{.device_index = 0, .subnet_id = private_},
                              {.device_index = 1, .subnet_id = far_}};
  EXPECT_EQ(Run(zones).status().code(), "InvalidParameterCombination");
  RunInstancesArgs placed = Args(private_);
  placed.availability_zone = "us-east-1b";
  EXPECT_EQ(Run(placed).status().code(), "InvalidParameterValue");
  EXPECT_EQ(r_.instances.size(), 0u);
  EXPECT_EQ(r_.enis.size(), 0u);
}

TEST_F(InstancesTest, ValidatesImageTypeAndCounts) {
  RunInstancesArgs a = Args(private_);
  a.image_id = "ami-xyz";
  EXPECT_EQ(Run(a).status().code(), "InvalidAMIID.Malformed");
  a.image_id = "";
  EXPECT_EQ(Run(a).status().code(), "MissingParameter");
  a = Args(private_);
  a.instance_type = "t2.colossal";
  EXPECT_EQ(Run(a).status().code(), "InvalidParameterValue");
  a = Args(private_);
  a.min_count = 3;
  a.max_count = 2;
  EXPECT_EQ(Run(a).status().code(), "InvalidParameterValue");
  a.min_count = 0;
  EXPECT_EQ(Run(a).status().code(), "InvalidParameterValue");
}

TEST_F(InstancesTest, MinAndMaxCountFollowFreeAddresses) {
  RunInstancesArgs a = Args(tiny_);  // 11 usable addresses
  a.min_count = 12;
  a.max_count = 20;
  EXPECT_EQ(Run(a).status().code(), "InsufficientFreeAddressesInSubnet");
  EXPECT_EQ(r_.instances.size(), 0u);
  a.min_count = 5;
  auto launched = Run(a);
  ASSERT_TRUE(launched.ok());
  EXPECT_EQ(launched->instance_ids.size(), 11u);
  for (size_t i = 0; i < launched->instance_ids.size(); ++i) {
    const Instance& inst = Inst(launched->instance_ids[i]);
    EXPECT_EQ(inst.reservation_id, launched->reservation_id);
    EXPECT_EQ(inst.ami_launch_index, static_cast<int>(i));
  }
  EXPECT_EQ(AvailableIpAddressCount(r_, *r_.subnets.Find(tiny_)), 0);
}

TEST_F(InstancesTest, InterfaceCountAndAddressesObeyTheInstanceType) {
  RunInstancesArgs a;
  a.image_id = "ami-12345678";
  a.instance_type = "t2.micro";  // 2 ENIs, 2 IPv4 each
  a.network_interfaces = {{.device_index = 0, .subnet_id = private_},
                          {.device_index = 1, .subnet_id = private_},
                          {.device_index = 2, .subnet_id = private_}};
  EXPECT_EQ(Run(a).status().code(), "AttachmentLimitExceeded");
  a.network_interfaces.pop_back();
  a.network_interfaces[1].secondary_count = 2;
  EXPECT_EQ(Run(a).status().code(), "PrivateIpAddressLimitExceeded");
  EXPECT_EQ(r_.enis.size(), 0u);
  a.network_interfaces[1].secondary_count = 1;
  std::string id = RunOne(a);
  EXPECT_EQ(AttachedInterfaces(r_, Inst(id))[1]->private_ips.size(), 2u);
}

TEST_F(InstancesTest, PrivateIpAddressIsThePrimaryAndCannotRepeat) {
  RunInstancesArgs a = Args(private_);
  a.private_ip = Ip("10.0.2.20");
  std::string id = RunOne(a);
  EXPECT_EQ(Primary(id).primary_ip().address, Ip("10.0.2.20"));
  EXPECT_EQ(Run(a).status().code(), "InvalidIPAddress.InUse");
  a.private_ip = Ip("10.0.2.21");
  a.max_count = 2;
  EXPECT_EQ(Run(a).status().code(), "InvalidParameterCombination");
}

TEST_F(InstancesTest, DefaultSubnetOfTheDefaultVpc) {
  RunInstancesArgs a;
  a.image_id = "ami-12345678";
  EXPECT_EQ(Run(a).status().code(), "VPCIdNotSpecified");
  std::string def = Commit(CreateDefaultVpc(r_)).value();
  a.availability_zone = "us-east-1c";
  std::string id = RunOne(a);
  EXPECT_EQ(Inst(id).vpc_id, def);
  EXPECT_EQ(Inst(id).availability_zone, "us-east-1c");
  EXPECT_TRUE(r_.subnets.Find(Inst(id).subnet_id)->default_for_az);
  EXPECT_TRUE(PublicIp(id).has_value());  // default subnets map public IPs
  a.availability_zone.clear();
  a.security_group_names = {"default"};
  EXPECT_TRUE(Run(a).ok());
  a.security_group_names = {"nope"};
  EXPECT_EQ(Run(a).status().code(), "InvalidGroup.NotFound");
  RunInstancesArgs named = Args(private_);  // names only in the default VPC
  named.security_group_names = {"default"};
  EXPECT_EQ(Run(named).status().code(), "InvalidParameterCombination");
}

TEST_F(InstancesTest, ModifyAttributesActOnThePrimaryInterface) {
  std::string id = RunOne(Args(private_));
  ModifyInstanceArgs sdc;
  sdc.source_dest_check = false;
  ASSERT_TRUE(Commit(ModifyInstanceAttribute(r_, id, sdc)).ok());
  EXPECT_FALSE(Primary(id).source_dest_check);
  ModifyInstanceArgs type;
  type.instance_type = "m5.large";
  EXPECT_EQ(Commit(ModifyInstanceAttribute(r_, id, type)).code(), "IncorrectInstanceState");
  ASSERT_TRUE(Commit(StopInstances(r_, {id})).ok());
  ASSERT_TRUE(Commit(ModifyInstanceAttribute(r_, id, type)).ok());
  EXPECT_EQ(Inst(id).instance_type, "m5.large");
  ModifyInstanceArgs protect;
  protect.disable_api_termination = true;
  ASSERT_TRUE(Commit(ModifyInstanceAttribute(r_, id, protect)).ok());
  EXPECT_EQ(Commit(TerminateInstances(r_, {id})).status().code(), "OperationNotPermitted");
  EXPECT_EQ(Inst(id).state, "stopped");
}

TEST(InstanceStates, Codes) {
  EXPECT_EQ(StateCode("pending"), 0);
  EXPECT_EQ(StateCode("running"), 16);
  EXPECT_EQ(StateCode("shutting-down"), 32);
  EXPECT_EQ(StateCode("terminated"), 48);
  EXPECT_EQ(StateCode("stopping"), 64);
  EXPECT_EQ(StateCode("stopped"), 80);
}

}  // namespace
}  // namespace minivpc
