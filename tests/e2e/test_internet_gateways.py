"""Internet gateways: lifecycle, one gateway per VPC, detach/delete rules,
filters, tags, the regional quota."""
import unittest

from harness import ServerTestCase


class IgwTestBase(ServerTestCase):
    in_memory = True

    def vpc(self, cidr):
        vid = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        self.addCleanup(self.ec2.delete_vpc, VpcId=vid)
        return vid

    def igw(self, **kw):
        gid = self.ec2.create_internet_gateway(**kw)["InternetGateway"]["InternetGatewayId"]
        self.addCleanup(self._delete_quietly, gid)
        return gid

    def _delete_quietly(self, gid):
        for g in self.ec2.describe_internet_gateways(
                Filters=[{"Name": "internet-gateway-id", "Values": [gid]}])["InternetGateways"]:
            for a in g["Attachments"]:
                self.ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=a["VpcId"])
            self.ec2.delete_internet_gateway(InternetGatewayId=gid)

    def get(self, gid):
        return self.ec2.describe_internet_gateways(
            InternetGatewayIds=[gid])["InternetGateways"][0]


class LifecycleTest(IgwTestBase):
    def test_create_attach_detach_delete_with_cli(self):
        vid = self.vpc("10.50.0.0/16")
        out = self.aws("ec2", "create-internet-gateway", "--tag-specifications",
                       "ResourceType=internet-gateway,Tags=[{Key=Name,Value=cli-igw}]")
        igw = out["InternetGateway"]
        gid = igw["InternetGatewayId"]
        self.assertRegex(gid, r"^igw-[0-9a-f]{17}$")
        self.assertEqual(igw["Attachments"], [])
        self.assertEqual(igw["OwnerId"], "123456789012")
        self.assertEqual(igw["Tags"], [{"Key": "Name", "Value": "cli-igw"}])

        self.aws("ec2", "attach-internet-gateway", "--internet-gateway-id", gid, "--vpc-id", vid)
        got = self.aws("ec2", "describe-internet-gateways", "--internet-gateway-ids", gid)
        self.assertEqual(got["InternetGateways"][0]["Attachments"],
                         [{"State": "available", "VpcId": vid}])

        self.aws("ec2", "detach-internet-gateway", "--internet-gateway-id", gid, "--vpc-id", vid)
        self.assertEqual(self.get(gid)["Attachments"], [])
        self.aws("ec2", "delete-internet-gateway", "--internet-gateway-id", gid)
        self.assertCliError("InvalidInternetGatewayID.NotFound", "ec2",
                            "describe-internet-gateways", "--internet-gateway-ids", gid)

    def test_default_vpc_has_an_attached_gateway(self):
        default = self.ec2.describe_vpcs(
            Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        gws = self.ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [default]}])["InternetGateways"]
        self.assertEqual(len(gws), 1)
        self.assertEqual(gws[0]["Attachments"][0]["State"], "available")

    def test_filters(self):
        vid = self.vpc("10.51.0.0/16")
        attached = self.igw(TagSpecifications=[{"ResourceType": "internet-gateway",
                                                "Tags": [{"Key": "team", "Value": "blue"}]}])
        loose = self.igw()
        self.ec2.attach_internet_gateway(InternetGatewayId=attached, VpcId=vid)

        def ids(*filters):
            gws = self.ec2.describe_internet_gateways(
                Filters=[{"Name": n, "Values": v} for n, v in filters])["InternetGateways"]
            return {g["InternetGatewayId"] for g in gws}

        self.assertEqual(ids(("attachment.vpc-id", [vid])), {attached})
        self.assertIn(attached, ids(("attachment.state", ["available"])))
        self.assertNotIn(loose, ids(("attachment.state", ["available"])))
        self.assertEqual(ids(("internet-gateway-id", [loose])), {loose})
        self.assertEqual(ids(("tag:team", ["blue"])), {attached})
        self.assertEqual(ids(("tag-key", ["team"])), {attached})
        self.assertIn(loose, ids(("owner-id", ["123456789012"])))
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_internet_gateways,
                            Filters=[{"Name": "no-such-filter", "Values": ["x"]}])

    def test_max_results_bounds(self):
        self.assertAwsError("InvalidParameterValue",
                            self.client(validate=False).describe_internet_gateways, MaxResults=4)
        page = self.ec2.describe_internet_gateways(MaxResults=5)
        self.assertNotIn("NextToken", page)
        self.assertGreaterEqual(len(page["InternetGateways"]), 1)

    def test_tags_after_creation(self):
        gid = self.igw()
        self.ec2.create_tags(Resources=[gid], Tags=[{"Key": "env", "Value": "test"}])
        self.assertEqual(self.get(gid)["Tags"], [{"Key": "env", "Value": "test"}])
        tags = self.ec2.describe_tags(
            Filters=[{"Name": "resource-id", "Values": [gid]}])["Tags"]
        self.assertEqual(tags[0]["ResourceType"], "internet-gateway")


