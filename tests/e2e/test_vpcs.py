"""VPCs, subnets, the default VPC, DryRun, pagination, filters, tags."""
import unittest

from harness import ServerTestCase


class DefaultVpcTest(ServerTestCase):
    def test_default_vpc_layout(self):
        vpcs = self.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
        self.assertEqual(len(vpcs), 1)
        vpc = vpcs[0]
        self.assertEqual(vpc["CidrBlock"], "172.31.0.0/16")
        subnets = self.ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
        zones = self.ec2.describe_availability_zones()["AvailabilityZones"]
        self.assertEqual(len(subnets), len(zones))
        for s in subnets:
            self.assertTrue(s["DefaultForAz"])
            self.assertTrue(s["MapPublicIpOnLaunch"])
            self.assertTrue(s["CidrBlock"].endswith("/20"))
            self.assertEqual(s["AvailableIpAddressCount"], 4096 - 5)
        self.assertEqual(len({s["AvailabilityZone"] for s in subnets}), len(zones))

    def test_account_attributes_name_default_vpc(self):
        attrs = self.ec2.describe_account_attributes(AttributeNames=["default-vpc"])
        value = attrs["AccountAttributes"][0]["AttributeValues"][0]["AttributeValue"]
        self.assertTrue(value.startswith("vpc-"))

    def test_regions_are_separate(self):
        west = self.client(region="us-west-2")
        east_ids = {v["VpcId"] for v in self.ec2.describe_vpcs()["Vpcs"]}
        west_ids = {v["VpcId"] for v in west.describe_vpcs()["Vpcs"]}
        self.assertEqual(len(west_ids), 1)
        self.assertFalse(east_ids & west_ids)
        zones = west.describe_availability_zones()["AvailabilityZones"]
        self.assertTrue(all(z["ZoneName"].startswith("us-west-2") for z in zones))

    def test_accounts_are_separate(self):
        other = self.client(access_key="111122223333")
        vpc = other.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]
        self.assertEqual(vpc["OwnerId"], "111122223333")
        self.assertAwsError("InvalidVpcID.NotFound", self.ec2.describe_vpcs, VpcIds=[vpc["VpcId"]])


