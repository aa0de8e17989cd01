"""Security groups and their rules: create/delete, authorize/revoke (by
permission and by rule id), modify, describe (filters, pagination), quotas,
dependencies, and the default VPC's revoke semantics."""
import unittest

from botocore.exceptions import ClientError

from harness import ServerTestCase


def tcp(port, *cidrs, to_port=None):
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port if to_port is None else to_port,
            "IpRanges": [{"CidrIp": c} for c in cidrs]}


class SecurityGroupTestBase(ServerTestCase):
    def make_vpc(self, cidr="10.0.0.0/16", ipv6=False):
        vpc = self.ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]
        return vpc["VpcId"]

    def make_group(self, vpc_id, name="web", description="web servers", **kw):
        return self.ec2.create_security_group(GroupName=name, Description=description,
                                              VpcId=vpc_id, **kw)["GroupId"]

    def group(self, group_id):
        return self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]

    def rules(self, group_id, egress=None):
        out = self.ec2.describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroupRules"]
        return [r for r in out if egress is None or r["IsEgress"] == egress]

    def raw_xml(self, operation, **kwargs):
        """Calls `operation` and returns the raw response body: the clients'
        botocore predates some output members (SecurityGroupArn,
        RevokedSecurityGroupRules), which they would silently drop."""
        bodies = []
        ec2 = self.client()
        ec2.meta.events.register("after-call.ec2." + operation,
                                 lambda http_response, **_: bodies.append(http_response.text))
        method = "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
        getattr(ec2, method)(**kwargs)
        return bodies[0]

    def default_vpc(self):
        return self.ec2.describe_vpcs(
            Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


class SecurityGroupLifecycleTest(SecurityGroupTestBase):
    def test_create_describe_delete_with_cli(self):
        vpc = self.make_vpc("10.1.0.0/16")
        out = self.aws("ec2", "create-security-group", "--group-name", "cli-web",
                       "--description", "from the CLI", "--vpc-id", vpc,
                       "--tag-specifications",
                       "ResourceType=security-group,Tags=[{Key=Name,Value=cli}]")
        gid = out["GroupId"]
        body = self.raw_xml("DescribeSecurityGroups", GroupIds=[gid])
        self.assertIn("<securityGroupArn>arn:aws:ec2:us-east-1:123456789012:security-group/%s<"
                      % gid, body)
        self.assertRegex(gid, r"^sg-[0-9a-f]{17}$")
        got = self.aws("ec2", "describe-security-groups", "--group-ids", gid)["SecurityGroups"][0]
        self.assertEqual(got["GroupName"], "cli-web")
        self.assertEqual(got["Description"], "from the CLI")
        self.assertEqual(got["VpcId"], vpc)
        self.assertEqual(got["IpPermissions"], [])
        self.assertEqual(len(got["IpPermissionsEgress"]), 1)
        egress = got["IpPermissionsEgress"][0]
        self.assertEqual(egress["IpProtocol"], "-1")
        self.assertEqual(egress["IpRanges"], [{"CidrIp": "0.0.0.0/0"}])
        self.assertNotIn("FromPort", egress)
        self.assertEqual(got["Tags"], [{"Key": "Name", "Value": "cli"}])
        self.aws("ec2", "delete-security-group", "--group-id", gid)
        self.assertCliError("InvalidGroup.NotFound", "ec2", "describe-security-groups",
                            "--group-ids", gid)

    def test_create_defaults_to_default_vpc_and_deletes_by_name(self):
        gid = self.ec2.create_security_group(GroupName="in-default",
                                             Description="d")["GroupId"]
        self.assertEqual(self.group(gid)["VpcId"], self.default_vpc())
        got = self.ec2.describe_security_groups(GroupNames=["in-default"])["SecurityGroups"]
        self.assertEqual([g["GroupId"] for g in got], [gid])
        body = self.raw_xml("DeleteSecurityGroup", GroupName="in-default")
        self.assertIn("<return>true</return>", body)
        self.assertIn("<groupId>%s</groupId>" % gid, body)
        self.assertAwsError("InvalidGroup.NotFound", self.ec2.delete_security_group,
                            GroupName="in-default")

    def test_name_rules(self):
        vpc = self.make_vpc("10.2.0.0/16")
        self.make_group(vpc, "app")
        before = len(self.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"])
        self.assertAwsError("InvalidGroup.Duplicate", self.make_group, vpc, "app")
        self.assertAwsError("InvalidGroup.Duplicate", self.make_group, vpc, "APP")
        self.assertAwsError("InvalidParameterValue", self.make_group, vpc, "default")
        self.assertAwsError("InvalidParameterValue", self.make_group, vpc, "sg-app")
        self.assertAwsError("InvalidParameterValue", self.make_group, vpc, "x" * 256)
        self.assertAwsError("InvalidParameterValue", self.make_group, vpc, "bad<name>")
        self.assertAwsError("InvalidParameterValue", self.make_group, vpc, "ok", "d" * 256)
        self.assertAwsError("InvalidVpcID.NotFound", self.make_group, "vpc-0123456789abcdef0")
        after = len(self.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"])
        self.assertEqual(before, after)
        self.make_group(self.make_vpc("10.3.0.0/16"), "app")  # same name, other VPC

    def test_ipv6_vpc_group_also_allows_ipv6_egress(self):
        vpc = self.make_vpc("10.4.0.0/16", ipv6=True)
        egress = self.group(self.make_group(vpc))["IpPermissionsEgress"]
        self.assertEqual(egress[0]["IpRanges"], [{"CidrIp": "0.0.0.0/0"}])
        self.assertEqual(egress[0]["Ipv6Ranges"], [{"CidrIpv6": "::/0"}])

    def test_default_group_allows_itself_and_cannot_be_deleted(self):
        vpc = self.make_vpc("10.5.0.0/16")
        groups = self.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc]},
                     {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
        self.assertEqual(len(groups), 1)
        g = groups[0]
        pairs = g["IpPermissions"][0]["UserIdGroupPairs"]
        self.assertEqual(pairs[0]["GroupId"], g["GroupId"])
        self.assertAwsError("CannotDelete", self.ec2.delete_security_group, GroupId=g["GroupId"])

    def test_describe_unknown_and_malformed_ids(self):
        self.assertAwsError("InvalidGroup.NotFound", self.ec2.describe_security_groups,
                            GroupIds=["sg-0123456789abcdef0"])
        self.assertAwsError("InvalidGroupId.Malformed", self.ec2.describe_security_groups,
                            GroupIds=["sg-nope"])
        self.assertAwsError("InvalidGroup.NotFound", self.ec2.describe_security_groups,
                            GroupNames=["no-such-group"])

    def test_referenced_group_cannot_be_deleted_until_revoked(self):
        vpc = self.make_vpc("10.6.0.0/16")
        db = self.make_group(vpc, "db")
        app = self.make_group(vpc, "app")
        perm = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": app}]}
        self.ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[perm])
        self.assertAwsError("DependencyViolation", self.ec2.delete_security_group, GroupId=app)
        self.ec2.revoke_security_group_ingress(GroupId=db, IpPermissions=[perm])
        self.ec2.delete_security_group(GroupId=app)
        # A group that references only itself can be deleted.
        self_ref = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": db}]}
        self.ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[self_ref])
        self.ec2.delete_security_group(GroupId=db)

    def test_group_used_by_an_interface_cannot_be_deleted(self):
        vpc = self.make_vpc("10.7.0.0/16")
        gid = self.make_group(vpc)
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
        try:
            eni = self.ec2.create_network_interface(SubnetId=subnet, Groups=[gid])
        except ClientError as e:
            if e.response["Error"]["Code"] == "InvalidAction":
                self.skipTest("CreateNetworkInterface not available yet")
            raise
        eni_id = eni["NetworkInterface"]["NetworkInterfaceId"]
        self.assertAwsError("DependencyViolation", self.ec2.delete_security_group, GroupId=gid)
        self.ec2.delete_network_interface(NetworkInterfaceId=eni_id)
        self.ec2.delete_security_group(GroupId=gid)

    def test_describe_filters(self):
        vpc = self.make_vpc("10.8.0.0/16")
        web = self.make_group(vpc, "web", "public web",
                              TagSpecifications=[{"ResourceType": "security-group",
                                                  "Tags": [{"Key": "tier", "Value": "front"}]}])
        db = self.make_group(vpc, "db", "private db")
        self.ec2.authorize_security_group_ingress(GroupId=web,
                                                  IpPermissions=[tcp(443, "0.0.0.0/0")])
        self.ec2.authorize_security_group_ingress(
            GroupId=db, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                                        "UserIdGroupPairs": [{"GroupId": web}]}])
        self.ec2.authorize_security_group_egress(GroupId=db, IpPermissions=[tcp(53, "10.0.0.2/32")])

        def ids(*filters):
            f = [{"Name": "vpc-id", "Values": [vpc]}] + [
                {"Name": n, "Values": v} for n, v in filters]
            return sorted(g["GroupId"] for g in self.ec2.describe_security_groups(
                Filters=f)["SecurityGroups"])

        self.assertEqual(ids(("group-name", ["web"])), [web])
        self.assertEqual(ids(("description", ["private*"])), [db])
        self.assertEqual(ids(("group-id", [db])), [db])
        self.assertEqual(ids(("ip-permission.cidr", ["0.0.0.0/0"])), [web])
        self.assertEqual(ids(("ip-permission.from-port", ["5432"])), [db])
        self.assertEqual(ids(("ip-permission.protocol", ["tcp"])), sorted([web, db]))
        self.assertEqual(ids(("ip-permission.group-id", [web])), [db])
        self.assertEqual(ids(("egress.ip-permission.cidr", ["10.0.0.2/32"])), [db])
        self.assertEqual(ids(("egress.ip-permission.to-port", ["53"])), [db])
        self.assertEqual(ids(("tag:tier", ["front"])), [web])
        self.assertEqual(ids(("owner-id", ["123456789012"]), ("group-name", ["db"])), [db])
        self.assertEqual(len(ids()), 3)  # with the default group
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_security_groups,
                            Filters=[{"Name": "no-such-filter", "Values": ["x"]}])

    def test_describe_pagination(self):
        vpc = self.make_vpc("10.9.0.0/16")
        made = {self.make_group(vpc, "g%d" % i) for i in range(6)}
        f = [{"Name": "vpc-id", "Values": [vpc]}]
        seen, token, pages = [], None, 0
        while True:
            kw = {"Filters": f, "MaxResults": 5}
            if token:
                kw["NextToken"] = token
            page = self.ec2.describe_security_groups(**kw)
            pages += 1
            seen += [g["GroupId"] for g in page["SecurityGroups"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 2)
        self.assertEqual(len(seen), 7)
        self.assertTrue(made <= set(seen))
        self.assertAwsError("InvalidParameterValue", self.client(validate=False)
                            .describe_security_groups, MaxResults=4)

    def test_groups_and_rules_survive_restart(self):
        vpc = self.make_vpc("10.10.0.0/16")
        gid = self.make_group(vpc, "durable")
        rule = self.ec2.authorize_security_group_ingress(
            GroupId=gid, IpPermissions=[tcp(22, "10.0.0.0/8")])["SecurityGroupRules"][0]
        self.restart(kill=True)
        got = self.ec2.describe_security_group_rules(
            SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])["SecurityGroupRules"]
        self.assertEqual(got[0]["CidrIpv4"], "10.0.0.0/8")
        self.assertEqual(self.group(gid)["GroupName"], "durable")