class AttachRulesTest(IgwTestBase):
    def test_one_gateway_per_vpc_and_one_vpc_per_gateway(self):
        vid = self.vpc("10.52.0.0/16")
        other = self.vpc("10.53.0.0/16")
        first = self.igw()
        second = self.igw()
        self.ec2.attach_internet_gateway(InternetGatewayId=first, VpcId=vid)
        self.assertAwsError("Resource.AlreadyAssociated", self.ec2.attach_internet_gateway,
                            InternetGatewayId=second, VpcId=vid)
        self.assertAwsError("Resource.AlreadyAssociated", self.ec2.attach_internet_gateway,
                            InternetGatewayId=first, VpcId=other)
        self.assertAwsError("Resource.AlreadyAssociated", self.ec2.attach_internet_gateway,
                            InternetGatewayId=first, VpcId=vid)
        self.assertEqual(self.get(second)["Attachments"], [])
        self.assertEqual(self.get(first)["Attachments"][0]["VpcId"], vid)

    def test_unknown_and_malformed_ids(self):
        vid = self.vpc("10.54.0.0/16")
        gid = self.igw()
        self.assertAwsError("InvalidInternetGatewayID.NotFound", self.ec2.attach_internet_gateway,
                            InternetGatewayId="igw-0123456789abcdef0", VpcId=vid)
        self.assertAwsError("InvalidInternetGatewayID.Malformed", self.ec2.attach_internet_gateway,
                            InternetGatewayId="igw-zz", VpcId=vid)
        self.assertAwsError("InvalidVpcID.NotFound", self.ec2.attach_internet_gateway,
                            InternetGatewayId=gid, VpcId="vpc-0123456789abcdef0")
        raw = self.client(validate=False)
        self.assertAwsError("MissingParameter", raw.attach_internet_gateway, InternetGatewayId=gid)
        self.assertAwsError("MissingParameter", raw.delete_internet_gateway)
        self.assertEqual(self.get(gid)["Attachments"], [])

    def test_detach_needs_the_attachment(self):
        vid = self.vpc("10.55.0.0/16")
        other = self.vpc("10.56.0.0/16")
        gid = self.igw()
        self.assertAwsError("Gateway.NotAttached", self.ec2.detach_internet_gateway,
                            InternetGatewayId=gid, VpcId=vid)
        self.ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=vid)
        self.assertAwsError("Gateway.NotAttached", self.ec2.detach_internet_gateway,
                            InternetGatewayId=gid, VpcId=other)
        self.assertEqual(self.get(gid)["Attachments"][0]["VpcId"], vid)

    def test_attached_gateway_cannot_be_deleted(self):
        vid = self.vpc("10.57.0.0/16")
        gid = self.igw()
        self.ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=vid)
        self.assertAwsError("DependencyViolation", self.ec2.delete_internet_gateway,
                            InternetGatewayId=gid)
        self.assertAwsError("DependencyViolation", self.ec2.delete_vpc, VpcId=vid)
        self.ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=vid)
        self.ec2.delete_internet_gateway(InternetGatewayId=gid)


class MappedAddressesTest(IgwTestBase):
    def setUp(self):
        self.vid = self.vpc("10.58.0.0/16")
        self.subnet = self.ec2.create_subnet(VpcId=self.vid, CidrBlock="10.58.1.0/24")[
            "Subnet"]["SubnetId"]
        self.addCleanup(self.ec2.delete_subnet, SubnetId=self.subnet)
        self.gid = self.igw()
        self.ec2.attach_internet_gateway(InternetGatewayId=self.gid, VpcId=self.vid)

    def test_elastic_ip_blocks_detach(self):
        eni = self.ec2.create_network_interface(SubnetId=self.subnet)["NetworkInterface"]
        self.addCleanup(self.ec2.delete_network_interface,
                        NetworkInterfaceId=eni["NetworkInterfaceId"])
        alloc = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        self.addCleanup(self.ec2.release_address, AllocationId=alloc)
        assoc = self.ec2.associate_address(AllocationId=alloc,
                                           NetworkInterfaceId=eni["NetworkInterfaceId"])
        err = self.assertAwsError("DependencyViolation", self.ec2.detach_internet_gateway,
                                  InternetGatewayId=self.gid, VpcId=self.vid)
        self.assertIn("has some mapped public address(es)", str(err))
        self.assertEqual(self.get(self.gid)["Attachments"][0]["VpcId"], self.vid)
        self.ec2.disassociate_address(AssociationId=assoc["AssociationId"])
        self.ec2.detach_internet_gateway(InternetGatewayId=self.gid, VpcId=self.vid)

    def test_auto_assigned_public_ip_blocks_detach(self):
        inst = self.ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t2.micro",
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": self.subnet,
                                "AssociatePublicIpAddress": True}])["Instances"][0]
        self.assertIn("PublicIpAddress", inst)
        self.assertAwsError("DependencyViolation", self.ec2.detach_internet_gateway,
                            InternetGatewayId=self.gid, VpcId=self.vid)
        self.ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
        self.ec2.detach_internet_gateway(InternetGatewayId=self.gid, VpcId=self.vid)


class QuotaTest(IgwTestBase):
    def test_five_gateways_per_region_including_the_default_vpcs(self):
        west = self.client(region="eu-west-1")
        made = [west.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
                for _ in range(4)]
        self.assertAwsError("InternetGatewayLimitExceeded", west.create_internet_gateway)
        self.assertEqual(len(west.describe_internet_gateways()["InternetGateways"]), 5)
        west.delete_internet_gateway(InternetGatewayId=made[0])
        west.create_internet_gateway()


if __name__ == "__main__":
    unittest.main()