class VpcTest(ServerTestCase):
    def test_create_describe_delete_with_cli(self):
        out = self.aws("ec2", "create-vpc", "--cidr-block", "10.1.0.0/16",
                       "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]")
        vpc_id = out["Vpc"]["VpcId"]
        self.assertRegex(vpc_id, r"^vpc-[0-9a-f]{17}$")
        got = self.aws("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli")
        self.assertEqual([v["VpcId"] for v in got["Vpcs"]], [vpc_id])
        self.aws("ec2", "delete-vpc", "--vpc-id", vpc_id)
        self.assertCliError("InvalidVpcID.NotFound", "ec2", "describe-vpcs", "--vpc-ids", vpc_id)

    def test_vpc_comes_with_main_table_default_acl_and_group(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]
        vid = vpc["VpcId"]
        f = [{"Name": "vpc-id", "Values": [vid]}]
        tables = self.ec2.describe_route_tables(Filters=f)["RouteTables"]
        self.assertEqual(len(tables), 1)
        self.assertTrue(tables[0]["Associations"][0]["Main"])
        self.assertEqual(tables[0]["Routes"][0]["GatewayId"], "local")
        acls = self.ec2.describe_network_acls(Filters=f)["NetworkAcls"]
        self.assertEqual(len(acls), 1)
        self.assertTrue(acls[0]["IsDefault"])
        groups = self.ec2.describe_security_groups(Filters=f)["SecurityGroups"]
        self.assertEqual([g["GroupName"] for g in groups], ["default"])

    def test_prefix_limits(self):
        for bad in ("10.0.0.0/15", "10.0.0.0/29"):
            self.assertAwsError("InvalidVpc.Range", self.ec2.create_vpc, CidrBlock=bad)
        self.assertAwsError("InvalidParameterValue", self.ec2.create_vpc, CidrBlock="10.0.0.1/16")
        self.assertAwsError("InvalidParameterValue", self.ec2.create_vpc, CidrBlock="banana")
        ok = self.ec2.create_vpc(CidrBlock="10.3.0.0/28")["Vpc"]
        self.ec2.delete_vpc(VpcId=ok["VpcId"])

    def test_amazon_ipv6_block_is_a_56(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.4.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
        block = vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        self.assertTrue(block.endswith("/56"), block)

    def test_secondary_cidr(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]
        out = self.ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.6.0.0/16")
        assoc = out["CidrBlockAssociation"]["AssociationId"]
        self.assertAwsError("InvalidVpc.Range", self.ec2.associate_vpc_cidr_block,
                            VpcId=vpc["VpcId"], CidrBlock="10.5.128.0/17")
        sub = self.ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.6.1.0/24")["Subnet"]
        self.assertEqual(sub["AvailableIpAddressCount"], 251)
        self.ec2.delete_subnet(SubnetId=sub["SubnetId"])
        self.ec2.disassociate_vpc_cidr_block(AssociationId=assoc)
        got = self.ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
        self.assertEqual([a["CidrBlock"] for a in got["CidrBlockAssociationSet"]], ["10.5.0.0/16"])

    def _ipv6_defaults(self, vid):
        """(ACL rule numbers for ::/0 as (number, egress), default group ::/0 egress count)."""
        f = [{"Name": "vpc-id", "Values": [vid]}, {"Name": "default", "Values": ["true"]}]
        acl = self.ec2.describe_network_acls(Filters=f)["NetworkAcls"][0]
        acl_rules = sorted((e["RuleNumber"], e["Egress"]) for e in acl["Entries"]
                           if e.get("Ipv6CidrBlock") == "::/0" and e["RuleAction"] == "allow")
        g = self.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vid]},
                     {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
        egress = sum(1 for p in g["IpPermissionsEgress"] for r in p.get("Ipv6Ranges", [])
                     if p["IpProtocol"] == "-1" and r["CidrIpv6"] == "::/0")
        return acl_rules, egress

    def test_ipv6_block_brings_default_acl_and_group_rules(self):
        created = self.ec2.create_vpc(CidrBlock="10.41.0.0/16",
                                      AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        self.assertEqual(self._ipv6_defaults(created), ([(101, False), (101, True)], 1))
        vid = self.ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
        self.assertEqual(self._ipv6_defaults(vid), ([], 0))
        out = self.ec2.associate_vpc_cidr_block(VpcId=vid, AmazonProvidedIpv6CidrBlock=True)
        self.assertEqual(self._ipv6_defaults(vid), ([(101, False), (101, True)], 1))
        # Taking the block away and back does not duplicate them.
        self.ec2.disassociate_vpc_cidr_block(
            AssociationId=out["Ipv6CidrBlockAssociation"]["AssociationId"])
        self.ec2.associate_vpc_cidr_block(VpcId=vid, AmazonProvidedIpv6CidrBlock=True)
        self.assertEqual(self._ipv6_defaults(vid), ([(101, False), (101, True)], 1))

    def test_reassociated_block_has_one_local_route_per_table(self):
        vid = self.ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
        assoc = self.ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.44.0.0/16")[
            "CidrBlockAssociation"]["AssociationId"]
        rtb = self.ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
        sub = self.ec2.create_subnet(VpcId=vid, CidrBlock="10.43.1.0/24")["Subnet"]["SubnetId"]
        eni = self.ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]
        # A local route's target may be an interface; it is still that block's local route.
        self.ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="10.44.0.0/16",
                               NetworkInterfaceId=eni["NetworkInterfaceId"])
        self.ec2.disassociate_vpc_cidr_block(AssociationId=assoc)
        f = [{"Name": "vpc-id", "Values": [vid]}]

        def routes_to_block():
            tables = self.ec2.describe_route_tables(Filters=f)["RouteTables"]
            return sorted(sum(1 for r in t["Routes"] if r.get("DestinationCidrBlock") ==
                              "10.44.0.0/16") for t in tables)

        self.assertEqual(routes_to_block(), [0, 0])
        self.ec2.associate_vpc_cidr_block(VpcId=vid, CidrBlock="10.44.0.0/16")
        self.assertEqual(routes_to_block(), [1, 1])
        for t in self.ec2.describe_route_tables(Filters=f)["RouteTables"]:
            local = [r for r in t["Routes"] if r.get("DestinationCidrBlock") == "10.44.0.0/16"]
            self.assertEqual(local[0]["GatewayId"], "local")
            self.assertEqual(local[0]["Origin"], "CreateRouteTable")

    def test_not_found_messages_use_ec2_wording(self):
        e = self.assertAwsError("InvalidRouteTableID.NotFound", self.ec2.describe_route_tables,
                                RouteTableIds=["rtb-0123456789abcdef0"])
        self.assertEqual(e.response["Error"]["Message"],
                         "The routeTable ID 'rtb-0123456789abcdef0' does not exist")
        e = self.assertAwsError("InvalidNetworkAclID.NotFound", self.ec2.describe_network_acls,
                                NetworkAclIds=["acl-0123456789abcdef0"])
        self.assertEqual(e.response["Error"]["Message"],
                         "The networkAcl ID 'acl-0123456789abcdef0' does not exist")

    def test_dry_run_changes_nothing(self):
        before = len(self.ec2.describe_vpcs()["Vpcs"])
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            self.ec2.create_vpc(CidrBlock="10.7.0.0/16", DryRun=True)
        self.assertEqual(cm.exception.response["Error"]["Code"], "DryRunOperation")
        self.assertEqual(len(self.ec2.describe_vpcs()["Vpcs"]), before)
        self.assertAwsError("InvalidVpc.Range", self.ec2.create_vpc, CidrBlock="10.0.0.0/8",
                            DryRun=True)

    def test_delete_with_subnet_is_dependency_violation(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]
        sub = self.ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.8.0.0/24")["Subnet"]
        self.assertAwsError("DependencyViolation", self.ec2.delete_vpc, VpcId=vpc["VpcId"])
        self.ec2.delete_subnet(SubnetId=sub["SubnetId"])
        self.ec2.delete_vpc(VpcId=vpc["VpcId"])

    def test_dns_attributes(self):
        vid = self.ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
        self.ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
        got = self.ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")
        self.assertTrue(got["EnableDnsHostnames"]["Value"])
        got = self.ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")
        self.assertTrue(got["EnableDnsSupport"]["Value"])

    def test_pagination_walks_every_vpc_once(self):
        ids = {self.ec2.create_vpc(CidrBlock="10.%d.0.0/16" % (100 + i))["Vpc"]["VpcId"]
               for i in range(7)}
        seen = []
        token = None
        while True:
            kw = {"MaxResults": 5}
            if token:
                kw["NextToken"] = token
            page = self.ec2.describe_vpcs(**kw)
            self.assertLessEqual(len(page["Vpcs"]), 5)
            seen += [v["VpcId"] for v in page["Vpcs"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue(ids <= set(seen))
        paginator = self.ec2.get_paginator("describe_vpcs")
        all_ids = [v["VpcId"] for p in paginator.paginate(PaginationConfig={"PageSize": 5})
                   for v in p["Vpcs"]]
        self.assertEqual(sorted(all_ids), sorted(seen))
        raw = self.client(validate=False)
        self.assertAwsError("InvalidParameterValue", raw.describe_vpcs, MaxResults=4)

    def test_unknown_filter_is_rejected(self):
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_vpcs,
                            Filters=[{"Name": "no-such-filter", "Values": ["x"]}])

    def test_wildcard_filters(self):
        vid = self.ec2.create_vpc(CidrBlock="10.11.0.0/16", TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "team", "Value": "net-core"}]}])["Vpc"]["VpcId"]
        got = self.ec2.describe_vpcs(Filters=[{"Name": "tag:team", "Values": ["net-*"]}])["Vpcs"]
        self.assertEqual([v["VpcId"] for v in got], [vid])
        got = self.ec2.describe_vpcs(Filters=[{"Name": "tag-key", "Values": ["te?m"]}])["Vpcs"]
        self.assertEqual([v["VpcId"] for v in got], [vid])
        got = self.ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.11.*"]}])["Vpcs"]
        self.assertEqual([v["VpcId"] for v in got], [vid])


class SubnetTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vpc = cls.ec2.create_vpc(CidrBlock="10.0.0.0/16",
                                     AmazonProvidedIpv6CidrBlock=True)["Vpc"]

    def test_subnet_must_lie_inside_vpc_and_not_overlap(self):
        vid = self.vpc["VpcId"]
        self.assertAwsError("InvalidSubnet.Range", self.ec2.create_subnet, VpcId=vid,
                            CidrBlock="10.1.0.0/24")
        a = self.ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]
        self.assertAwsError("InvalidSubnet.Conflict", self.ec2.create_subnet, VpcId=vid,
                            CidrBlock="10.0.1.128/25")
        self.assertAwsError("InvalidSubnet.Range", self.ec2.create_subnet, VpcId=vid,
                            CidrBlock="10.0.2.0/29")
        self.assertEqual(a["AvailableIpAddressCount"], 251)
        self.ec2.delete_subnet(SubnetId=a["SubnetId"])

    def test_subnet_has_one_zone_and_ipv6_64(self):
        block = self.vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        prefix = block.split("::")[0]
        v6 = prefix[:-2] + "01::/64" if prefix.endswith("00") else None
        s = self.ec2.create_subnet(VpcId=self.vpc["VpcId"], CidrBlock="10.0.3.0/24",
                                   AvailabilityZone="us-east-1b", Ipv6CidrBlock=v6)["Subnet"]
        self.assertEqual(s["AvailabilityZone"], "us-east-1b")
        self.assertEqual(s["AvailabilityZoneId"], "use1-az2")
        self.assertEqual(s["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"], v6)
        self.ec2.modify_subnet_attribute(SubnetId=s["SubnetId"],
                                         MapPublicIpOnLaunch={"Value": True})
        got = self.ec2.describe_subnets(SubnetIds=[s["SubnetId"]])["Subnets"][0]
        self.assertTrue(got["MapPublicIpOnLaunch"])
        self.assertAwsError("InvalidParameterValue", self.ec2.create_subnet,
                            VpcId=self.vpc["VpcId"], CidrBlock="10.0.4.0/24",
                            AvailabilityZone="us-east-1z")


