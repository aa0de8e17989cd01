#include "vpc/addresses.h"

#include <gtest/gtest.h>

#include "vpc/cloud.h"
#include "vpc/internet_gateways.h"
#include "vpc/subnets.h"
#include "vpc/vpcs.h"

namespace minivpc {
namespace {

class AddressesTest : public ::testing::Test {
 protected:
  AddressesTest()
      : cloud_({}, &random_, &clock_), r_(cloud_.EmptyRegion("123456789012", "us-east-1")) {
    CreateVpcArgs vargs;
    vargs.cidr_block = "10.0.0.0/16";
    vpc_ = Done(CreateVpc(r_, vargs));
    CreateSubnetArgs sargs;
    sargs.vpc_id = vpc_;
    sargs.cidr_block = "10.0.1.0/24";
    subnet_ = Done(CreateSubnet(r_, sargs));
    igw_ = Done(CreateInternetGateway(r_, {}));
    Ok(AttachInternetGateway(r_, igw_, vpc_));
  }

  // An ENI row with the given private IPs (primary first), attached to
  // `instance` at `device_index` when given.
  std::string MakeEni(const std::vector<std::string>& ips, const std::string& instance = "",
                      int device_index = 0) {
    NetworkInterface eni;
    eni.id = r_.NewId("eni");
    eni.subnet_id = subnet_;
    eni.vpc_id = r_.subnets.Find(subnet_)->vpc_id;
    eni.owner_id = r_.account_id;
    eni.mac = cloud_.AllocateMac();
    for (const auto& ip : ips) {
      eni.private_ips.push_back({IpAddress::ParseV4(ip).value(), eni.private_ips.empty(), {}});
    }
    if (!instance.empty()) {
      eni.attachment =
          EniAttachment{r_.NewId("eni-attach"), instance, device_index, 0, true, "attached"};
    }
    r_.enis.Put(eni);
    cloud_.journal().TakeDirty();
    return eni.id;
  }
  // A running instance launched with an auto-assigned public IP.
  std::string MakeInstance(const std::string& ip) {
    Instance inst;
    inst.id = r_.NewId("i");
    inst.subnet_id = subnet_;
    inst.vpc_id = vpc_;
    inst.state = "running";
    inst.auto_public_ip = true;
    inst.primary_eni_id = MakeEni({ip}, inst.id);
    IpAddress public_ip = cloud_.AllocatePublicIp().value();
    r_.enis.Update(inst.primary_eni_id, [&](NetworkInterface& e) {
      e.private_ips[0].association = PublicIpAssociation{public_ip, "", ""};
    });
    r_.instances.Put(inst);
    cloud_.journal().TakeDirty();
    return inst.id;
  }
  std::string Allocate() { return Done(AllocateAddress(r_, {})); }
  StatusOr<std::string> Associate(const std::string& alloc, const std::string& eni,
                                  const std::string& private_ip = "") {
    AssociateAddressArgs a;
    a.allocation_id = alloc;
    a.network_interface_id = eni;
    a.private_ip_address = private_ip;
    return AssociateAddress(r_, a);
  }
  // The public mapping of `eni`'s private IP number `index`.
  std::optional<PublicIpAssociation> Mapping(const std::string& eni, size_t index = 0) {
    return r_.enis.Find(eni)->private_ips.at(index).association;
  }

  template <typename T>
  T Done(StatusOr<T> v) {
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    cloud_.journal().TakeDirty();
    return v.ok() ? *v : T{};
  }
  void Ok(const Status& st) {
    ASSERT_TRUE(st.ok()) << st.ToString();
    cloud_.journal().TakeDirty();
  }
  void Fails(const Status& st, const std::string& code) {
    EXPECT_EQ(st.code(), code) << st.ToString();
    cloud_.journal().Rollback();
  }

