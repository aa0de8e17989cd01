"""Elastic network interfaces: addresses, groups, attributes, attach/detach."""
import ipaddress
import re
import unittest

from harness import ServerTestCase


class EniTestBase(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        vpc = cls.ec2.create_vpc(CidrBlock="10.20.0.0/16",
                                 AmazonProvidedIpv6CidrBlock=True)["Vpc"]
        cls.vpc_id = vpc["VpcId"]
        block = ipaddress.ip_network(vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
        cls.v6_block = list(block.subnets(new_prefix=64))[1]
        cls.subnet = cls.ec2.create_subnet(
            VpcId=cls.vpc_id, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1a",
            Ipv6CidrBlock=str(cls.v6_block))["Subnet"]["SubnetId"]
        cls.plain = cls.ec2.create_subnet(VpcId=cls.vpc_id, CidrBlock="10.20.2.0/24",
                                          AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        cls.far = cls.ec2.create_subnet(VpcId=cls.vpc_id, CidrBlock="10.20.3.0/24",
                                        AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
        groups = cls.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [cls.vpc_id]}])["SecurityGroups"]
        cls.default_sg = groups[0]["GroupId"]

    def eni(self, **kw):
        kw.setdefault("SubnetId", self.subnet)
        return self.ec2.create_network_interface(**kw)["NetworkInterface"]

    def get(self, eni_id):
        return self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]

    def count(self, subnet):
        return len(self.ec2.describe_network_interfaces(
            Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"])

    def launch(self, subnet=None, instance_type="t2.micro"):
        return self.ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                      InstanceType=instance_type,
                                      SubnetId=subnet or self.subnet)["Instances"][0]


class CreateTest(EniTestBase):
    def test_create_describe_delete_with_cli(self):
        out = self.aws("ec2", "create-network-interface", "--subnet-id", self.plain,
                       "--description", "cli eni", "--tag-specifications",
                       "ResourceType=network-interface,Tags=[{Key=Name,Value=cli-eni}]")
        eni = out["NetworkInterface"]
        eid = eni["NetworkInterfaceId"]
        self.assertRegex(eid, r"^eni-[0-9a-f]{17}$")
        self.assertEqual(eni["Status"], "available")
        self.assertEqual(eni["InterfaceType"], "interface")
        self.assertEqual(eni["Description"], "cli eni")
        self.assertTrue(eni["SourceDestCheck"])
        self.assertFalse(eni["RequesterManaged"])
        self.assertEqual(eni["OwnerId"], "123456789012")
        self.assertEqual(eni["VpcId"], self.vpc_id)
        self.assertEqual(eni["AvailabilityZone"], "us-east-1a")
        self.assertRegex(eni["MacAddress"], r"^02(:[0-9a-f]{2}){5}$")
        self.assertEqual([g["GroupId"] for g in eni["Groups"]], [self.default_sg])
        self.assertEqual(eni["Groups"][0]["GroupName"], "default")
        ip = eni["PrivateIpAddress"]
        self.assertIn(ipaddress.ip_address(ip), ipaddress.ip_network("10.20.2.0/24"))
        self.assertEqual(eni["PrivateDnsName"], "ip-%s.ec2.internal" % ip.replace(".", "-"))
        self.assertEqual(eni["PrivateIpAddresses"],
                         [{"Primary": True, "PrivateIpAddress": ip,
                           "PrivateDnsName": eni["PrivateDnsName"]}])
        self.assertEqual(eni["TagSet"], [{"Key": "Name", "Value": "cli-eni"}])
        got = self.aws("ec2", "describe-network-interfaces", "--filters",
                       "Name=tag:Name,Values=cli-eni")["NetworkInterfaces"]
        self.assertEqual([e["NetworkInterfaceId"] for e in got], [eid])
        self.aws("ec2", "delete-network-interface", "--network-interface-id", eid)
        self.assertCliError("InvalidNetworkInterfaceID.NotFound", "ec2",
                            "describe-network-interfaces", "--network-interface-ids", eid)

    def test_macs_are_unique(self):
        macs = {self.eni(SubnetId=self.plain)["MacAddress"] for _ in range(5)}
        self.assertEqual(len(macs), 5)

    def test_primary_address_rules(self):
        before = self.count(self.plain)
        for bad in ("10.20.2.0", "10.20.2.1", "10.20.2.2", "10.20.2.3", "10.20.2.255",
                    "10.20.1.9", "192.168.1.5"):
            self.assertAwsError("InvalidParameterValue", self.ec2.create_network_interface,
                                SubnetId=self.plain, PrivateIpAddress=bad)
        self.assertAwsError("InvalidParameterValue", self.ec2.create_network_interface,
                            SubnetId=self.plain, PrivateIpAddress="not-an-ip")
        wanted = self.free_ips(self.plain, 1)[0]
        eni = self.eni(SubnetId=self.plain, PrivateIpAddress=wanted)
        self.assertEqual(eni["PrivateIpAddress"], wanted)
        self.assertAwsError("InvalidIPAddress.InUse", self.ec2.create_network_interface,
                            SubnetId=self.plain, PrivateIpAddress=wanted)
        self.assertEqual(self.count(self.plain), before + 1)
        self.assertAwsError("InvalidSubnetID.NotFound", self.ec2.create_network_interface,
                            SubnetId="subnet-0123456789abcdef0")
        self.assertAwsError("InvalidSubnetID.Malformed", self.ec2.create_network_interface,
                            SubnetId="subnet-xyz")

    def test_private_ip_address_list_and_count(self):
        second, first = self.free_ips(self.subnet, 2)
        eni = self.eni(PrivateIpAddresses=[
            {"PrivateIpAddress": second, "Primary": False},
            {"PrivateIpAddress": first, "Primary": True}],
            SecondaryPrivateIpAddressCount=2)
        self.assertEqual(eni["PrivateIpAddress"], first)
        ips = [(p["PrivateIpAddress"], p["Primary"]) for p in eni["PrivateIpAddresses"]]
        self.assertEqual(ips[:2], [(first, True), (second, False)])
        self.assertEqual(len(ips), 4)
        self.assertEqual(len({ip for ip, _ in ips}), 4)
        a, b = self.free_ips(self.subnet, 2)
        self.assertAwsError("InvalidParameterValue", self.ec2.create_network_interface,
                            SubnetId=self.subnet, PrivateIpAddresses=[
                                {"PrivateIpAddress": a, "Primary": True},
                                {"PrivateIpAddress": b, "Primary": True}])

    def test_security_groups(self):
        groups = [self.ec2.create_security_group(GroupName="eni-g%d" % i, Description="d",
                                                 VpcId=self.vpc_id)["GroupId"]
                  for i in range(6)]
        self.assertAwsError("SecurityGroupsPerInterfaceLimitExceeded",
                            self.ec2.create_network_interface, SubnetId=self.plain,
                            Groups=groups)
        eni = self.eni(SubnetId=self.plain, Groups=groups[:5])
        self.assertEqual([g["GroupId"] for g in eni["Groups"]], groups[:5])
        other = self.ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        foreign = self.ec2.create_security_group(GroupName="far", Description="d",
                                                 VpcId=other)["GroupId"]
        self.assertAwsError("InvalidGroup.NotFound", self.ec2.create_network_interface,
                            SubnetId=self.plain, Groups=[foreign])
        self.assertAwsError("InvalidGroup.NotFound", self.ec2.create_network_interface,
                            SubnetId=self.plain, Groups=["sg-0123456789abcdef0"])
        eid = eni["NetworkInterfaceId"]
        self.ec2.modify_network_interface_attribute(NetworkInterfaceId=eid, Groups=[groups[5]])
        got = self.ec2.describe_network_interface_attribute(NetworkInterfaceId=eid,
                                                            Attribute="groupSet")
        self.assertEqual([g["GroupId"] for g in got["Groups"]], [groups[5]])
        self.assertAwsError("DependencyViolation", self.ec2.delete_security_group,
                            GroupId=groups[5])


class AddressTest(EniTestBase):
    def test_assign_and_unassign_secondary_addresses(self):
        eni = self.eni()
        eid = eni["NetworkInterfaceId"]
        out = self.ec2.assign_private_ip_addresses(NetworkInterfaceId=eid,
                                                   SecondaryPrivateIpAddressCount=2)
        self.assertEqual(out["NetworkInterfaceId"], eid)
        self.assertEqual(len(out["AssignedPrivateIpAddresses"]), 2)
        extra = self.free_ips(self.subnet, 1)[0]
        self.ec2.assign_private_ip_addresses(NetworkInterfaceId=eid,
                                             PrivateIpAddresses=[extra])
        got = self.get(eid)
        self.assertEqual(len(got["PrivateIpAddresses"]), 4)
        self.assertEqual(got["PrivateIpAddress"], eni["PrivateIpAddress"])
        self.assertAwsError("InvalidParameterValue", self.ec2.unassign_private_ip_addresses,
                            NetworkInterfaceId=eid, PrivateIpAddresses=[eni["PrivateIpAddress"]])
        self.assertAwsError("InvalidParameterValue", self.ec2.unassign_private_ip_addresses,
                            NetworkInterfaceId=eid, PrivateIpAddresses=self.free_ips(self.subnet, 1))
        self.assertEqual(len(self.get(eid)["PrivateIpAddresses"]), 4)
        self.ec2.unassign_private_ip_addresses(NetworkInterfaceId=eid,
                                               PrivateIpAddresses=[extra])
        got = self.get(eid)
        self.assertEqual(len(got["PrivateIpAddresses"]), 3)
        self.assertEqual(got["PrivateIpAddress"], eni["PrivateIpAddress"])
        self.assertAwsError("InvalidParameterValue", self.ec2.assign_private_ip_addresses,
                            NetworkInterfaceId=eid, PrivateIpAddresses=["10.20.2.50"])
        self.assertAwsError("InvalidParameterValue", self.ec2.assign_private_ip_addresses,
                            NetworkInterfaceId=eid, PrivateIpAddresses=["10.20.1.255"])

    def test_reassignment_needs_allow_reassignment(self):
        a = self.eni()["NetworkInterfaceId"]
        b = self.eni()["NetworkInterfaceId"]
        moving = self.free_ips(self.subnet, 1)[0]
        self.ec2.assign_private_ip_addresses(NetworkInterfaceId=a,
                                             PrivateIpAddresses=[moving])
        self.assertAwsError("InvalidIPAddress.InUse", self.ec2.assign_private_ip_addresses,
                            NetworkInterfaceId=b, PrivateIpAddresses=[moving])
        self.assertEqual(len(self.get(a)["PrivateIpAddresses"]), 2)
        self.ec2.assign_private_ip_addresses(NetworkInterfaceId=b, AllowReassignment=True,
                                             PrivateIpAddresses=[moving])
        self.assertEqual(len(self.get(a)["PrivateIpAddresses"]), 1)
        moved = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "addresses.private-ip-address", "Values": [moving]}])
        self.assertEqual([e["NetworkInterfaceId"] for e in moved["NetworkInterfaces"]], [b])
        primary_a = self.get(a)["PrivateIpAddress"]
        self.assertAwsError("InvalidIPAddress.InUse", self.ec2.assign_private_ip_addresses,
                            NetworkInterfaceId=b, AllowReassignment=True,
                            PrivateIpAddresses=[primary_a])

    def test_ipv6_addresses_come_from_the_subnet_64(self):
        eni = self.eni(Ipv6AddressCount=2)
        got = [ipaddress.ip_address(a["Ipv6Address"]) for a in eni["Ipv6Addresses"]]
        self.assertEqual(len(got), 2)
        self.assertTrue(all(a in self.v6_block for a in got))
        self.assertAwsError("InvalidParameterValue", self.ec2.create_network_interface,
                            SubnetId=self.plain, Ipv6AddressCount=1)
        eid = eni["NetworkInterfaceId"]
        wanted = str(self.v6_block[0x4242])
        out = self.ec2.assign_ipv6_addresses(NetworkInterfaceId=eid, Ipv6Addresses=[wanted])
        self.assertEqual(out["AssignedIpv6Addresses"], [wanted])
        self.assertAwsError("InvalidParameterValue", self.ec2.assign_ipv6_addresses,
                            NetworkInterfaceId=eid, Ipv6Addresses=["2001:db8::1"])
        other = self.eni()["NetworkInterfaceId"]
        self.assertAwsError("InvalidIPAddress.InUse", self.ec2.assign_ipv6_addresses,
                            NetworkInterfaceId=other, Ipv6Addresses=[wanted])
        found = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "ipv6-addresses.ipv6-address", "Values": [wanted]}])["NetworkInterfaces"]
        self.assertEqual([e["NetworkInterfaceId"] for e in found], [eid])
        out = self.ec2.unassign_ipv6_addresses(NetworkInterfaceId=eid, Ipv6Addresses=[wanted])
        self.assertEqual(out["UnassignedIpv6Addresses"], [wanted])
        self.assertEqual(len(self.get(eid)["Ipv6Addresses"]), 2)
        plain = self.eni(SubnetId=self.plain)["NetworkInterfaceId"]
        self.assertAwsError("InvalidParameterValue", self.ec2.assign_ipv6_addresses,
                            NetworkInterfaceId=plain, Ipv6AddressCount=1)


