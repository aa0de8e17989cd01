"""Route tables: associations (explicit and main), routes and their targets,
blackhole state, the local routes, filters, pagination, durability."""
import unittest

from harness import ServerTestCase


class RouteTableTestBase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        vpc = cls.ec2.create_vpc(CidrBlock="10.30.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
        cls.vpc_id = vpc["VpcId"]
        cls.v6_block = vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        cls.subnet = cls.ec2.create_subnet(VpcId=cls.vpc_id, CidrBlock="10.30.1.0/24")[
            "Subnet"]["SubnetId"]
        cls.subnet2 = cls.ec2.create_subnet(VpcId=cls.vpc_id, CidrBlock="10.30.2.0/24")[
            "Subnet"]["SubnetId"]
        cls.other_vpc = cls.ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
        cls.other_subnet = cls.ec2.create_subnet(VpcId=cls.other_vpc, CidrBlock="10.31.1.0/24")[
            "Subnet"]["SubnetId"]
        cls.igw = cls.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        cls.ec2.attach_internet_gateway(InternetGatewayId=cls.igw, VpcId=cls.vpc_id)

    def table(self, vpc=None, **kw):
        rtb = self.ec2.create_route_table(VpcId=vpc or self.vpc_id, **kw)["RouteTable"]
        self.addCleanup(self._delete_quietly, rtb["RouteTableId"])
        return rtb["RouteTableId"]

    def _delete_quietly(self, rtb):
        for t in self.ec2.describe_route_tables(
                Filters=[{"Name": "route-table-id", "Values": [rtb]}])["RouteTables"]:
            for a in t["Associations"]:
                if not a["Main"]:
                    self.ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
            if not any(a["Main"] for a in t["Associations"]):
                self.ec2.delete_route_table(RouteTableId=rtb)

    def get(self, rtb):
        return self.ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]

    def route(self, rtb, dest):
        for r in self.get(rtb)["Routes"]:
            if dest in (r.get("DestinationCidrBlock"), r.get("DestinationIpv6CidrBlock")):
                return r
        return None

    def main_table(self, vpc=None):
        return self.ec2.describe_route_tables(Filters=[
            {"Name": "vpc-id", "Values": [vpc or self.vpc_id]},
            {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]

    def eni(self, subnet=None):
        eni = self.ec2.create_network_interface(SubnetId=subnet or self.subnet)["NetworkInterface"]
        return eni["NetworkInterfaceId"]


class TablesAndAssociationsTest(RouteTableTestBase):
    def test_create_associate_disassociate_delete_with_cli(self):
        out = self.aws("ec2", "create-route-table", "--vpc-id", self.vpc_id, "--tag-specifications",
                       "ResourceType=route-table,Tags=[{Key=Name,Value=cli-rtb}]")
        rtb = out["RouteTable"]
        rid = rtb["RouteTableId"]
        self.assertRegex(rid, r"^rtb-[0-9a-f]{17}$")
        self.assertEqual(rtb["Associations"], [])
        self.assertEqual(rtb["OwnerId"], "123456789012")
        self.assertEqual(rtb["Tags"], [{"Key": "Name", "Value": "cli-rtb"}])
        self.assertEqual({(r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock"),
                           r["GatewayId"], r["Origin"], r["State"]) for r in rtb["Routes"]},
                         {("10.30.0.0/16", "local", "CreateRouteTable", "active"),
                          (self.v6_block, "local", "CreateRouteTable", "active")})

        assoc = self.aws("ec2", "associate-route-table", "--route-table-id", rid,
                         "--subnet-id", self.subnet)
        self.assertRegex(assoc["AssociationId"], r"^rtbassoc-[0-9a-f]{17}$")
        self.assertEqual(assoc["AssociationState"], {"State": "associated"})
        got = self.aws("ec2", "describe-route-tables", "--route-table-ids", rid)["RouteTables"][0]
        self.assertEqual(got["Associations"], [{
            "Main": False, "RouteTableAssociationId": assoc["AssociationId"],
            "RouteTableId": rid, "SubnetId": self.subnet,
            "AssociationState": {"State": "associated"}}])

        self.assertCliError("DependencyViolation", "ec2", "delete-route-table",
                            "--route-table-id", rid)
        self.aws("ec2", "disassociate-route-table", "--association-id", assoc["AssociationId"])
        self.aws("ec2", "delete-route-table", "--route-table-id", rid)
        self.assertCliError("InvalidRouteTableID.NotFound", "ec2", "describe-route-tables",
                            "--route-table-ids", rid)

    def test_main_table_association(self):
        main = self.main_table()
        [assoc] = main["Associations"]
        self.assertTrue(assoc["Main"])
        self.assertNotIn("SubnetId", assoc)
        self.assertEqual(assoc["AssociationState"], {"State": "associated"})
        self.assertAwsError("DependencyViolation", self.ec2.delete_route_table,
                            RouteTableId=main["RouteTableId"])
        err = self.assertAwsError("InvalidParameterValue", self.ec2.disassociate_route_table,
                                  AssociationId=assoc["RouteTableAssociationId"])
        self.assertIn("main route table", str(err))

    def test_replace_main_association(self):
        old_main = self.main_table()
        old_assoc = old_main["Associations"][0]["RouteTableAssociationId"]
        rid = self.table()
        out = self.aws("ec2", "replace-route-table-association", "--association-id", old_assoc,
                       "--route-table-id", rid)
        self.assertNotEqual(out["NewAssociationId"], old_assoc)
        self.assertEqual(out["AssociationState"], {"State": "associated"})
        self.assertEqual(self.main_table()["RouteTableId"], rid)
        self.assertEqual(self.get(old_main["RouteTableId"])["Associations"], [])
        # Put the original main table back; the replacement is then deletable.
        self.ec2.replace_route_table_association(AssociationId=out["NewAssociationId"],
                                                 RouteTableId=old_main["RouteTableId"])
        self.assertEqual(self.main_table()["RouteTableId"], old_main["RouteTableId"])

    def test_a_subnet_has_one_association(self):
        first = self.table()
        second = self.table()
        assoc = self.ec2.associate_route_table(RouteTableId=first, SubnetId=self.subnet2)
        self.assertAwsError("Resource.AlreadyAssociated", self.ec2.associate_route_table,
                            RouteTableId=second, SubnetId=self.subnet2)
        self.assertEqual(self.get(second)["Associations"], [])
        moved = self.ec2.replace_route_table_association(
            AssociationId=assoc["AssociationId"], RouteTableId=second)
        self.assertEqual(self.get(first)["Associations"], [])
        self.assertEqual(self.get(second)["Associations"][0]["RouteTableAssociationId"],
                         moved["NewAssociationId"])
        self.assertAwsError("InvalidAssociationID.NotFound", self.ec2.disassociate_route_table,
                            AssociationId=assoc["AssociationId"])
        self.ec2.disassociate_route_table(AssociationId=moved["NewAssociationId"])

    def test_table_and_subnet_must_share_a_vpc(self):
        foreign = self.table(vpc=self.other_vpc)
        err = self.assertAwsError("InvalidParameterValue", self.ec2.associate_route_table,
                                  RouteTableId=foreign, SubnetId=self.subnet)
        self.assertIn("belong to different networks", str(err))
        self.assertEqual(self.get(foreign)["Associations"], [])

    def test_bad_ids(self):
        self.assertAwsError("InvalidRouteTableID.NotFound", self.ec2.describe_route_tables,
                            RouteTableIds=["rtb-0123456789abcdef0"])
        self.assertAwsError("InvalidRouteTableId.Malformed", self.ec2.describe_route_tables,
                            RouteTableIds=["rtb-nope"])
        self.assertAwsError("InvalidVpcID.NotFound", self.ec2.create_route_table,
                            VpcId="vpc-0123456789abcdef0")
        self.assertAwsError("InvalidSubnetID.NotFound", self.ec2.associate_route_table,
                            RouteTableId=self.table(), SubnetId="subnet-0123456789abcdef0")
        self.assertAwsError("InvalidAssociationID.Malformed", self.ec2.disassociate_route_table,
                            AssociationId="rtbassoc-zz")
        raw = self.client(validate=False)
        self.assertAwsError("MissingParameter", raw.create_route_table)
        self.assertAwsError("MissingParameter", raw.delete_route_table)

    def test_filters(self):
        rid = self.table(TagSpecifications=[{"ResourceType": "route-table",
                                             "Tags": [{"Key": "tier", "Value": "web"}]}])
        assoc = self.ec2.associate_route_table(RouteTableId=rid, SubnetId=self.subnet)
        self.addCleanup(self.ec2.disassociate_route_table, AssociationId=assoc["AssociationId"])
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="0.0.0.0/0",
                              GatewayId=self.igw)

        def ids(*filters):
            tables = self.ec2.describe_route_tables(
                Filters=[{"Name": n, "Values": v} for n, v in filters])["RouteTables"]
            return {t["RouteTableId"] for t in tables}

        self.assertEqual(ids(("association.subnet-id", [self.subnet])), {rid})
        self.assertEqual(ids(("association.route-table-association-id",
                              [assoc["AssociationId"]])), {rid})
        self.assertEqual(ids(("association.route-table-id", [rid])), {rid})
        self.assertEqual(ids(("association.main", ["false"]), ("vpc-id", [self.vpc_id])), {rid})
        self.assertEqual(ids(("association.main", ["true"]), ("vpc-id", [self.vpc_id])),
                         {self.main_table()["RouteTableId"]})
        self.assertEqual(ids(("route.gateway-id", [self.igw])), {rid})
        self.assertEqual(ids(("route.destination-cidr-block", ["0.0.0.0/0"]),
                             ("vpc-id", [self.vpc_id])), {rid})
        self.assertIn(rid, ids(("route.origin", ["CreateRoute"])))
        self.assertIn(rid, ids(("route.state", ["active"])))
        self.assertEqual(ids(("tag:tier", ["web"])), {rid})
        self.assertEqual(ids(("route-table-id", [rid])), {rid})
        self.assertIn(rid, ids(("owner-id", ["123456789012"])))
        self.assertEqual(ids(("route.destination-ipv6-cidr-block", [self.v6_block]),
                             ("vpc-id", [self.vpc_id])),
                         {rid, self.main_table()["RouteTableId"]})
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_route_tables,
                            Filters=[{"Name": "route.bogus", "Values": ["x"]}])

    def test_pagination_walks_every_table_once(self):
        vid = self.ec2.create_vpc(CidrBlock="10.32.0.0/16")["Vpc"]["VpcId"]
        made = {self.table(vpc=vid) for _ in range(6)}
        made.add(self.main_table(vid)["RouteTableId"])
        seen, token, pages = [], None, 0
        while True:
            kw = {"Filters": [{"Name": "vpc-id", "Values": [vid]}], "MaxResults": 5}
            if token:
                kw["NextToken"] = token
            page = self.ec2.describe_route_tables(**kw)
            pages += 1
            seen += [t["RouteTableId"] for t in page["RouteTables"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 2)
        self.assertEqual(sorted(seen), sorted(made))
        self.assertAwsError("InvalidParameterValue",
                            self.client(validate=False).describe_route_tables, MaxResults=101)


class RoutesTest(RouteTableTestBase):
    def test_igw_route_with_cli_and_blackhole_after_detach_and_delete(self):
        rid = self.table()
        vid = self.vpc_id
        gid = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        other = self.ec2.create_vpc(CidrBlock="10.33.0.0/16")["Vpc"]["VpcId"]
        other_rtb = self.table(vpc=other)
        self.ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=other)
        out = self.aws("ec2", "create-route", "--route-table-id", other_rtb,
                       "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", gid)
        self.assertEqual(out, {"Return": True})
        r = self.route(other_rtb, "0.0.0.0/0")
        self.assertEqual((r["GatewayId"], r["Origin"], r["State"]), (gid, "CreateRoute", "active"))
        # A gateway attached to another VPC is not a valid target here.
        err = self.assertAwsError("InvalidParameterValue", self.ec2.create_route, RouteTableId=rid,
                                  DestinationCidrBlock="0.0.0.0/0", GatewayId=gid)
        self.assertIn("belong to different networks", str(err))
        self.ec2.detach_internet_gateway(InternetGatewayId=gid, VpcId=other)
        self.assertEqual(self.route(other_rtb, "0.0.0.0/0")["State"], "blackhole")
        tables = self.ec2.describe_route_tables(Filters=[
            {"Name": "route.state", "Values": ["blackhole"]}])["RouteTables"]
        self.assertEqual([t["RouteTableId"] for t in tables], [other_rtb])
        self.ec2.delete_internet_gateway(InternetGatewayId=gid)
        self.assertEqual(self.route(other_rtb, "0.0.0.0/0")["State"], "blackhole")
        self.aws("ec2", "delete-route", "--route-table-id", other_rtb,
                 "--destination-cidr-block", "0.0.0.0/0")
        self.assertIsNone(self.route(other_rtb, "0.0.0.0/0"))
        self.assertTrue(vid)

    def test_route_errors_change_nothing(self):
        rid = self.table()
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="0.0.0.0/0",
                              GatewayId=self.igw)
        before = self.get(rid)
        self.assertAwsError("RouteAlreadyExists", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="0.0.0.0/0", GatewayId=self.igw)
        self.assertAwsError("RouteAlreadyExists", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="10.30.0.0/16", GatewayId=self.igw)
        self.assertAwsError("InvalidRoute.NotFound", self.ec2.delete_route, RouteTableId=rid,
                            DestinationCidrBlock="192.168.0.0/16")
        self.assertAwsError("InvalidParameterValue", self.ec2.replace_route, RouteTableId=rid,
                            DestinationCidrBlock="192.168.0.0/16", GatewayId=self.igw)
        for bad in ("banana", "10.0.0.0/33", "10.0.0.0"):
            self.assertAwsError("InvalidParameterValue", self.ec2.create_route, RouteTableId=rid,
                                DestinationCidrBlock=bad, GatewayId=self.igw)
        self.assertAwsError("InvalidGatewayID.NotFound", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="1.0.0.0/8", GatewayId="igw-0123456789abcdef0")
        self.assertAwsError("NatGatewayNotFound", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="1.0.0.0/8", NatGatewayId="nat-0123456789abcdef0")
        self.assertAwsError("InvalidVpcPeeringConnectionID.NotFound", self.ec2.create_route,
                            RouteTableId=rid, DestinationCidrBlock="1.0.0.0/8",
                            VpcPeeringConnectionId="pcx-0123456789abcdef0")
        self.assertAwsError("InvalidTransitGatewayID.NotFound", self.ec2.create_route,
                            RouteTableId=rid, DestinationCidrBlock="1.0.0.0/8",
                            TransitGatewayId="tgw-0123456789abcdef0")
        self.assertAwsError("InvalidParameterCombination", self.ec2.create_route,
                            RouteTableId=rid, DestinationCidrBlock="1.0.0.0/8",
                            GatewayId=self.igw, NetworkInterfaceId=self.eni())
        self.assertAwsError("InvalidParameterCombination", self.ec2.create_route,
                            RouteTableId=rid, DestinationCidrBlock="1.0.0.0/8",
                            DestinationIpv6CidrBlock="::/0", GatewayId=self.igw)
        self.assertAwsError("MissingParameter", self.ec2.create_route, RouteTableId=rid,
                            GatewayId=self.igw)
        self.assertAwsError("MissingParameter", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="1.0.0.0/8")
        self.assertAwsError("InvalidRouteTableID.NotFound", self.ec2.create_route,
                            RouteTableId="rtb-0123456789abcdef0",
                            DestinationCidrBlock="1.0.0.0/8", GatewayId=self.igw)
        self.assertEqual(self.get(rid)["Routes"], before["Routes"])

    def test_destination_is_canonicalised_and_ipv6_routes_work(self):
        rid = self.table()
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="100.68.0.18/18",
                              GatewayId=self.igw)
        self.assertIsNotNone(self.route(rid, "100.68.0.0/18"))
        self.ec2.create_route(RouteTableId=rid, DestinationIpv6CidrBlock="::/0",
                              GatewayId=self.igw)
        r = self.route(rid, "::/0")
        self.assertEqual((r["GatewayId"], r["State"]), (self.igw, "active"))
        self.assertNotIn("DestinationCidrBlock", r)
        self.ec2.delete_route(RouteTableId=rid, DestinationIpv6CidrBlock="::/0")
        self.assertIsNone(self.route(rid, "::/0"))

    def test_local_route_rules(self):
        rid = self.table()
        err = self.assertAwsError("InvalidParameterValue", self.ec2.delete_route,
                                  RouteTableId=rid, DestinationCidrBlock="10.30.0.0/16")
        self.assertIn("cannot remove local route", str(err))
        err = self.assertAwsError("InvalidParameterValue", self.ec2.replace_route,
                                  RouteTableId=rid, DestinationCidrBlock="10.30.0.0/16",
                                  GatewayId=self.igw)
        self.assertIn("cannot replace local route", str(err))
        self.assertEqual(self.route(rid, "10.30.0.0/16")["GatewayId"], "local")
        # AWS lets a local route's target be replaced by an interface, then restored.
        eni = self.eni()
        self.aws("ec2", "replace-route", "--route-table-id", rid, "--destination-cidr-block",
                 "10.30.0.0/16", "--network-interface-id", eni)
        r = self.route(rid, "10.30.0.0/16")
        self.assertEqual((r["NetworkInterfaceId"], r["Origin"]), (eni, "CreateRouteTable"))
        self.assertNotIn("GatewayId", r)
        self.aws("ec2", "replace-route", "--route-table-id", rid, "--destination-cidr-block",
                 "10.30.0.0/16", "--local-target")
        r = self.route(rid, "10.30.0.0/16")
        self.assertEqual(r["GatewayId"], "local")
        self.assertNotIn("NetworkInterfaceId", r)

    def test_routes_more_specific_than_local(self):
        rid = self.table()
        eni = self.eni()
        self.assertAwsError("InvalidParameterValue", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="10.30.2.0/24", GatewayId=self.igw)
        self.assertAwsError("InvalidParameterValue", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="10.30.9.0/24", NetworkInterfaceId=eni)
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="10.30.2.0/24",
                              NetworkInterfaceId=eni)
        self.assertEqual(self.route(rid, "10.30.2.0/24")["State"], "active")
        # A destination wider than the VPC is an ordinary route.
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="10.0.0.0/8",
                              GatewayId=self.igw)

    def test_interface_route_and_blackhole_after_delete(self):
        rid = self.table()
        eni = self.eni()
        foreign = self.eni(subnet=self.other_subnet)
        self.assertAwsError("InvalidParameterValue", self.ec2.create_route, RouteTableId=rid,
                            DestinationCidrBlock="192.168.0.0/16", NetworkInterfaceId=foreign)
        self.assertAwsError("InvalidNetworkInterfaceID.NotFound", self.ec2.create_route,
                            RouteTableId=rid, DestinationCidrBlock="192.168.0.0/16",
                            NetworkInterfaceId="eni-0123456789abcdef0")
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="192.168.0.0/16",
                              NetworkInterfaceId=eni)
        r = self.route(rid, "192.168.0.0/16")
        self.assertEqual((r["NetworkInterfaceId"], r["State"]), (eni, "active"))
        self.assertNotIn("InstanceId", r)
        self.ec2.delete_network_interface(NetworkInterfaceId=eni)
        self.assertEqual(self.route(rid, "192.168.0.0/16")["State"], "blackhole")
        # ReplaceRoute points it somewhere live again.
        self.ec2.replace_route(RouteTableId=rid, DestinationCidrBlock="192.168.0.0/16",
                               GatewayId=self.igw)
        r = self.route(rid, "192.168.0.0/16")
        self.assertEqual((r["GatewayId"], r["State"], r["Origin"]),
                         (self.igw, "active", "CreateRoute"))
        self.assertNotIn("NetworkInterfaceId", r)

    def launch(self):
        return self.ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                      InstanceType="t3.micro",
                                      SubnetId=self.subnet)["Instances"][0]

    def test_instance_route_resolves_to_its_interface(self):
        rid = self.table()
        inst = self.launch()
        iid = inst["InstanceId"]
        eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="172.16.0.0/12",
                              InstanceId=iid)
        r = self.route(rid, "172.16.0.0/12")
        self.assertEqual((r["InstanceId"], r["NetworkInterfaceId"], r["InstanceOwnerId"],
                          r["State"]), (iid, eni, "123456789012", "active"))
        tables = self.ec2.describe_route_tables(
            Filters=[{"Name": "route.instance-id", "Values": [iid]}])["RouteTables"]
        self.assertEqual([t["RouteTableId"] for t in tables], [rid])
        self.ec2.terminate_instances(InstanceIds=[iid])
        self.assertEqual(self.route(rid, "172.16.0.0/12")["State"], "blackhole")

    def test_instance_with_two_interfaces_needs_an_interface_id(self):
        rid = self.table()
        inst = self.launch()
        extra = self.eni()
        self.ec2.attach_network_interface(NetworkInterfaceId=extra,
                                          InstanceId=inst["InstanceId"], DeviceIndex=1)
        err = self.assertAwsError("InvalidInstanceID", self.ec2.create_route, RouteTableId=rid,
                                  DestinationCidrBlock="172.16.0.0/12",
                                  InstanceId=inst["InstanceId"])
        self.assertIn("multiple interfaces", str(err))
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="172.16.0.0/12",
                              NetworkInterfaceId=extra)
        r = self.route(rid, "172.16.0.0/12")
        # An interface route shows the instance the interface is attached to.
        self.assertEqual((r["NetworkInterfaceId"], r["InstanceId"]), (extra, inst["InstanceId"]))
        self.ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])


class DurabilityTest(RouteTableTestBase):
    def test_tables_routes_and_associations_survive_a_crash(self):
        rid = self.table()
        assoc = self.ec2.associate_route_table(RouteTableId=rid, SubnetId=self.subnet)
        self.ec2.create_route(RouteTableId=rid, DestinationCidrBlock="0.0.0.0/0",
                              GatewayId=self.igw)
        before = self.get(rid)
        self.restart(kill=True)
        after = self.get(rid)
        self.assertEqual(after, before)
        self.assertEqual(after["Associations"][0]["RouteTableAssociationId"],
                         assoc["AssociationId"])
        self.ec2.disassociate_route_table(AssociationId=assoc["AssociationId"])


if __name__ == "__main__":
    unittest.main()