  SystemRandom random_{1};
  FakeClock clock_;
  Cloud cloud_;
  RegionState& r_;
  std::string vpc_, subnet_, igw_;
};

TEST_F(AddressesTest, AllocatesFromThePublicPool) {
  std::string alloc = Allocate();
  const ElasticIp& eip = *r_.addresses.Find(alloc);
  EXPECT_EQ(alloc.rfind("eipalloc-", 0), 0u);
  EXPECT_TRUE(cloud_.options().public_pool.Contains(eip.public_ip));
  EXPECT_TRUE(cloud_.IsPublicIpUsed(eip.public_ip));
  EXPECT_EQ(eip.network_border_group, "us-east-1");
  Ok(ReleaseAddress(r_, alloc));
  EXPECT_FALSE(cloud_.IsPublicIpUsed(eip.public_ip));
}

TEST_F(AddressesTest, EnforcesFivePerRegion) {
  for (size_t i = 0; i < kMaxElasticIpsPerRegion; ++i) Allocate();
  Fails(AllocateAddress(r_, {}).status(), "AddressLimitExceeded");
  EXPECT_EQ(r_.addresses.size(), kMaxElasticIpsPerRegion);
}

TEST_F(AddressesTest, ValidatesAllocateParameters) {
  AllocateAddressArgs a;
  a.domain = "standard";
  Fails(AllocateAddress(r_, a).status(), "InvalidParameterValue");
  a = {};
  a.network_border_group = "us-west-2";
  Fails(AllocateAddress(r_, a).status(), "InvalidParameterValue");
  a = {};
  a.address = "8.8.8.8";  // outside the pool
  Fails(AllocateAddress(r_, a).status(), "InvalidAddress.NotFound");
  a.address = "198.18.7.7";  // recover a specific pool address
  std::string alloc = Done(AllocateAddress(r_, a));
  EXPECT_EQ(r_.addresses.Find(alloc)->public_ip.ToString(), "198.18.7.7");
  Fails(AllocateAddress(r_, a).status(), "InvalidAddress.NotFound");  // taken
}

TEST_F(AddressesTest, AssociationIsMirroredOnTheInterface) {
  std::string eni = MakeEni({"10.0.1.10", "10.0.1.11"});
  std::string alloc = Allocate();
  std::string assoc = Done(Associate(alloc, eni));
  EXPECT_EQ(assoc.rfind("eipassoc-", 0), 0u);
  const ElasticIp& eip = *r_.addresses.Find(alloc);
  EXPECT_EQ(eip.association_id, assoc);
  EXPECT_EQ(eip.network_interface_id, eni);
  EXPECT_EQ(eip.private_ip->ToString(), "10.0.1.10");
  ASSERT_TRUE(Mapping(eni));
  EXPECT_EQ(Mapping(eni)->public_ip, eip.public_ip);
  EXPECT_EQ(Mapping(eni)->allocation_id, alloc);
  EXPECT_EQ(Mapping(eni)->association_id, assoc);
  EXPECT_EQ(FindAddressByAssociation(r_, assoc), &eip);

  Fails(ReleaseAddress(r_, alloc), "InvalidIPAddress.InUse");
  Ok(DisassociateAddress(r_, assoc));
  EXPECT_FALSE(Mapping(eni));
  EXPECT_TRUE(r_.addresses.Find(alloc)->association_id.empty());
  Fails(DisassociateAddress(r_, assoc), "InvalidAssociationID.NotFound");
  Ok(ReleaseAddress(r_, alloc));
  Fails(ReleaseAddress(r_, alloc), "InvalidAllocationID.NotFound");
}

TEST_F(AddressesTest, SecondaryPrivateIpMustBelongToTheInterface) {
  std::string eni = MakeEni({"10.0.1.10", "10.0.1.11"});
  std::string alloc = Allocate();
  Fails(Associate(alloc, eni, "10.0.1.99").status(), "InvalidParameterValue");
  Fails(Associate(alloc, eni, "not-an-ip").status(), "InvalidParameterValue");
  Done(Associate(alloc, eni, "10.0.1.11"));
  EXPECT_FALSE(Mapping(eni, 0));
  EXPECT_EQ(Mapping(eni, 1)->allocation_id, alloc);
}

TEST_F(AddressesTest, RequiresAnInternetGatewayOnTheVpc) {
  std::string eni = MakeEni({"10.0.1.10"});
  Ok(DetachInternetGateway(r_, igw_, vpc_));
  Status st = Associate(Allocate(), eni).status();
  EXPECT_EQ(st.message(), "Network " + vpc_ + " is not attached to any internet gateway");
  Fails(st, "Gateway.NotAttached");
  EXPECT_FALSE(Mapping(eni));
}

TEST_F(AddressesTest, ReassociationIsAutomaticUnlessRefused) {
  std::string a = MakeEni({"10.0.1.10"});
  std::string b = MakeEni({"10.0.1.20"});
  std::string alloc = Allocate();
  std::string first = Done(Associate(alloc, a));
  EXPECT_EQ(Done(Associate(alloc, a)), first);  // same target: idempotent
  AssociateAddressArgs refuse;
  refuse.allocation_id = alloc;
  refuse.network_interface_id = b;
  refuse.allow_reassociation = false;
  Fails(AssociateAddress(r_, refuse).status(), "Resource.AlreadyAssociated");
  EXPECT_TRUE(Mapping(a));
  std::string moved = Done(Associate(alloc, b));
  EXPECT_NE(moved, first);
  EXPECT_FALSE(Mapping(a));
  EXPECT_EQ(Mapping(b)->association_id, moved);
}

TEST_F(AddressesTest, DisplacesAnElasticIpAlreadyOnTheTarget) {
  std::string eni = MakeEni({"10.0.1.10"});
  std::string old_alloc = Allocate();
  std::string new_alloc = Allocate();
  Done(Associate(old_alloc, eni));
  Done(Associate(new_alloc, eni));
  EXPECT_EQ(Mapping(eni)->allocation_id, new_alloc);
  EXPECT_TRUE(r_.addresses.Find(old_alloc)->association_id.empty());  // still allocated
}

TEST_F(AddressesTest, ReplacesAndRestoresTheAutoAssignedPublicIp) {
  std::string inst = MakeInstance("10.0.1.10");
  std::string eni = r_.instances.Find(inst)->primary_eni_id;
  IpAddress auto_ip = Mapping(eni)->public_ip;
  std::string alloc = Allocate();
  AssociateAddressArgs a;
  a.allocation_id = alloc;
  a.instance_id = inst;
  std::string assoc = Done(AssociateAddress(r_, a));
  EXPECT_EQ(Mapping(eni)->allocation_id, alloc);
  EXPECT_FALSE(cloud_.IsPublicIpUsed(auto_ip));  // released to the pool

  Ok(DisassociateAddress(r_, assoc));
  ASSERT_TRUE(Mapping(eni));  // a new auto-assigned public IP
  EXPECT_TRUE(Mapping(eni)->allocation_id.empty());
  EXPECT_NE(Mapping(eni)->public_ip, r_.addresses.Find(alloc)->public_ip);
  EXPECT_TRUE(cloud_.IsPublicIpUsed(Mapping(eni)->public_ip));
}

TEST_F(AddressesTest, NoNewPublicIpForAStoppedInstance) {
  std::string inst = MakeInstance("10.0.1.10");
  std::string eni = r_.instances.Find(inst)->primary_eni_id;
  std::string assoc = Done(Associate(Allocate(), eni));
  r_.instances.Update(inst, [](Instance& i) { i.state = "stopped"; });
  Ok(DisassociateAddress(r_, assoc));
  EXPECT_FALSE(Mapping(eni));
}

TEST_F(AddressesTest, InstanceWithSeveralInterfaces) {
  std::string inst = MakeInstance("10.0.1.10");
  std::string primary = r_.instances.Find(inst)->primary_eni_id;
  std::string secondary = MakeEni({"10.0.1.30"}, inst, 1);
  AssociateAddressArgs a;
  a.allocation_id = Allocate();
  a.instance_id = inst;
  Status st = AssociateAddress(r_, a).status();
  EXPECT_NE(st.message().find("multiple interfaces"), std::string::npos);
  Fails(st, "InvalidInstanceID");
  // By interface it works; disassociating gives no new public IP (two ENIs).
  std::string assoc = Done(Associate(a.allocation_id, primary));
  Ok(DisassociateAddress(r_, assoc));
  EXPECT_FALSE(Mapping(primary));
  EXPECT_FALSE(Mapping(secondary));
}

TEST_F(AddressesTest, TargetMustBeExactlyOneExistingResource) {
  AssociateAddressArgs a;
  a.allocation_id = Allocate();
  Fails(AssociateAddress(r_, a).status(), "MissingParameter");
  a.instance_id = "i-0123456789abcdef0";
  a.network_interface_id = MakeEni({"10.0.1.10"});
  Fails(AssociateAddress(r_, a).status(), "InvalidParameterCombination");
  a.network_interface_id.clear();
  Fails(AssociateAddress(r_, a).status(), "InvalidInstanceID.NotFound");
  a.instance_id.clear();
  a.network_interface_id = "eni-0123456789abcdef0";
  Fails(AssociateAddress(r_, a).status(), "InvalidNetworkInterfaceID.NotFound");
  a.allocation_id = "eipalloc-0123456789abcdef0";
  Fails(AssociateAddress(r_, a).status(), "InvalidAllocationID.NotFound");
}

TEST_F(AddressesTest, ReleaseInTheDefaultVpcDisassociatesFirst) {
  r_.vpcs.Update(vpc_, [](Vpc& v) { v.is_default = true; });
  std::string eni = MakeEni({"10.0.1.10"});
  std::string alloc = Allocate();
  Done(Associate(alloc, eni));
  Fails(ReleaseAddress(r_, alloc, "us-west-2"), "InvalidAddress.NotFound");
  Ok(ReleaseAddress(r_, alloc));
  EXPECT_FALSE(r_.addresses.Contains(alloc));
  EXPECT_FALSE(Mapping(eni));
}

TEST_F(AddressesTest, DisassociatesEverythingOnAnInterfaceBeingRemoved) {
  std::string eni = MakeEni({"10.0.1.10", "10.0.1.11"});
  std::string a1 = Allocate();
  std::string a2 = Allocate();
  Done(Associate(a1, eni, "10.0.1.10"));
  Done(Associate(a2, eni, "10.0.1.11"));
  DisassociateAddressesOfInterface(r_, eni, IpAddress::ParseV4("10.0.1.11").value());
  EXPECT_TRUE(Mapping(eni, 0));
  EXPECT_FALSE(Mapping(eni, 1));
  EXPECT_TRUE(r_.addresses.Find(a2)->network_interface_id.empty());
  DisassociateAddressesOfInterface(r_, eni);
  EXPECT_FALSE(Mapping(eni, 0));
  EXPECT_TRUE(r_.addresses.Find(a1)->association_id.empty());
}

}  // namespace
}  // namespace minivpc