class AttributeTest(EniTestBase):
    def test_modify_describe_reset(self):
        eid = self.eni()["NetworkInterfaceId"]
        self.ec2.modify_network_interface_attribute(NetworkInterfaceId=eid,
                                                    Description={"Value": "new"})
        self.ec2.modify_network_interface_attribute(NetworkInterfaceId=eid,
                                                    SourceDestCheck={"Value": False})
        d = self.ec2.describe_network_interface_attribute(NetworkInterfaceId=eid,
                                                          Attribute="description")
        self.assertEqual(d["Description"]["Value"], "new")
        s = self.ec2.describe_network_interface_attribute(NetworkInterfaceId=eid,
                                                          Attribute="sourceDestCheck")
        self.assertFalse(s["SourceDestCheck"]["Value"])
        self.assertFalse(self.get(eid)["SourceDestCheck"])
        self.aws("ec2", "reset-network-interface-attribute", "--network-interface-id", eid,
                 "--source-dest-check", "true")
        self.assertTrue(self.get(eid)["SourceDestCheck"])
        self.assertAwsError("InvalidParameterCombination",
                            self.ec2.modify_network_interface_attribute, NetworkInterfaceId=eid,
                            Description={"Value": "x"}, SourceDestCheck={"Value": False})
        self.assertEqual(self.get(eid)["Description"], "new")
        a = self.ec2.describe_network_interface_attribute(NetworkInterfaceId=eid,
                                                          Attribute="attachment")
        self.assertNotIn("Attachment", a)


