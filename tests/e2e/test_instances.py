"""Instances: launch, the state machine, public IPv4 rules, attributes, types."""
import ipaddress
import unittest

from harness import ServerTestCase

AMI = "ami-0123456789abcdef0"
POOL = ipaddress.ip_network("198.18.0.0/15")


class InstanceTestBase(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vpc_id = cls.ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        cls.ec2.modify_vpc_attribute(VpcId=cls.vpc_id, EnableDnsHostnames={"Value": True})
        cls.public = cls.subnet("10.30.1.0/24", "us-east-1a", public=True)
        cls.private = cls.subnet("10.30.2.0/24", "us-east-1a")
        cls.far = cls.subnet("10.30.3.0/24", "us-east-1b")

    @classmethod
    def subnet(cls, cidr, az, public=False):
        sid = cls.ec2.create_subnet(VpcId=cls.vpc_id, CidrBlock=cidr,
                                    AvailabilityZone=az)["Subnet"]["SubnetId"]
        if public:
            cls.ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
        return sid

    def run_one(self, **kw):
        kw.setdefault("ImageId", AMI)
        kw.setdefault("MinCount", 1)
        kw.setdefault("MaxCount", 1)
        if "NetworkInterfaces" not in kw:
            kw.setdefault("SubnetId", self.private)
        return self.ec2.run_instances(**kw)["Instances"][0]

    def describe(self, iid):
        return self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]

    def instance_count(self):
        return sum(len(r["Instances"]) for r in self.ec2.describe_instances()["Reservations"])


