"""Elastic IPs: allocation, association to interfaces and instances, the
auto-assigned public IP they replace, filters, quota, durability."""
import ipaddress
import unittest

from harness import ServerTestCase

POOL = ipaddress.ip_network("198.18.0.0/15")


class AddressTestBase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vpc_id = cls.ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        cls.subnet = cls.ec2.create_subnet(VpcId=cls.vpc_id, CidrBlock="10.40.1.0/24")[
            "Subnet"]["SubnetId"]
        cls.igw = cls.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        cls.ec2.attach_internet_gateway(InternetGatewayId=cls.igw, VpcId=cls.vpc_id)

    def allocate(self, **kw):
        alloc = self.ec2.allocate_address(Domain="vpc", **kw)
        self.addCleanup(self._release_quietly, alloc["AllocationId"])
        return alloc

    def _release_quietly(self, alloc_id):
        for a in self.ec2.describe_addresses(
                Filters=[{"Name": "allocation-id", "Values": [alloc_id]}])["Addresses"]:
            if "AssociationId" in a:
                self.ec2.disassociate_address(AssociationId=a["AssociationId"])
            self.ec2.release_address(AllocationId=alloc_id)

    def eni(self, **kw):
        eni = self.ec2.create_network_interface(SubnetId=self.subnet, **kw)["NetworkInterface"]
        return eni

    def address(self, alloc_id):
        return self.ec2.describe_addresses(AllocationIds=[alloc_id])["Addresses"][0]

    def launch(self, public=True):
        return self.ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro",
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": self.subnet,
                                "AssociatePublicIpAddress": public}])["Instances"][0]

    def instance(self, iid):
        return self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]

    def eni_association(self, eni_id, index=0):
        eni = self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
        return eni["PrivateIpAddresses"][index].get("Association")


class AllocationTest(AddressTestBase):
    in_memory = True

    def test_allocate_describe_release_with_cli(self):
        out = self.aws("ec2", "allocate-address", "--domain", "vpc", "--tag-specifications",
                       "ResourceType=elastic-ip,Tags=[{Key=Name,Value=cli-eip}]")
        alloc = out["AllocationId"]
        self.assertRegex(alloc, r"^eipalloc-[0-9a-f]{17}$")
        self.assertIn(ipaddress.ip_address(out["PublicIp"]), POOL)
        self.assertEqual((out["Domain"], out["PublicIpv4Pool"], out["NetworkBorderGroup"]),
                         ("vpc", "amazon", "us-east-1"))
        got = self.aws("ec2", "describe-addresses", "--allocation-ids", alloc)["Addresses"]
        self.assertEqual(got, [{"AllocationId": alloc, "PublicIp": out["PublicIp"],
                                "Domain": "vpc", "PublicIpv4Pool": "amazon",
                                "NetworkBorderGroup": "us-east-1",
                                "Tags": [{"Key": "Name", "Value": "cli-eip"}]}])
        self.aws("ec2", "release-address", "--allocation-id", alloc)
        self.assertCliError("InvalidAllocationID.NotFound", "ec2", "release-address",
                            "--allocation-id", alloc)
        self.assertCliError("InvalidAllocationID.NotFound", "ec2", "describe-addresses",
                            "--allocation-ids", alloc)

    def test_quota_is_five_per_region(self):
        west = self.client(region="eu-west-2")
        made = [west.allocate_address(Domain="vpc")["AllocationId"] for _ in range(5)]
        self.assertAwsError("AddressLimitExceeded", west.allocate_address, Domain="vpc")
        self.assertEqual(len(west.describe_addresses()["Addresses"]), 5)
        for alloc in made:
            west.release_address(AllocationId=alloc)

    def test_allocate_parameters(self):
        self.assertAwsError("InvalidParameterValue", self.ec2.allocate_address,
                            NetworkBorderGroup="us-west-2")
        self.assertAwsError("InvalidParameterValue", self.ec2.allocate_address,
                            PublicIpv4Pool="ipv4pool-ec2-0123456789abcdef0")
        self.assertAwsError("InvalidAddress.NotFound", self.ec2.allocate_address,
                            Address="8.8.8.8")
        first = self.allocate()
        # A released address can be recovered while nobody else holds it.
        self.ec2.release_address(AllocationId=first["AllocationId"])
        again = self.allocate(Address=first["PublicIp"])
        self.assertEqual(again["PublicIp"], first["PublicIp"])
        self.assertAwsError("InvalidAddress.NotFound", self.ec2.allocate_address,
                            Address=first["PublicIp"])

    def test_describe_by_public_ip_and_filters(self):
        a = self.allocate(TagSpecifications=[{"ResourceType": "elastic-ip",
                                              "Tags": [{"Key": "role", "Value": "web"}]}])
        b = self.allocate()
        got = self.ec2.describe_addresses(PublicIps=[b["PublicIp"]])["Addresses"]
        self.assertEqual([x["AllocationId"] for x in got], [b["AllocationId"]])
        self.assertAwsError("InvalidAddress.NotFound", self.ec2.describe_addresses,
                            PublicIps=["198.19.255.254"])
        self.assertEqual(self.ec2.describe_addresses(
            PublicIps=[b["PublicIp"]], AllocationIds=[a["AllocationId"]])["Addresses"], [])

        def ids(name, values):
            return {x["AllocationId"] for x in self.ec2.describe_addresses(
                Filters=[{"Name": name, "Values": values}])["Addresses"]}

        self.assertEqual(ids("public-ip", [a["PublicIp"]]), {a["AllocationId"]})
        self.assertEqual(ids("allocation-id", [b["AllocationId"]]), {b["AllocationId"]})
        self.assertEqual(ids("tag:role", ["web"]), {a["AllocationId"]})
        self.assertEqual(ids("domain", ["vpc"]), {a["AllocationId"], b["AllocationId"]})
        self.assertEqual(ids("network-border-group", ["us-east-1"]),
                         {a["AllocationId"], b["AllocationId"]})
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_addresses,
                            Filters=[{"Name": "nonsense", "Values": ["x"]}])