class AttachTest(EniTestBase):
    def test_attach_detach_rules(self):
        inst = self.launch(instance_type="t2.micro")  # 2 interfaces at most
        iid = inst["InstanceId"]
        primary_attach = inst["NetworkInterfaces"][0]["Attachment"]["AttachmentId"]
        eid = self.eni(SubnetId=self.plain)["NetworkInterfaceId"]
        attach = self.ec2.attach_network_interface(NetworkInterfaceId=eid, InstanceId=iid,
                                                   DeviceIndex=1)["AttachmentId"]
        self.assertRegex(attach, r"^eni-attach-[0-9a-f]{17}$")
        got = self.get(eid)
        self.assertEqual(got["Status"], "in-use")
        self.assertEqual(got["Attachment"]["InstanceId"], iid)
        self.assertEqual(got["Attachment"]["DeviceIndex"], 1)
        self.assertEqual(got["Attachment"]["Status"], "attached")
        self.assertFalse(got["Attachment"]["DeleteOnTermination"])
        desc = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertEqual(sorted(n["NetworkInterfaceId"] for n in desc["NetworkInterfaces"]),
                         sorted([eid, inst["NetworkInterfaces"][0]["NetworkInterfaceId"]]))
        by_instance = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "attachment.instance-id", "Values": [iid]}])["NetworkInterfaces"]
        self.assertEqual(len(by_instance), 2)

        other = self.eni()["NetworkInterfaceId"]
        self.assertAwsError("InvalidParameterValue", self.ec2.attach_network_interface,
                            NetworkInterfaceId=other, InstanceId=iid, DeviceIndex=1)
        self.assertAwsError("AttachmentLimitExceeded", self.ec2.attach_network_interface,
                            NetworkInterfaceId=other, InstanceId=iid, DeviceIndex=2)
        far = self.eni(SubnetId=self.far)["NetworkInterfaceId"]
        big = self.launch(instance_type="m5.large")["InstanceId"]
        self.assertAwsError("InvalidParameterCombination", self.ec2.attach_network_interface,
                            NetworkInterfaceId=far, InstanceId=big, DeviceIndex=1)
        self.assertAwsError("InvalidNetworkInterface.InUse", self.ec2.attach_network_interface,
                            NetworkInterfaceId=eid, InstanceId=big, DeviceIndex=1)
        self.assertAwsError("InvalidNetworkInterface.InUse", self.ec2.delete_network_interface,
                            NetworkInterfaceId=eid)
        self.assertAwsError("OperationNotPermitted", self.ec2.detach_network_interface,
                            AttachmentId=primary_attach)
        self.assertAwsError("OperationNotPermitted", self.ec2.detach_network_interface,
                            AttachmentId=primary_attach, Force=True)
        self.assertAwsError("InvalidAttachmentID.NotFound", self.ec2.detach_network_interface,
                            AttachmentId="eni-attach-0123456789abcdef0")
        self.assertAwsError("InvalidInstanceID.NotFound", self.ec2.attach_network_interface,
                            NetworkInterfaceId=other, InstanceId="i-0123456789abcdef0",
                            DeviceIndex=1)

        self.ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eid,
            Attachment={"AttachmentId": attach, "DeleteOnTermination": True})
        self.assertTrue(self.get(eid)["Attachment"]["DeleteOnTermination"])
        self.assertAwsError("InvalidAttachmentID.NotFound",
                            self.ec2.modify_network_interface_attribute, NetworkInterfaceId=eid,
                            Attachment={"AttachmentId": primary_attach,
                                        "DeleteOnTermination": False})
        self.aws("ec2", "detach-network-interface", "--attachment-id", attach)
        got = self.get(eid)
        self.assertEqual(got["Status"], "available")
        self.assertNotIn("Attachment", got)
        self.ec2.delete_network_interface(NetworkInterfaceId=eid)

    def test_attached_interface_obeys_address_limit(self):
        iid = self.launch(instance_type="t2.micro")["InstanceId"]  # 2 IPv4 per interface
        eid = self.eni(SecondaryPrivateIpAddressCount=2)["NetworkInterfaceId"]
        self.assertAwsError("PrivateIpAddressLimitExceeded", self.ec2.attach_network_interface,
                            NetworkInterfaceId=eid, InstanceId=iid, DeviceIndex=1)
        self.assertEqual(self.get(eid)["Status"], "available")
        desc = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        primary = desc["NetworkInterfaces"][0]["NetworkInterfaceId"]
        self.ec2.assign_private_ip_addresses(NetworkInterfaceId=primary,
                                             SecondaryPrivateIpAddressCount=1)
        self.assertAwsError("PrivateIpAddressLimitExceeded",
                            self.ec2.assign_private_ip_addresses, NetworkInterfaceId=primary,
                            SecondaryPrivateIpAddressCount=1)
        self.assertEqual(len(self.get(primary)["PrivateIpAddresses"]), 2)