class SecurityGroupRuleTest(SecurityGroupTestBase):
    in_memory = True

    def setUp(self):
        self.vpc = self.make_vpc("10.20.0.0/16")
        self.gid = self.make_group(self.vpc, "rules-%s" % self.id().rsplit(".", 1)[1][:40])

    def test_authorize_returns_one_rule_per_peer(self):
        out = self.ec2.authorize_security_group_ingress(
            GroupId=self.gid,
            IpPermissions=[{"IpProtocol": "6", "FromPort": 22, "ToPort": 22,
                            "IpRanges": [{"CidrIp": "10.0.0.0/24", "Description": "lan"},
                                         {"CidrIp": "10.0.1.5/24"}],
                            "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
                            "UserIdGroupPairs": [{"GroupId": self.gid}]}])
        self.assertTrue(out["Return"])
        rules = out["SecurityGroupRules"]
        self.assertEqual(len(rules), 4)
        for r in rules:
            self.assertRegex(r["SecurityGroupRuleId"], r"^sgr-[0-9a-f]{17}$")
            self.assertEqual((r["IpProtocol"], r["FromPort"], r["ToPort"]), ("tcp", 22, 22))
            self.assertFalse(r["IsEgress"])
            self.assertEqual(r["GroupId"], self.gid)
            self.assertEqual(r["GroupOwnerId"], "123456789012")
        self.assertEqual(rules[0]["Description"], "lan")
        self.assertEqual(rules[1]["CidrIpv4"], "10.0.1.0/24")  # host bits masked
        self.assertEqual(rules[2]["CidrIpv6"], "2001:db8::/32")
        self.assertEqual(rules[3]["ReferencedGroupInfo"]["GroupId"], self.gid)
        perms = self.group(self.gid)["IpPermissions"]
        self.assertEqual(len(perms), 1)  # folded by (protocol, ports)
        self.assertEqual(len(perms[0]["IpRanges"]), 2)
        self.assertEqual(perms[0]["UserIdGroupPairs"][0]["UserId"], "123456789012")
        got = self.ec2.describe_security_group_rules(
            SecurityGroupRuleIds=[rules[0]["SecurityGroupRuleId"]])["SecurityGroupRules"]
        self.assertEqual(got[0]["CidrIpv4"], "10.0.0.0/24")

    def test_cli_shorthand_authorize_and_revoke(self):
        out = self.aws("ec2", "authorize-security-group-ingress", "--group-id", self.gid,
                       "--protocol", "tcp", "--port", "8000-8080", "--cidr", "203.0.113.0/24")
        self.assertTrue(out["Return"])
        self.assertEqual(out["SecurityGroupRules"][0]["ToPort"], 8080)
        self.assertCliError("InvalidPermission.Duplicate", "ec2",
                            "authorize-security-group-ingress", "--group-id", self.gid,
                            "--protocol", "6", "--port", "8000-8080", "--cidr", "203.0.113.0/24")
        self.aws("ec2", "authorize-security-group-ingress", "--group-id", self.gid,
                 "--protocol", "all", "--source-group", self.gid)
        got = self.aws("ec2", "describe-security-group-rules", "--filters",
                       "Name=group-id,Values=" + self.gid)["SecurityGroupRules"]
        self.assertEqual(len([r for r in got if not r["IsEgress"]]), 2)
        self.aws("ec2", "revoke-security-group-ingress", "--group-id", self.gid,
                 "--protocol", "tcp", "--port", "8000-8080", "--cidr", "203.0.113.0/24")
        self.assertCliError("InvalidPermission.NotFound", "ec2", "revoke-security-group-ingress",
                            "--group-id", self.gid, "--protocol", "tcp", "--port", "8000-8080",
                            "--cidr", "203.0.113.0/24")
        self.assertEqual(len(self.rules(self.gid, egress=False)), 1)

    def test_legacy_single_rule_parameters(self):
        self.ec2.authorize_security_group_ingress(GroupId=self.gid, IpProtocol="tcp",
                                                  FromPort=3306, ToPort=3306,
                                                  CidrIp="172.16.0.0/12")
        got = self.rules(self.gid, egress=False)
        self.assertEqual([(r["IpProtocol"], r["FromPort"], r["CidrIpv4"]) for r in got],
                         [("tcp", 3306, "172.16.0.0/12")])
        self.assertAwsError("InvalidParameterCombination",
                            self.ec2.authorize_security_group_ingress, GroupId=self.gid,
                            IpProtocol="tcp", FromPort=1, ToPort=1, CidrIp="1.0.0.0/8",
                            IpPermissions=[tcp(2, "2.0.0.0/8")])
        self.ec2.revoke_security_group_ingress(GroupId=self.gid, IpProtocol="tcp", FromPort=3306,
                                               ToPort=3306, CidrIp="172.16.0.0/12")
        self.assertEqual(self.rules(self.gid, egress=False), [])
        # A bare source group name (default VPC) grants all ICMP, TCP and UDP.
        src = self.ec2.create_security_group(GroupName="legacy-src", Description="d")["GroupId"]
        dst = self.ec2.create_security_group(GroupName="legacy-dst", Description="d")["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupName="legacy-dst",
                                                  SourceSecurityGroupName="legacy-src")
        got = sorted((r["IpProtocol"], r["FromPort"], r["ToPort"],
                      r["ReferencedGroupInfo"]["GroupId"]) for r in self.rules(dst, egress=False))
        self.assertEqual(got, [("icmp", -1, -1, src), ("tcp", 0, 65535, src),
                               ("udp", 0, 65535, src)])

    def test_protocols_and_ports_normalise(self):
        def perm(proto, cidr, ports=None):
            p = {"IpProtocol": proto, "IpRanges": [{"CidrIp": cidr}]}
            if ports:
                p["FromPort"], p["ToPort"] = ports
            return p

        self.ec2.authorize_security_group_ingress(GroupId=self.gid, IpPermissions=[
            perm("17", "1.0.0.0/8", (53, 53)), perm("icmp", "2.0.0.0/8", (8, -1)),
            perm("all", "3.0.0.0/8"), perm("tcp", "4.0.0.0/8", (-1, -1)),
            perm("50", "5.0.0.0/8", (1, 2))])
        by_cidr = {r["CidrIpv4"]: r for r in self.rules(self.gid, egress=False)}
        self.assertEqual(by_cidr["1.0.0.0/8"]["IpProtocol"], "udp")
        self.assertEqual((by_cidr["2.0.0.0/8"]["FromPort"], by_cidr["2.0.0.0/8"]["ToPort"]),
                         (8, -1))
        self.assertEqual(by_cidr["3.0.0.0/8"]["IpProtocol"], "-1")
        self.assertEqual((by_cidr["4.0.0.0/8"]["FromPort"], by_cidr["4.0.0.0/8"]["ToPort"]),
                         (0, 65535))
        self.assertEqual((by_cidr["5.0.0.0/8"]["IpProtocol"], by_cidr["5.0.0.0/8"]["FromPort"]),
                         ("50", -1))
        perms = {p["IpProtocol"]: p for p in self.group(self.gid)["IpPermissions"]}
        self.assertNotIn("FromPort", perms["-1"])
        self.assertNotIn("FromPort", perms["50"])

    def test_bad_rules_are_rejected_and_change_nothing(self):
        ec2 = self.client(validate=False)
        before = self.rules(self.gid)
        def one(proto="tcp", ports=(1, 1), **peers):
            p = {"IpProtocol": proto, **peers}
            if ports:
                p["FromPort"], p["ToPort"] = ports
            return [p]

        v4 = {"IpRanges": [{"CidrIp": "1.0.0.0/8"}]}
        bad = [
            ("InvalidParameterValue", one("bogus", **v4)),
            ("InvalidParameterValue", one("tcp", None, **v4)),
            ("InvalidParameterValue", [tcp(80, "1.0.0.0/8", to_port=22)]),
            ("InvalidParameterValue", [tcp(70000, "1.0.0.0/8")]),
            ("InvalidParameterValue", [tcp(22, "1.0.0.0/33")]),
            ("InvalidParameterValue", [tcp(22, "2001:db8::/32")]),
            ("InvalidParameterValue", [tcp(22, "1.0.0.0/8", "1.0.0.0/8")]),
            ("InvalidParameterValue", one("icmp", (-1, 4), **v4)),
            ("InvalidParameterValue",
             one(IpRanges=[{"CidrIp": "1.0.0.0/8", "Description": "no <html>"}])),
            ("InvalidGroup.NotFound",
             one(UserIdGroupPairs=[{"GroupId": "sg-0123456789abcdef0"}])),
            ("InvalidGroupId.Malformed", one(UserIdGroupPairs=[{"GroupId": "sg-xyz"}])),
            ("MissingParameter", one()),
            ("InvalidPrefixListID.NotFound",
             one(PrefixListIds=[{"PrefixListId": "pl-12345678"}])),
        ]
        for code, perms in bad:
            with self.subTest(perms=perms):
                self.assertAwsError(code, ec2.authorize_security_group_ingress,
                                    GroupId=self.gid, IpPermissions=perms)
        other_vpc = self.make_vpc("10.21.0.0/16")
        other = self.make_group(other_vpc, "other")
        self.assertAwsError("InvalidGroup.NotFound", ec2.authorize_security_group_ingress,
                            GroupId=self.gid, IpPermissions=[{
                                "IpProtocol": "tcp", "FromPort": 1, "ToPort": 1,
                                "UserIdGroupPairs": [{"GroupId": other}]}])
        self.assertAwsError("InvalidGroup.NotFound", ec2.authorize_security_group_ingress,
                            GroupId="sg-0123456789abcdef0", IpPermissions=[tcp(22, "1.0.0.0/8")])
        self.assertAwsError("MissingParameter", ec2.authorize_security_group_ingress,
                            GroupId=self.gid)
        self.assertEqual(self.rules(self.gid), before)

    def test_duplicate_rule_fails_and_adds_nothing(self):
        self.ec2.authorize_security_group_ingress(GroupId=self.gid,
                                                  IpPermissions=[tcp(22, "10.0.0.0/8")])
        before = self.rules(self.gid)
        err = self.assertAwsError("InvalidPermission.Duplicate",
                                  self.ec2.authorize_security_group_ingress, GroupId=self.gid,
                                  IpPermissions=[tcp(80, "10.0.0.0/8"), tcp(22, "10.0.0.0/8")])
        self.assertIn("peer: 10.0.0.0/8, TCP, from port: 22, to port: 22, ALLOW", str(err))
        self.assertEqual(self.rules(self.gid), before)

    def test_sixty_rules_per_direction_and_family(self):
        cidrs = ["10.%d.0.0/16" % i for i in range(60)]
        self.ec2.authorize_security_group_ingress(GroupId=self.gid,
                                                  IpPermissions=[tcp(22, *cidrs)])
        self.assertAwsError("RulesPerSecurityGroupLimitExceeded",
                            self.ec2.authorize_security_group_ingress, GroupId=self.gid,
                            IpPermissions=[tcp(23, "11.0.0.0/8")])
        v6 = [{"CidrIpv6": "2001:db8:%x::/48" % i} for i in range(60)]
        self.ec2.authorize_security_group_ingress(GroupId=self.gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": v6}])
        self.assertEqual(len(self.rules(self.gid, egress=False)), 120)
        self.ec2.authorize_security_group_egress(GroupId=self.gid,
                                                 IpPermissions=[tcp(22, *cidrs[:59])])
        self.assertAwsError("RulesPerSecurityGroupLimitExceeded",
                            self.ec2.authorize_security_group_egress, GroupId=self.gid,
                            IpPermissions=[tcp(23, "11.0.0.0/8")])

    def test_revoke_by_permission_and_by_rule_id(self):
        out = self.ec2.authorize_security_group_ingress(
            GroupId=self.gid, IpPermissions=[tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")])
        ids = [r["SecurityGroupRuleId"] for r in out["SecurityGroupRules"]]
        body = self.raw_xml("RevokeSecurityGroupIngress", GroupId=self.gid,
                            IpPermissions=[tcp(22, "10.0.0.0/8")])
        self.assertIn("<return>true</return>", body)
        self.assertIn("<revokedSecurityGroupRuleSet><item><securityGroupRuleId>%s<" % ids[0], body)
        self.assertNotIn("unknownIpPermissionSet", body)
        self.assertAwsError("InvalidPermission.NotFound", self.ec2.revoke_security_group_ingress,
                            GroupId=self.gid,
                            IpPermissions=[tcp(80, "10.0.0.0/8"), tcp(22, "10.0.0.0/8")])
        self.assertEqual(len(self.rules(self.gid, egress=False)), 1)  # nothing revoked
        self.assertAwsError("InvalidSecurityGroupRuleId.NotFound",
                            self.ec2.revoke_security_group_ingress, GroupId=self.gid,
                            SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
        egress_id = self.rules(self.gid, egress=True)[0]["SecurityGroupRuleId"]
        self.assertAwsError("InvalidSecurityGroupRuleId.NotFound",
                            self.ec2.revoke_security_group_ingress, GroupId=self.gid,
                            SecurityGroupRuleIds=[egress_id])
        body = self.raw_xml("RevokeSecurityGroupIngress", GroupId=self.gid,
                            SecurityGroupRuleIds=[ids[1]])
        self.assertIn("<fromPort>80</fromPort>", body)
        self.ec2.revoke_security_group_egress(GroupId=self.gid, SecurityGroupRuleIds=[egress_id])
        self.assertEqual(self.rules(self.gid), [])
        self.assertEqual(self.group(self.gid)["IpPermissionsEgress"], [])

    def test_revoke_in_default_vpc_reports_unknown_permissions(self):
        gid = self.ec2.create_security_group(GroupName="dflt-revoke", Description="d")["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupName="dflt-revoke",
                                                  IpPermissions=[tcp(22, "10.0.0.0/8")])
        out = self.ec2.revoke_security_group_ingress(
            GroupId=gid, IpPermissions=[tcp(22, "10.0.0.0/8"), tcp(23, "10.0.0.0/8")])
        self.assertTrue(out["Return"])
        unknown = out["UnknownIpPermissions"]
        self.assertEqual(len(unknown), 1)
        self.assertEqual((unknown[0]["FromPort"], unknown[0]["IpRanges"][0]["CidrIp"]),
                         (23, "10.0.0.0/8"))
        self.assertEqual(self.rules(gid, egress=False), [])

    def test_egress_rules(self):
        out = self.aws("ec2", "authorize-security-group-egress", "--group-id", self.gid,
                       "--ip-permissions",
                       "IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=10.0.0.2/32}]")
        self.assertTrue(out["SecurityGroupRules"][0]["IsEgress"])
        egress = self.group(self.gid)["IpPermissionsEgress"]
        self.assertEqual(len(egress), 2)
        self.ec2.revoke_security_group_egress(GroupId=self.gid, IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        egress = self.group(self.gid)["IpPermissionsEgress"]
        self.assertEqual([p["IpProtocol"] for p in egress], ["udp"])

    def test_modify_security_group_rules(self):
        rule = self.ec2.authorize_security_group_ingress(
            GroupId=self.gid, IpPermissions=[tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")])
        first, second = [r["SecurityGroupRuleId"] for r in rule["SecurityGroupRules"]]
        out = self.ec2.modify_security_group_rules(GroupId=self.gid, SecurityGroupRules=[{
            "SecurityGroupRuleId": first,
            "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 2222, "ToPort": 2222,
                                  "CidrIpv4": "192.168.0.0/16", "Description": "moved"}}])
        self.assertTrue(out["Return"])
        got = self.ec2.describe_security_group_rules(
            SecurityGroupRuleIds=[first])["SecurityGroupRules"][0]
        self.assertEqual((got["FromPort"], got["CidrIpv4"], got["Description"]),
                         (2222, "192.168.0.0/16", "moved"))
        self.assertAwsError("InvalidPermission.Duplicate", self.ec2.modify_security_group_rules,
                            GroupId=self.gid, SecurityGroupRules=[{
                                "SecurityGroupRuleId": second,
                                "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 2222,
                                                      "ToPort": 2222,
                                                      "CidrIpv4": "192.168.0.0/16"}}])
        self.assertAwsError("InvalidSecurityGroupRuleId.NotFound",
                            self.ec2.modify_security_group_rules, GroupId=self.gid,
                            SecurityGroupRules=[{"SecurityGroupRuleId": "sgr-0123456789abcdef0",
                                                 "SecurityGroupRule": {"IpProtocol": "-1",
                                                                       "CidrIpv4": "1.0.0.0/8"}}])
        got = self.ec2.describe_security_group_rules(
            SecurityGroupRuleIds=[second])["SecurityGroupRules"][0]
        self.assertEqual(got["FromPort"], 80)

    def test_rule_tags_and_describe_rules_filters_and_pages(self):
        out = self.ec2.authorize_security_group_ingress(
            GroupId=self.gid, IpPermissions=[tcp(p, "10.0.0.0/8") for p in range(1, 7)],
            TagSpecifications=[{"ResourceType": "security-group-rule",
                                "Tags": [{"Key": "batch", "Value": "one"}]}])
        ids = [r["SecurityGroupRuleId"] for r in out["SecurityGroupRules"]]
        self.assertEqual(out["SecurityGroupRules"][0]["Tags"], [{"Key": "batch", "Value": "one"}])
        self.ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": "special", "Value": "yes"}])
        got = self.ec2.describe_security_group_rules(
            Filters=[{"Name": "tag:special", "Values": ["yes"]}])["SecurityGroupRules"]
        self.assertEqual([r["SecurityGroupRuleId"] for r in got], [ids[0]])
        got = self.ec2.describe_security_group_rules(
            Filters=[{"Name": "security-group-rule-id", "Values": ids[:2]}])["SecurityGroupRules"]
        self.assertEqual(sorted(r["SecurityGroupRuleId"] for r in got), sorted(ids[:2]))
        seen, token = [], None
        f = [{"Name": "group-id", "Values": [self.gid]}]
        while True:
            kw = {"Filters": f, "MaxResults": 5}
            if token:
                kw["NextToken"] = token
            page = self.ec2.describe_security_group_rules(**kw)
            self.assertLessEqual(len(page["SecurityGroupRules"]), 5)
            seen += [r["SecurityGroupRuleId"] for r in page["SecurityGroupRules"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(len(seen), 7)  # six ingress + the default egress
        self.assertEqual(len(set(seen)), 7)
        self.assertAwsError("InvalidSecurityGroupRuleId.NotFound",
                            self.ec2.describe_security_group_rules,
                            SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
        self.assertAwsError("InvalidSecurityGroupRuleId.Malformed",
                            self.ec2.describe_security_group_rules,
                            SecurityGroupRuleIds=["nope"])

    def test_dry_run_changes_nothing(self):
        before = self.rules(self.gid)
        self.assertAwsError("DryRunOperation", self.ec2.authorize_security_group_ingress,
                            GroupId=self.gid, IpPermissions=[tcp(22, "10.0.0.0/8")], DryRun=True)
        self.assertEqual(self.rules(self.gid), before)

if __name__ == "__main__":
    unittest.main()