class InterfaceAssociationTest(AddressTestBase):
    in_memory = True

    def test_associate_disassociate_with_cli(self):
        eni = self.eni()
        eid = eni["NetworkInterfaceId"]
        private_ip = eni["PrivateIpAddress"]
        alloc = self.allocate()
        out = self.aws("ec2", "associate-address", "--allocation-id", alloc["AllocationId"],
                       "--network-interface-id", eid)
        assoc = out["AssociationId"]
        self.assertRegex(assoc, r"^eipassoc-[0-9a-f]{17}$")
        got = self.address(alloc["AllocationId"])
        self.assertEqual({k: got.get(k) for k in ("AssociationId", "NetworkInterfaceId",
                                                  "PrivateIpAddress", "NetworkInterfaceOwnerId")},
                         {"AssociationId": assoc, "NetworkInterfaceId": eid,
                          "PrivateIpAddress": private_ip,
                          "NetworkInterfaceOwnerId": "123456789012"})
        self.assertNotIn("InstanceId", got)
        # The interface shows the same mapping.
        mapping = self.eni_association(eid)
        self.assertEqual((mapping["PublicIp"], mapping["AllocationId"], mapping["AssociationId"]),
                         (alloc["PublicIp"], alloc["AllocationId"], assoc))

        for name, value in (("association-id", assoc), ("network-interface-id", eid),
                            ("private-ip-address", private_ip),
                            ("network-interface-owner-id", "123456789012")):
            found = self.ec2.describe_addresses(
                Filters=[{"Name": name, "Values": [value]}])["Addresses"]
            self.assertEqual([x["AllocationId"] for x in found], [alloc["AllocationId"]], name)

        self.assertCliError("InvalidIPAddress.InUse", "ec2", "release-address",
                            "--allocation-id", alloc["AllocationId"])
        self.aws("ec2", "disassociate-address", "--association-id", assoc)
        self.assertNotIn("AssociationId", self.address(alloc["AllocationId"]))
        self.assertIsNone(self.eni_association(eid))
        self.assertAwsError("InvalidAssociationID.NotFound", self.ec2.disassociate_address,
                            AssociationId=assoc)

    def test_needs_an_internet_gateway(self):
        vid = self.ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
        sub = self.ec2.create_subnet(VpcId=vid, CidrBlock="10.41.1.0/24")["Subnet"]["SubnetId"]
        eid = self.ec2.create_network_interface(SubnetId=sub)["NetworkInterface"][
            "NetworkInterfaceId"]
        alloc = self.allocate()
        err = self.assertAwsError("Gateway.NotAttached", self.ec2.associate_address,
                                  AllocationId=alloc["AllocationId"], NetworkInterfaceId=eid)
        self.assertIn("is not attached to any internet gateway", str(err))
        self.assertNotIn("AssociationId", self.address(alloc["AllocationId"]))

    def test_secondary_private_ip(self):
        eni = self.eni(SecondaryPrivateIpAddressCount=1)
        eid = eni["NetworkInterfaceId"]
        secondary = [p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"] if not p["Primary"]]
        alloc = self.allocate()
        self.assertAwsError("InvalidParameterValue", self.ec2.associate_address,
                            AllocationId=alloc["AllocationId"], NetworkInterfaceId=eid,
                            PrivateIpAddress="10.40.99.99")
        self.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eid,
                                   PrivateIpAddress=secondary[0])
        self.assertEqual(self.address(alloc["AllocationId"])["PrivateIpAddress"], secondary[0])
        self.assertIsNone(self.eni_association(eid, 0))
        self.assertEqual(self.eni_association(eid, 1)["PublicIp"], alloc["PublicIp"])

    def test_reassociation(self):
        a = self.eni()["NetworkInterfaceId"]
        b = self.eni()["NetworkInterfaceId"]
        alloc = self.allocate()
        first = self.ec2.associate_address(AllocationId=alloc["AllocationId"],
                                           NetworkInterfaceId=a)["AssociationId"]
        self.assertAwsError("Resource.AlreadyAssociated", self.ec2.associate_address,
                            AllocationId=alloc["AllocationId"], NetworkInterfaceId=b,
                            AllowReassociation=False)
        self.assertEqual(self.address(alloc["AllocationId"])["NetworkInterfaceId"], a)
        # Reassociation is automatic unless refused, as in AWS.
        moved = self.ec2.associate_address(AllocationId=alloc["AllocationId"],
                                           NetworkInterfaceId=b)["AssociationId"]
        self.assertNotEqual(moved, first)
        self.assertEqual(self.address(alloc["AllocationId"])["NetworkInterfaceId"], b)
        self.assertIsNone(self.eni_association(a))
        # A second address on the same private IP displaces the first.
        other = self.allocate()
        self.ec2.associate_address(AllocationId=other["AllocationId"], NetworkInterfaceId=b)
        self.assertNotIn("AssociationId", self.address(alloc["AllocationId"]))
        self.assertEqual(self.eni_association(b)["PublicIp"], other["PublicIp"])

    def test_bad_targets(self):
        alloc = self.allocate()["AllocationId"]
        raw = self.client(validate=False)
        self.assertAwsError("MissingParameter", raw.associate_address, AllocationId=alloc)
        self.assertAwsError("InvalidParameterCombination", self.ec2.associate_address,
                            AllocationId=alloc, InstanceId="i-0123456789abcdef0",
                            NetworkInterfaceId=self.eni()["NetworkInterfaceId"])
        self.assertAwsError("InvalidInstanceID.NotFound", self.ec2.associate_address,
                            AllocationId=alloc, InstanceId="i-0123456789abcdef0")
        self.assertAwsError("InvalidNetworkInterfaceID.NotFound", self.ec2.associate_address,
                            AllocationId=alloc, NetworkInterfaceId="eni-0123456789abcdef0")
        self.assertAwsError("InvalidAllocationID.NotFound", self.ec2.associate_address,
                            AllocationId="eipalloc-0123456789abcdef0",
                            NetworkInterfaceId=self.eni()["NetworkInterfaceId"])
        self.assertAwsError("InvalidAllocationID.Malformed", self.ec2.release_address,
                            AllocationId="eipalloc-zz")
        self.assertAwsError("MissingParameter", raw.release_address)
        self.assertAwsError("MissingParameter", raw.disassociate_address)

    def test_deleting_the_interface_frees_the_address(self):
        eid = self.eni()["NetworkInterfaceId"]
        alloc = self.allocate()
        self.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eid)
        self.ec2.delete_network_interface(NetworkInterfaceId=eid)
        self.assertNotIn("AssociationId", self.address(alloc["AllocationId"]))