class DescribeTest(EniTestBase):
    def test_pagination_and_filters(self):
        sub = self.ec2.create_subnet(VpcId=self.vpc_id, CidrBlock="10.20.9.0/24",
                                     AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        ids = {self.eni(SubnetId=sub, Description="page-%d" % i)["NetworkInterfaceId"]
               for i in range(7)}
        f = [{"Name": "subnet-id", "Values": [sub]}]
        first = self.ec2.describe_network_interfaces(Filters=f, MaxResults=5)
        self.assertEqual(len(first["NetworkInterfaces"]), 5)
        second = self.ec2.describe_network_interfaces(Filters=f, MaxResults=5,
                                                      NextToken=first["NextToken"])
        self.assertNotIn("NextToken", second)
        seen = [e["NetworkInterfaceId"] for e in
                first["NetworkInterfaces"] + second["NetworkInterfaces"]]
        self.assertEqual(sorted(seen), sorted(ids))
        paginator = self.ec2.get_paginator("describe_network_interfaces")
        paged = [e["NetworkInterfaceId"] for p in
                 paginator.paginate(Filters=f, PaginationConfig={"PageSize": 5})
                 for e in p["NetworkInterfaces"]]
        self.assertEqual(sorted(paged), sorted(ids))
        raw = self.client(validate=False)
        self.assertAwsError("InvalidParameterValue", raw.describe_network_interfaces,
                            MaxResults=3)
        got = self.ec2.describe_network_interfaces(Filters=f + [
            {"Name": "description", "Values": ["page-3"]}])["NetworkInterfaces"]
        self.assertEqual(len(got), 1)
        got = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "status", "Values": ["available"]},
            {"Name": "vpc-id", "Values": [self.vpc_id]},
            {"Name": "group-id", "Values": [self.default_sg]},
            {"Name": "subnet-id", "Values": [sub]}])["NetworkInterfaces"]
        self.assertEqual(len(got), 7)
        ip = got[0]["PrivateIpAddress"]
        got = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "private-ip-address", "Values": [ip]}])["NetworkInterfaces"]
        self.assertEqual(len(got), 1)
        # Several subnet ids (served from the ENIs-by-subnet index) and a wildcard (a scan).
        other = self.eni(SubnetId=self.far)["NetworkInterfaceId"]
        both = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "subnet-id", "Values": [sub, self.far]}])["NetworkInterfaces"]
        both_ids = {e["NetworkInterfaceId"] for e in both}
        self.assertIn(other, both_ids)
        self.assertTrue(ids < both_ids)
        self.assertEqual({e["SubnetId"] for e in both}, {sub, self.far})
        wild = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "subnet-id", "Values": [sub[:-1] + "*"]}])["NetworkInterfaces"]
        self.assertEqual({e["NetworkInterfaceId"] for e in wild}, ids)
        self.assertEqual(self.ec2.describe_network_interfaces(Filters=[
            {"Name": "subnet-id", "Values": ["subnet-0123456789abcdef0"]}])["NetworkInterfaces"], [])
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_network_interfaces,
                            Filters=[{"Name": "bogus", "Values": ["x"]}])
        self.assertAwsError("InvalidNetworkInterfaceID.Malformed",
                            self.ec2.describe_network_interfaces,
                            NetworkInterfaceIds=["eni-nothex"])

    def test_dry_run_creates_nothing(self):
        before = self.count(self.subnet)
        self.assertAwsError("DryRunOperation", self.ec2.create_network_interface,
                            SubnetId=self.subnet, DryRun=True)
        self.assertEqual(self.count(self.subnet), before)


if __name__ == "__main__":
    unittest.main()