class TagsTest(ServerTestCase):
    in_memory = True

    def test_create_describe_delete_tags(self):
        vid = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.ec2.create_tags(Resources=[vid], Tags=[{"Key": "a", "Value": "1"},
                                                    {"Key": "b", "Value": "2"}])
        tags = self.ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vid]}])["Tags"]
        self.assertEqual({(t["Key"], t["Value"]) for t in tags}, {("a", "1"), ("b", "2")})
        self.assertEqual(tags[0]["ResourceType"], "vpc")
        self.ec2.delete_tags(Resources=[vid], Tags=[{"Key": "a", "Value": "wrong"}])
        self.ec2.delete_tags(Resources=[vid], Tags=[{"Key": "b"}])
        tags = self.ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vid]}])["Tags"]
        self.assertEqual([t["Key"] for t in tags], ["a"])
        self.assertAwsError("InvalidVpcID.NotFound", self.ec2.create_tags,
                            Resources=["vpc-0123456789abcdef0"], Tags=[{"Key": "k", "Value": "v"}])
        self.assertAwsError("InvalidParameterValue", self.ec2.create_tags, Resources=[vid],
                            Tags=[{"Key": "aws:reserved", "Value": "v"}])

    def test_flow_logs_and_insights_paths_and_analyses_are_taggable(self):
        vid = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        sub = self.ec2.create_subnet(VpcId=vid, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        eni, other = (self.ec2.create_network_interface(SubnetId=sub)["NetworkInterface"][
            "NetworkInterfaceId"] for _ in range(2))
        fl = self.ec2.create_flow_logs(
            ResourceIds=[vid], ResourceType="VPC", TrafficType="ALL", LogGroupName="g",
            DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/fl")["FlowLogIds"][0]
        nip = self.ec2.create_network_insights_path(
            Source=eni, Destination=other, Protocol="tcp")["NetworkInsightsPath"][
            "NetworkInsightsPathId"]
        nia = self.ec2.start_network_insights_analysis(NetworkInsightsPathId=nip)[
            "NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
        self.aws("ec2", "create-tags", "--resources", fl, nip, nia, "--tags", "Key=team,Value=net")
        tags = self.ec2.describe_tags(Filters=[{"Name": "key", "Values": ["team"]}])["Tags"]
        self.assertEqual({t["ResourceId"]: t["ResourceType"] for t in tags},
                         {fl: "vpc-flow-log", nip: "network-insights-path",
                          nia: "network-insights-analysis"})
        got = self.ec2.describe_network_insights_paths(NetworkInsightsPathIds=[nip])
        self.assertEqual(got["NetworkInsightsPaths"][0]["Tags"], [{"Key": "team", "Value": "net"}])
        self.ec2.delete_tags(Resources=[fl, nip, nia], Tags=[{"Key": "team"}])
        self.assertEqual(self.ec2.describe_tags(
            Filters=[{"Name": "key", "Values": ["team"]}])["Tags"], [])
        self.assertAwsError("InvalidNetworkInsightsPathId.NotFound", self.ec2.create_tags,
                            Resources=["nip-0123456789abcdef0"], Tags=[{"Key": "k", "Value": "v"}])


class ProtocolTest(ServerTestCase):
    in_memory = True

    def _raw(self, body, method="POST"):
        import urllib.request
        import urllib.error
        url = self.server.endpoint + "/"
        data = body.encode() if method == "POST" else None
        if method == "GET":
            url += "?" + body
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_unknown_action(self):
        status, body = self._raw("Action=FlyToTheMoon&Version=2016-11-15")
        self.assertEqual(status, 400)
        self.assertIn("<Code>InvalidAction</Code>", body)
        self.assertIn("<RequestID>", body)

    def test_get_with_query_string(self):
        status, body = self._raw("Action=DescribeVpcs&Version=2016-11-15", method="GET")
        self.assertEqual(status, 200)
        self.assertIn("<vpcSet>", body)
        self.assertIn('xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"', body)

    def test_bad_input_gets_4xx_never_500(self):
        cases = [
            "Action=DescribeVpcs&Version=2016-11-15&MaxResults=abc",
            "Action=DescribeVpcs&Version=2016-11-15&Bogus=1",
            "Action=CreateVpc&Version=2016-11-15",
            "Action=CreateVpc&Version=2016-11-15&CidrBlock=%zz",
            "Action=DeleteVpc&Version=2016-11-15",
            "Action=CreateSubnet&Version=2016-11-15&VpcId=vpc-1&CidrBlock=x",
            "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=garbage",
        ]
        for body in cases:
            status, text = self._raw(body)
            self.assertTrue(400 <= status < 500, (body, status, text))
            self.assertIn("<Code>", text)


if __name__ == "__main__":
    unittest.main()