class LaunchTest(InstanceTestBase):
    def test_run_describe_terminate_with_cli(self):
        out = self.aws("ec2", "run-instances", "--image-id", AMI, "--instance-type", "t3.micro",
                       "--subnet-id", self.private, "--key-name", "my-key",
                       "--tag-specifications",
                       "ResourceType=instance,Tags=[{Key=Name,Value=cli-vm}]",
                       "ResourceType=network-interface,Tags=[{Key=role,Value=nic}]")
        self.assertRegex(out["ReservationId"], r"^r-[0-9a-f]{17}$")
        self.assertEqual(out["OwnerId"], "123456789012")
        inst = out["Instances"][0]
        iid = inst["InstanceId"]
        self.assertRegex(iid, r"^i-[0-9a-f]{17}$")
        self.assertEqual(inst["State"], {"Code": 0, "Name": "pending"})
        got = self.aws("ec2", "describe-instances", "--instance-ids", iid)
        d = got["Reservations"][0]["Instances"][0]
        self.assertEqual(got["Reservations"][0]["ReservationId"], out["ReservationId"])
        self.assertEqual(d["State"], {"Code": 16, "Name": "running"})
        self.assertEqual(d["InstanceType"], "t3.micro")
        self.assertEqual(d["ImageId"], AMI)
        self.assertEqual(d["KeyName"], "my-key")
        self.assertEqual(d["SubnetId"], self.private)
        self.assertEqual(d["VpcId"], self.vpc_id)
        self.assertEqual(d["Placement"]["AvailabilityZone"], "us-east-1a")
        self.assertEqual(d["Architecture"], "x86_64")
        self.assertEqual(d["RootDeviceType"], "ebs")
        self.assertEqual(d["VirtualizationType"], "hvm")
        self.assertEqual(d["AmiLaunchIndex"], 0)
        self.assertTrue(d["SourceDestCheck"])
        self.assertEqual(d["Tags"], [{"Key": "Name", "Value": "cli-vm"}])
        self.assertEqual([g["GroupName"] for g in d["SecurityGroups"]], ["default"])
        ip = d["PrivateIpAddress"]
        self.assertIn(ipaddress.ip_address(ip), ipaddress.ip_network("10.30.2.0/24"))
        self.assertEqual(d["PrivateDnsName"], "ip-%s.ec2.internal" % ip.replace(".", "-"))
        self.assertNotIn("PublicIpAddress", d)
        nic = d["NetworkInterfaces"][0]
        self.assertEqual(nic["PrivateIpAddress"], ip)
        self.assertEqual(nic["Attachment"]["DeviceIndex"], 0)
        self.assertTrue(nic["Attachment"]["DeleteOnTermination"])
        self.assertEqual(nic["Attachment"]["Status"], "attached")
        eni = self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[nic["NetworkInterfaceId"]])["NetworkInterfaces"][0]
        self.assertEqual(eni["TagSet"], [{"Key": "role", "Value": "nic"}])
        out = self.aws("ec2", "terminate-instances", "--instance-ids", iid)
        change = out["TerminatingInstances"][0]
        self.assertEqual(change["CurrentState"], {"Code": 32, "Name": "shutting-down"})
        self.assertEqual(change["PreviousState"], {"Code": 16, "Name": "running"})
        d = self.describe(iid)
        self.assertEqual(d["State"], {"Code": 48, "Name": "terminated"})
        self.assertEqual(d["NetworkInterfaces"], [])
        self.assertAwsError("InvalidNetworkInterfaceID.NotFound",
                            self.ec2.describe_network_interfaces,
                            NetworkInterfaceIds=[nic["NetworkInterfaceId"]])

    def test_invalid_requests_change_nothing(self):
        before = self.instance_count()
        self.assertAwsError("InvalidAMIID.Malformed", self.ec2.run_instances, ImageId="ami-xyz",
                            MinCount=1, MaxCount=1, SubnetId=self.private)
        self.assertAwsError("InvalidParameterValue", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, SubnetId=self.private,
                            InstanceType="t2.colossal")
        raw = self.client(validate=False)
        self.assertAwsError("InvalidParameterValue", raw.run_instances, ImageId=AMI, MinCount=0,
                            MaxCount=1, SubnetId=self.private)
        self.assertAwsError("InvalidParameterValue", raw.run_instances, ImageId=AMI, MinCount=3,
                            MaxCount=2, SubnetId=self.private)
        self.assertAwsError("InvalidSubnetID.NotFound", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, SubnetId="subnet-0123456789abcdef0")
        self.assertAwsError("InvalidParameterCombination", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, SubnetId=self.private,
                            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": self.private}])
        self.assertAwsError("InvalidParameterCombination", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, SecurityGroupIds=["sg-12345678"],
                            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": self.private}])
        self.assertAwsError("InvalidParameterCombination", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, NetworkInterfaces=[
                                {"DeviceIndex": 0, "SubnetId": self.private},
                                {"DeviceIndex": 1, "SubnetId": self.far}])
        self.assertAwsError("InvalidParameterValue", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, SubnetId=self.private,
                            Placement={"AvailabilityZone": "us-east-1b"})
        self.assertAwsError("AttachmentLimitExceeded", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, InstanceType="t2.micro", NetworkInterfaces=[
                                {"DeviceIndex": i, "SubnetId": self.private} for i in range(3)])
        self.assertAwsError("PrivateIpAddressLimitExceeded", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, InstanceType="t2.micro", NetworkInterfaces=[
                                {"DeviceIndex": 0, "SubnetId": self.private,
                                 "SecondaryPrivateIpAddressCount": 2}])
        self.assertEqual(self.instance_count(), before)

    def test_private_ip_and_multiple_interfaces(self):
        wanted = self.free_ips(self.private, 1)[0]
        inst = self.run_one(PrivateIpAddress=wanted)
        self.assertEqual(inst["PrivateIpAddress"], wanted)
        self.assertAwsError("InvalidIPAddress.InUse", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, SubnetId=self.private,
                            PrivateIpAddress=wanted)
        inst = self.run_one(InstanceType="m5.large", NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": self.private, "Description": "front"},
            {"DeviceIndex": 1, "SubnetId": self.public, "SecondaryPrivateIpAddressCount": 2}])
        d = self.describe(inst["InstanceId"])
        nics = sorted(d["NetworkInterfaces"], key=lambda n: n["Attachment"]["DeviceIndex"])
        self.assertEqual([n["SubnetId"] for n in nics], [self.private, self.public])
        self.assertEqual(len(nics[1]["PrivateIpAddresses"]), 3)
        self.assertEqual(d["PrivateIpAddress"], nics[0]["PrivateIpAddress"])
        self.assertEqual(d["SubnetId"], self.private)
        self.assertNotIn("PublicIpAddress", d)  # several interfaces: no auto public IP

    def test_existing_interface_at_launch(self):
        wanted = self.free_ips(self.public, 1)[0]
        eni = self.ec2.create_network_interface(SubnetId=self.public,
                                                PrivateIpAddress=wanted)["NetworkInterface"]
        eid = eni["NetworkInterfaceId"]
        self.assertAwsError("InvalidParameterCombination", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, NetworkInterfaces=[
                                {"DeviceIndex": 0, "NetworkInterfaceId": eid,
                                 "AssociatePublicIpAddress": True}])
        inst = self.run_one(NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eid}])
        iid = inst["InstanceId"]
        self.assertEqual(inst["PrivateIpAddress"], wanted)
        self.assertNotIn("PublicIpAddress", self.describe(iid))
        self.assertAwsError("InvalidNetworkInterface.InUse", self.ec2.run_instances,
                            ImageId=AMI, MinCount=1, MaxCount=1,
                            NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eid}])
        self.ec2.terminate_instances(InstanceIds=[iid])
        got = self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[eid])["NetworkInterfaces"][0]
        self.assertEqual(got["Status"], "available")
        self.assertEqual(got["PrivateIpAddress"], wanted)

    def test_min_and_max_count_follow_free_addresses(self):
        tiny = self.subnet("10.30.9.0/28", "us-east-1a")  # 11 usable addresses
        self.assertAwsError("InsufficientFreeAddressesInSubnet", self.ec2.run_instances,
                            ImageId=AMI, MinCount=12, MaxCount=20, SubnetId=tiny)
        out = self.ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=20, SubnetId=tiny)
        self.assertEqual(len(out["Instances"]), 11)
        self.assertEqual(sorted(i["AmiLaunchIndex"] for i in out["Instances"]), list(range(11)))
        got = self.ec2.describe_instances(Filters=[
            {"Name": "reservation-id", "Values": [out["ReservationId"]]}])["Reservations"]
        self.assertEqual(len(got), 1)
        self.assertEqual(len(got[0]["Instances"]), 11)
        sub = self.ec2.describe_subnets(SubnetIds=[tiny])["Subnets"][0]
        self.assertEqual(sub["AvailableIpAddressCount"], 0)

    def test_client_token_is_idempotent(self):
        a = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=self.private,
                                   ClientToken="token-1")["Instances"][0]
        b = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=self.private,
                                   ClientToken="token-1")["Instances"][0]
        self.assertEqual(a["InstanceId"], b["InstanceId"])
        self.assertEqual(self.describe(a["InstanceId"])["ClientToken"], "token-1")