class InstanceAssociationTest(AddressTestBase):
    def test_elastic_ip_replaces_and_returns_the_auto_assigned_ip(self):
        inst = self.launch()
        iid = inst["InstanceId"]
        auto_ip = inst["PublicIpAddress"]
        alloc = self.allocate()
        out = self.aws("ec2", "associate-address", "--allocation-id", alloc["AllocationId"],
                       "--instance-id", iid)
        self.assertEqual(self.instance(iid)["PublicIpAddress"], alloc["PublicIp"])
        # The auto-assigned address went back to the pool: it can be allocated.
        self.assertEqual(self.allocate(Address=auto_ip)["PublicIp"], auto_ip)
        got = self.address(alloc["AllocationId"])
        self.assertEqual((got["InstanceId"], got["AssociationId"]), (iid, out["AssociationId"]))
        self.assertEqual([x["AllocationId"] for x in self.ec2.describe_addresses(
            Filters=[{"Name": "instance-id", "Values": [iid]}])["Addresses"]],
            [alloc["AllocationId"]])

        self.ec2.disassociate_address(AssociationId=out["AssociationId"])
        new_ip = self.instance(iid).get("PublicIpAddress")
        self.assertIsNotNone(new_ip, "a running instance gets a new public IP")
        self.assertNotEqual(new_ip, alloc["PublicIp"])
        self.assertIn(ipaddress.ip_address(new_ip), POOL)
        self.ec2.terminate_instances(InstanceIds=[iid])

    def test_instance_without_public_ip_gets_none_back(self):
        inst = self.launch(public=False)
        iid = inst["InstanceId"]
        alloc = self.allocate()
        assoc = self.ec2.associate_address(AllocationId=alloc["AllocationId"], InstanceId=iid)
        self.ec2.disassociate_address(AssociationId=assoc["AssociationId"])
        self.assertNotIn("PublicIpAddress", self.instance(iid))
        self.ec2.terminate_instances(InstanceIds=[iid])

    def test_elastic_ip_survives_stop_and_start(self):
        inst = self.launch()
        iid = inst["InstanceId"]
        alloc = self.allocate()
        assoc = self.ec2.associate_address(AllocationId=alloc["AllocationId"],
                                           InstanceId=iid)["AssociationId"]
        self.ec2.stop_instances(InstanceIds=[iid])
        self.assertEqual(self.instance(iid)["State"]["Name"], "stopped")
        self.assertEqual(self.instance(iid)["PublicIpAddress"], alloc["PublicIp"])
        self.ec2.start_instances(InstanceIds=[iid])
        self.assertEqual(self.instance(iid)["PublicIpAddress"], alloc["PublicIp"])
        self.assertEqual(self.address(alloc["AllocationId"])["AssociationId"], assoc)
        self.ec2.terminate_instances(InstanceIds=[iid])
        self.assertNotIn("AssociationId", self.address(alloc["AllocationId"]))

    def test_instance_with_two_interfaces_needs_an_interface_id(self):
        inst = self.launch()
        iid = inst["InstanceId"]
        extra = self.eni()["NetworkInterfaceId"]
        self.ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=iid, DeviceIndex=1)
        alloc = self.allocate()
        err = self.assertAwsError("InvalidInstanceID", self.ec2.associate_address,
                                  AllocationId=alloc["AllocationId"], InstanceId=iid)
        self.assertIn("multiple interfaces", str(err))
        self.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=extra)
        self.assertEqual(self.address(alloc["AllocationId"])["InstanceId"], iid)
        self.ec2.terminate_instances(InstanceIds=[iid])

    def test_associations_survive_a_crash(self):
        eid = self.eni()["NetworkInterfaceId"]
        alloc = self.allocate()
        self.ec2.associate_address(AllocationId=alloc["AllocationId"], NetworkInterfaceId=eid)
        before = self.address(alloc["AllocationId"])
        self.restart(kill=True)
        self.assertEqual(self.address(alloc["AllocationId"]), before)
        self.assertEqual(self.eni_association(eid)["PublicIp"], alloc["PublicIp"])
        # The pool still knows the address is taken.
        self.assertAwsError("InvalidAddress.NotFound", self.ec2.allocate_address,
                            Address=alloc["PublicIp"])


if __name__ == "__main__":
    unittest.main()