class PublicIpTest(InstanceTestBase):
    """The seed rules: a public IPv4 on the primary ENI, not static."""

    def test_public_subnet_gives_a_public_ip_that_changes_on_stop_start(self):
        inst = self.run_one(SubnetId=self.public)
        iid = inst["InstanceId"]
        d = self.describe(iid)
        pub = d["PublicIpAddress"]
        self.assertIn(ipaddress.ip_address(pub), POOL)
        self.assertNotIn(ipaddress.ip_address(pub), ipaddress.ip_network("10.30.0.0/16"))
        self.assertEqual(d["PublicDnsName"],
                         "ec2-%s.compute-1.amazonaws.com" % pub.replace(".", "-"))
        nic = d["NetworkInterfaces"][0]
        self.assertEqual(nic["Association"]["PublicIp"], pub)
        self.assertEqual(nic["Association"]["IpOwnerId"], "amazon")
        self.assertEqual(nic["PrivateIpAddresses"][0]["Association"]["PublicIp"], pub)
        private_ip = d["PrivateIpAddress"]

        out = self.aws("ec2", "stop-instances", "--instance-ids", iid)
        self.assertEqual(out["StoppingInstances"][0]["CurrentState"],
                         {"Code": 64, "Name": "stopping"})
        d = self.describe(iid)
        self.assertEqual(d["State"]["Name"], "stopped")
        self.assertNotIn("PublicIpAddress", d)
        self.assertEqual(d["PublicDnsName"], "")
        self.assertEqual(d["PrivateIpAddress"], private_ip)
        self.assertNotIn("Association", d["NetworkInterfaces"][0])

        out = self.aws("ec2", "start-instances", "--instance-ids", iid)
        self.assertEqual(out["StartingInstances"][0]["CurrentState"],
                         {"Code": 0, "Name": "pending"})
        self.assertEqual(out["StartingInstances"][0]["PreviousState"],
                         {"Code": 80, "Name": "stopped"})
        d = self.describe(iid)
        self.assertEqual(d["State"]["Name"], "running")
        self.assertIn(ipaddress.ip_address(d["PublicIpAddress"]), POOL)
        self.assertNotEqual(d["PublicIpAddress"], pub)
        self.assertEqual(d["PrivateIpAddress"], private_ip)

    def test_associate_public_ip_address_overrides_the_subnet(self):
        inst = self.run_one(NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": self.private, "AssociatePublicIpAddress": True}])
        self.assertIn("PublicIpAddress", self.describe(inst["InstanceId"]))
        inst = self.run_one(NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": self.public, "AssociatePublicIpAddress": False}])
        self.assertNotIn("PublicIpAddress", self.describe(inst["InstanceId"]))
        inst = self.run_one(SubnetId=self.private)
        self.assertNotIn("PublicIpAddress", self.describe(inst["InstanceId"]))

    def test_associate_public_ip_address_misuse(self):
        before = self.instance_count()
        self.assertAwsError("InvalidParameterCombination", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, InstanceType="m5.large", NetworkInterfaces=[
                                {"DeviceIndex": 0, "SubnetId": self.private,
                                 "AssociatePublicIpAddress": True},
                                {"DeviceIndex": 1, "SubnetId": self.private}])
        self.assertAwsError("InvalidParameterCombination", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, NetworkInterfaces=[
                                {"DeviceIndex": 1, "SubnetId": self.private,
                                 "AssociatePublicIpAddress": True}])
        self.assertEqual(self.instance_count(), before)

    def test_public_ips_filter(self):
        inst = self.run_one(SubnetId=self.public)
        pub = self.describe(inst["InstanceId"])["PublicIpAddress"]
        got = self.ec2.describe_instances(Filters=[{"Name": "ip-address", "Values": [pub]}])
        self.assertEqual([i["InstanceId"] for r in got["Reservations"] for i in r["Instances"]],
                         [inst["InstanceId"]])
        enis = self.ec2.describe_network_interfaces(Filters=[
            {"Name": "association.public-ip", "Values": [pub]}])["NetworkInterfaces"]
        self.assertEqual(len(enis), 1)


class LifecycleTest(InstanceTestBase):
    def test_state_machine(self):
        iid = self.run_one()["InstanceId"]
        self.ec2.reboot_instances(InstanceIds=[iid])
        self.assertEqual(self.describe(iid)["State"]["Name"], "running")
        out = self.ec2.start_instances(InstanceIds=[iid])["StartingInstances"][0]
        self.assertEqual(out["CurrentState"]["Name"], "running")
        self.ec2.stop_instances(InstanceIds=[iid])
        out = self.ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
        self.assertEqual(out["PreviousState"], {"Code": 80, "Name": "stopped"})
        self.assertEqual(out["CurrentState"], {"Code": 80, "Name": "stopped"})
        d = self.describe(iid)
        self.assertEqual(d["StateReason"]["Code"], "Client.UserInitiatedShutdown")
        self.assertTrue(d["StateTransitionReason"].startswith("User initiated ("))
        self.assertAwsError("IncorrectInstanceState", self.ec2.reboot_instances,
                            InstanceIds=[iid])
        out = self.ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
        self.assertEqual(out["PreviousState"]["Name"], "stopped")
        self.assertAwsError("IncorrectInstanceState", self.ec2.start_instances,
                            InstanceIds=[iid])
        self.assertAwsError("IncorrectInstanceState", self.ec2.stop_instances,
                            InstanceIds=[iid])
        out = self.ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
        self.assertEqual(out["CurrentState"], {"Code": 48, "Name": "terminated"})
        self.ec2.reboot_instances(InstanceIds=[iid])  # ignored, as AWS ignores it

    def test_multi_instance_calls_are_atomic(self):
        a = self.run_one()["InstanceId"]
        b = self.run_one()["InstanceId"]
        err = self.assertAwsError("InvalidInstanceID.NotFound", self.ec2.stop_instances,
                                  InstanceIds=[a, "i-0123456789abcdef0", b])
        self.assertIn("i-0123456789abcdef0", str(err))
        self.assertEqual(self.describe(a)["State"]["Name"], "running")
        self.assertEqual(self.describe(b)["State"]["Name"], "running")
        self.assertAwsError("InvalidInstanceID.Malformed", self.ec2.terminate_instances,
                            InstanceIds=[a, "i-bad"])
        out = self.ec2.stop_instances(InstanceIds=[a, b])["StoppingInstances"]
        self.assertEqual(sorted(c["InstanceId"] for c in out), sorted([a, b]))

    def test_terminate_deletes_or_detaches_interfaces(self):
        inst = self.run_one(SubnetId=self.public)
        iid = inst["InstanceId"]
        primary = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
        kept = self.ec2.create_network_interface(SubnetId=self.private)["NetworkInterface"]
        self.ec2.attach_network_interface(NetworkInterfaceId=kept["NetworkInterfaceId"],
                                          InstanceId=iid, DeviceIndex=1)
        self.ec2.terminate_instances(InstanceIds=[iid])
        self.assertAwsError("InvalidNetworkInterfaceID.NotFound",
                            self.ec2.describe_network_interfaces, NetworkInterfaceIds=[primary])
        got = self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[kept["NetworkInterfaceId"]])["NetworkInterfaces"][0]
        self.assertEqual(got["Status"], "available")
        self.assertEqual(got["PrivateIpAddress"], kept["PrivateIpAddress"])
        d = self.describe(iid)
        self.assertEqual(d["State"]["Name"], "terminated")
        self.assertNotIn("PublicIpAddress", d)

    def test_instance_status(self):
        a = self.run_one()["InstanceId"]
        b = self.run_one()["InstanceId"]
        self.ec2.stop_instances(InstanceIds=[b])
        got = self.ec2.describe_instance_status(InstanceIds=[a, b])["InstanceStatuses"]
        self.assertEqual([s["InstanceId"] for s in got], [a])
        self.assertEqual(got[0]["InstanceStatus"]["Status"], "ok")
        self.assertEqual(got[0]["InstanceState"], {"Code": 16, "Name": "running"})
        got = self.ec2.describe_instance_status(InstanceIds=[a, b],
                                                IncludeAllInstances=True)["InstanceStatuses"]
        self.assertEqual(sorted(s["InstanceId"] for s in got), sorted([a, b]))
        got = self.ec2.describe_instance_status(IncludeAllInstances=True, Filters=[
            {"Name": "instance-state-name", "Values": ["stopped"]}])["InstanceStatuses"]
        self.assertIn(b, [s["InstanceId"] for s in got])
        self.assertNotIn(a, [s["InstanceId"] for s in got])


class AttributeTest(InstanceTestBase):
    def test_describe_and_modify_attributes(self):
        iid = self.run_one(InstanceType="t3.small")["InstanceId"]
        got = self.ec2.describe_instance_attribute(InstanceId=iid, Attribute="instanceType")
        self.assertEqual(got["InstanceType"]["Value"], "t3.small")
        got = self.ec2.describe_instance_attribute(InstanceId=iid, Attribute="sourceDestCheck")
        self.assertTrue(got["SourceDestCheck"]["Value"])
        self.ec2.modify_instance_attribute(InstanceId=iid, SourceDestCheck={"Value": False})
        d = self.describe(iid)
        self.assertFalse(d["SourceDestCheck"])
        self.assertFalse(d["NetworkInterfaces"][0]["SourceDestCheck"])
        self.aws("ec2", "modify-instance-attribute", "--instance-id", iid,
                 "--source-dest-check")
        self.assertTrue(self.describe(iid)["SourceDestCheck"])

        sg = self.ec2.create_security_group(GroupName="inst-web", Description="d",
                                            VpcId=self.vpc_id)["GroupId"]
        self.ec2.modify_instance_attribute(InstanceId=iid, Groups=[sg])
        got = self.ec2.describe_instance_attribute(InstanceId=iid, Attribute="groupSet")
        self.assertEqual([g["GroupId"] for g in got["Groups"]], [sg])
        self.assertEqual([g["GroupId"] for g in self.describe(iid)["SecurityGroups"]], [sg])

        self.assertAwsError("IncorrectInstanceState", self.ec2.modify_instance_attribute,
                            InstanceId=iid, InstanceType={"Value": "m5.large"})
        self.ec2.stop_instances(InstanceIds=[iid])
        self.ec2.modify_instance_attribute(InstanceId=iid, InstanceType={"Value": "m5.large"})
        self.assertEqual(self.describe(iid)["InstanceType"], "m5.large")

        self.ec2.modify_instance_attribute(InstanceId=iid, DisableApiTermination={"Value": True})
        self.assertAwsError("OperationNotPermitted", self.ec2.terminate_instances,
                            InstanceIds=[iid])
        self.ec2.modify_instance_attribute(InstanceId=iid, Attribute="disableApiTermination",
                                           Value="false")
        self.ec2.terminate_instances(InstanceIds=[iid])

    def test_network_attributes_of_a_terminated_instance(self):
        iid = self.run_one()["InstanceId"]
        self.ec2.terminate_instances(InstanceIds=[iid])
        self.assertAwsError("IncorrectInstanceState", self.ec2.modify_instance_attribute,
                            InstanceId=iid, SourceDestCheck={"Value": False})


class DescribeTest(InstanceTestBase):
    def test_filters_and_pagination(self):
        sub = self.subnet("10.30.20.0/24", "us-east-1c")
        out = self.ec2.run_instances(ImageId=AMI, MinCount=7, MaxCount=7, SubnetId=sub,
                                     InstanceType="c5.large", TagSpecifications=[
                                         {"ResourceType": "instance",
                                          "Tags": [{"Key": "fleet", "Value": "blue"}]}])
        ids = sorted(i["InstanceId"] for i in out["Instances"])
        f = [{"Name": "subnet-id", "Values": [sub]}]

        def instances(resp):
            return [i["InstanceId"] for r in resp["Reservations"] for i in r["Instances"]]

        first = self.ec2.describe_instances(Filters=f, MaxResults=5)
        self.assertEqual(len(instances(first)), 5)
        second = self.ec2.describe_instances(Filters=f, MaxResults=5,
                                             NextToken=first["NextToken"])
        self.assertNotIn("NextToken", second)
        self.assertEqual(sorted(instances(first) + instances(second)), ids)
        paginator = self.ec2.get_paginator("describe_instances")
        paged = [i["InstanceId"] for p in paginator.paginate(
            Filters=f, PaginationConfig={"PageSize": 5}) for r in p["Reservations"]
            for i in r["Instances"]]
        self.assertEqual(sorted(paged), ids)
        self.assertAwsError("InvalidParameterCombination", self.ec2.describe_instances,
                            InstanceIds=ids[:1], MaxResults=5)

        def matching(name, value):
            return sorted(instances(self.ec2.describe_instances(
                Filters=[{"Name": name, "Values": [value]}])))

        self.assertEqual(matching("tag:fleet", "blue"), ids)
        self.assertEqual(matching("availability-zone", "us-east-1c"), ids)
        self.assertEqual(matching("instance-type", "c5.large"), ids)
        self.assertEqual(matching("reservation-id", out["ReservationId"]), ids)
        d = self.describe(ids[0])
        self.assertEqual(matching("private-ip-address", d["PrivateIpAddress"]), ids[:1])
        nic = d["NetworkInterfaces"][0]["NetworkInterfaceId"]
        self.assertEqual(matching("network-interface.network-interface-id", nic), ids[:1])
        self.ec2.stop_instances(InstanceIds=ids[:2])
        got = instances(self.ec2.describe_instances(Filters=f + [
            {"Name": "instance-state-name", "Values": ["stopped"]}]))
        self.assertEqual(sorted(got), ids[:2])
        got = instances(self.ec2.describe_instances(Filters=f + [
            {"Name": "instance-state-code", "Values": ["16"]}]))
        self.assertEqual(sorted(got), ids[2:])
        self.assertIn(ids[0], matching("vpc-id", self.vpc_id))
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_instances,
                            Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
        err = self.assertAwsError("InvalidInstanceID.NotFound", self.ec2.describe_instances,
                                  InstanceIds=["i-11111111", "i-22222222"])
        self.assertIn("i-11111111, i-22222222", str(err))


class DefaultVpcTest(ServerTestCase):
    in_memory = True

    def test_launch_without_subnet_uses_a_default_subnet(self):
        inst = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                      Placement={"AvailabilityZone": "us-east-1b"})["Instances"][0]
        d = self.ec2.describe_instances(
            InstanceIds=[inst["InstanceId"]])["Reservations"][0]["Instances"][0]
        sub = self.ec2.describe_subnets(SubnetIds=[d["SubnetId"]])["Subnets"][0]
        self.assertTrue(sub["DefaultForAz"])
        self.assertEqual(sub["AvailabilityZone"], "us-east-1b")
        self.assertEqual(d["InstanceType"], "t2.micro")
        self.assertIn(ipaddress.ip_address(d["PublicIpAddress"]), POOL)
        inst = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                      SecurityGroups=["default"])["Instances"][0]
        self.assertEqual([g["GroupName"] for g in inst["SecurityGroups"]], ["default"])
        self.assertAwsError("InvalidGroup.NotFound", self.ec2.run_instances, ImageId=AMI,
                            MinCount=1, MaxCount=1, SecurityGroups=["missing"])


    def test_elastic_ip_survives_stop_and_start(self):
        iid = self.ec2.run_instances(ImageId=AMI, MinCount=1,
                                     MaxCount=1)["Instances"][0]["InstanceId"]
        alloc = self.ec2.allocate_address(Domain="vpc")
        self.ec2.associate_address(AllocationId=alloc["AllocationId"], InstanceId=iid)
        d = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertEqual(d["PublicIpAddress"], alloc["PublicIp"])
        assoc = d["NetworkInterfaces"][0]["Association"]
        self.assertEqual(assoc["IpOwnerId"], "123456789012")
        self.ec2.stop_instances(InstanceIds=[iid])
        d = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertEqual(d["PublicIpAddress"], alloc["PublicIp"])
        self.ec2.start_instances(InstanceIds=[iid])
        d = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertEqual(d["PublicIpAddress"], alloc["PublicIp"])
        self.ec2.terminate_instances(InstanceIds=[iid])
        got = self.ec2.describe_addresses(AllocationIds=[alloc["AllocationId"]])["Addresses"][0]
        self.assertNotIn("AssociationId", got)
        self.ec2.release_address(AllocationId=alloc["AllocationId"])


class DurabilityTest(ServerTestCase):
    def test_instances_survive_a_restart(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        sub = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
        self.ec2.modify_subnet_attribute(SubnetId=sub, MapPublicIpOnLaunch={"Value": True})
        iid = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                     SubnetId=sub)["Instances"][0]["InstanceId"]
        before = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.restart(kill=True)
        after = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        for key in ("PrivateIpAddress", "PublicIpAddress", "SubnetId", "State"):
            self.assertEqual(after[key], before[key], key)
        self.ec2.stop_instances(InstanceIds=[iid])
        self.ec2.start_instances(InstanceIds=[iid])
        again = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertNotEqual(again["PublicIpAddress"], before["PublicIpAddress"])


class InstanceTypesTest(ServerTestCase):
    in_memory = True

    def test_describe_instance_types(self):
        got = self.aws("ec2", "describe-instance-types", "--instance-types", "t2.micro",
                       "m5.large")["InstanceTypes"]
        by_name = {t["InstanceType"]: t for t in got}
        self.assertEqual(set(by_name), {"t2.micro", "m5.large"})
        net = by_name["m5.large"]["NetworkInfo"]
        self.assertEqual(net["MaximumNetworkInterfaces"], 3)
        self.assertEqual(net["Ipv4AddressesPerInterface"], 10)
        self.assertEqual(net["Ipv6AddressesPerInterface"], 10)
        self.assertTrue(net["Ipv6Supported"])
        self.assertEqual(net["EnaSupport"], "required")
        self.assertEqual(by_name["m5.large"]["VCpuInfo"]["DefaultVCpus"], 2)
        self.assertEqual(by_name["m5.large"]["MemoryInfo"]["SizeInMiB"], 8192)
        self.assertEqual(by_name["t2.micro"]["NetworkInfo"]["MaximumNetworkInterfaces"], 2)
        self.assertTrue(by_name["t2.micro"]["FreeTierEligible"])
        self.assertAwsError("InvalidInstanceType", self.ec2.describe_instance_types,
                            InstanceTypes=["t2.colossal"])

    def test_filters_and_pagination(self):
        got = self.ec2.describe_instance_types(Filters=[
            {"Name": "network-info.maximum-network-interfaces", "Values": ["15"]}])
        names = {t["InstanceType"] for t in got["InstanceTypes"]}
        self.assertIn("m5.24xlarge", names)
        self.assertTrue(all(t["NetworkInfo"]["MaximumNetworkInterfaces"] == 15
                            for t in got["InstanceTypes"]))
        got = self.ec2.describe_instance_types(Filters=[
            {"Name": "instance-type", "Values": ["t3.*"]}])["InstanceTypes"]
        self.assertEqual(len(got), 7)
        paginator = self.ec2.get_paginator("describe_instance_types")
        pages = list(paginator.paginate(PaginationConfig={"PageSize": 20}))
        self.assertGreater(len(pages), 1)
        all_names = [t["InstanceType"] for p in pages for t in p["InstanceTypes"]]
        self.assertEqual(len(all_names), len(set(all_names)))
        self.assertIn("r5.metal", all_names)
        raw = self.client(validate=False)
        self.assertAwsError("InvalidParameterValue", raw.describe_instance_types,
                            MaxResults=101)


if __name__ == "__main__":
    unittest.main()
