"""Network ACLs: create/delete, entries (create/replace/delete and their
rules), the implicit "*" rules, subnet associations, filters, pagination."""
import unittest

from harness import ServerTestCase


class NetworkAclTestBase(ServerTestCase):
    def make_vpc(self, cidr, ipv6=False):
        return self.ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=ipv6)["Vpc"]["VpcId"]

    def make_acl(self, vpc_id, **kw):
        return self.ec2.create_network_acl(VpcId=vpc_id, **kw)["NetworkAcl"]["NetworkAclId"]

    def acl(self, acl_id):
        return self.ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]

    def entries(self, acl_id):
        return [(e["Egress"], e["RuleNumber"], e["RuleAction"], e.get("CidrBlock") or
                 e.get("Ipv6CidrBlock")) for e in self.acl(acl_id)["Entries"]]

    def add(self, acl_id, number, egress=False, protocol="-1", cidr="10.0.0.0/8", action="allow",
            client=None, **kw):
        (client or self.ec2).create_network_acl_entry(
            NetworkAclId=acl_id, RuleNumber=number, Egress=egress, Protocol=protocol,
            RuleAction=action, CidrBlock=cidr, **kw)


class NetworkAclTest(NetworkAclTestBase):
    def test_create_entries_and_delete_with_cli(self):
        vpc = self.make_vpc("10.1.0.0/16")
        out = self.aws("ec2", "create-network-acl", "--vpc-id", vpc, "--tag-specifications",
                       "ResourceType=network-acl,Tags=[{Key=Name,Value=cli}]")
        acl = out["NetworkAcl"]
        acl_id = acl["NetworkAclId"]
        self.assertRegex(acl_id, r"^acl-[0-9a-f]{17}$")
        self.assertFalse(acl["IsDefault"])
        self.assertEqual(acl["Associations"], [])
        # A new ACL denies everything: only the implicit "*" rules.
        self.assertEqual([(e["Egress"], e["RuleNumber"], e["RuleAction"]) for e in acl["Entries"]],
                         [(True, 32767, "deny"), (False, 32767, "deny")])
        # The CLI turns "tcp" into protocol number 6 before sending.
        self.aws("ec2", "create-network-acl-entry", "--network-acl-id", acl_id, "--ingress",
                 "--rule-number", "100", "--protocol", "tcp", "--port-range", "From=22,To=22",
                 "--cidr-block", "203.0.113.0/24", "--rule-action", "allow")
        self.aws("ec2", "create-network-acl-entry", "--network-acl-id", acl_id, "--egress",
                 "--rule-number", "100", "--protocol", "all", "--cidr-block", "0.0.0.0/0",
                 "--rule-action", "allow")
        got = self.aws("ec2", "describe-network-acls", "--network-acl-ids", acl_id)
        entries = got["NetworkAcls"][0]["Entries"]
        ssh = [e for e in entries if not e["Egress"] and e["RuleNumber"] == 100][0]
        self.assertEqual(ssh["Protocol"], "6")
        self.assertEqual(ssh["PortRange"], {"From": 22, "To": 22})
        self.assertEqual(got["NetworkAcls"][0]["Tags"], [{"Key": "Name", "Value": "cli"}])
        self.aws("ec2", "replace-network-acl-entry", "--network-acl-id", acl_id, "--ingress",
                 "--rule-number", "100", "--protocol", "udp", "--port-range", "From=53,To=53",
                 "--cidr-block", "203.0.113.0/24", "--rule-action", "deny")
        self.aws("ec2", "delete-network-acl-entry", "--network-acl-id", acl_id, "--egress",
                 "--rule-number", "100")
        self.assertEqual(self.entries(acl_id), [(True, 32767, "deny", "0.0.0.0/0"),
                                                (False, 100, "deny", "203.0.113.0/24"),
                                                (False, 32767, "deny", "0.0.0.0/0")])
        self.aws("ec2", "delete-network-acl", "--network-acl-id", acl_id)
        self.assertCliError("InvalidNetworkAclID.NotFound", "ec2", "describe-network-acls",
                            "--network-acl-ids", acl_id)

    def test_default_acl_allows_all_and_cannot_be_deleted(self):
        vpc = self.make_vpc("10.2.0.0/16", ipv6=True)
        acls = self.ec2.describe_network_acls(
            Filters=[{"Name": "vpc-id", "Values": [vpc]},
                     {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
        self.assertEqual(len(acls), 1)
        acl_id = acls[0]["NetworkAclId"]
        self.assertEqual(self.entries(acl_id), [
            (True, 100, "allow", "0.0.0.0/0"), (True, 101, "allow", "::/0"),
            (True, 32767, "deny", "0.0.0.0/0"), (True, 32767, "deny", "::/0"),
            (False, 100, "allow", "0.0.0.0/0"), (False, 101, "allow", "::/0"),
            (False, 32767, "deny", "0.0.0.0/0"), (False, 32767, "deny", "::/0")])
        self.assertAwsError("InvalidParameterValue", self.ec2.delete_network_acl,
                            NetworkAclId=acl_id)
        custom = self.make_acl(vpc)
        self.assertEqual(len(self.entries(custom)), 4)  # IPv4 and IPv6 "*" both ways

    def test_entry_rules(self):
        vpc = self.make_vpc("10.3.0.0/16")
        acl = self.make_acl(vpc)
        raw = self.client(validate=False)
        self.add(acl, 100)
        cases = [
            ("NetworkAclEntryAlreadyExists", dict(number=100, cidr="10.9.0.0/16")),
            ("InvalidParameterValue", dict(number=0)),
            ("InvalidParameterValue", dict(number=32767)),
            ("InvalidParameterValue", dict(number=1, protocol="tcp")),
            ("InvalidParameterValue", dict(number=1, protocol="300")),
            ("InvalidParameterValue", dict(number=1, action="permit")),
            ("InvalidParameterValue", dict(number=1, cidr="10.0.0.1/8")),
            ("InvalidParameterValue", dict(number=1, cidr="banana")),
            ("MissingParameter", dict(number=1, protocol="6")),
            ("MissingParameter", dict(number=1, protocol="1")),
            ("InvalidParameterValue", dict(number=1, protocol="6",
                                           PortRange={"From": 90, "To": 80})),
            ("InvalidParameterCombination", dict(number=1, Ipv6CidrBlock="::/0")),
        ]
        for code, kw in cases:
            with self.subTest(kw=kw):
                self.assertAwsError(code, self.add, acl, client=raw, **kw)
        self.assertAwsError("InvalidNetworkAclID.NotFound", self.add, "acl-0123456789abcdef0", 1)
        self.assertAwsError("InvalidNetworkAclEntry.NotFound", self.ec2.replace_network_acl_entry,
                            NetworkAclId=acl, RuleNumber=200, Egress=False, Protocol="-1",
                            RuleAction="deny", CidrBlock="10.0.0.0/8")
        self.assertAwsError("InvalidNetworkAclEntry.NotFound", self.ec2.delete_network_acl_entry,
                            NetworkAclId=acl, RuleNumber=100, Egress=True)
        self.assertEqual(self.entries(acl), [(True, 32767, "deny", "0.0.0.0/0"),
                                             (False, 100, "allow", "10.0.0.0/8"),
                                             (False, 32767, "deny", "0.0.0.0/0")])
        # Same number in the other direction, ICMP with type and code, IPv6.
        self.add(acl, 100, egress=True)
        self.add(acl, 110, protocol="1", IcmpTypeCode={"Type": 8, "Code": -1})
        self.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=120, Egress=False,
                                          Protocol="58", RuleAction="allow",
                                          Ipv6CidrBlock="2001:db8::/32",
                                          IcmpTypeCode={"Type": 128, "Code": 0})
        entries = {(e["Egress"], e["RuleNumber"]): e for e in self.acl(acl)["Entries"]}
        self.assertEqual(entries[(False, 110)]["IcmpTypeCode"], {"Type": 8, "Code": -1})
        self.assertEqual(entries[(False, 120)]["Ipv6CidrBlock"], "2001:db8::/32")

    def test_entry_limit_per_direction(self):
        acl = self.make_acl(self.make_vpc("10.4.0.0/16"))
        for n in range(1, 21):
            self.add(acl, n)
        self.assertAwsError("NetworkAclEntryLimitExceeded", self.add, acl, 21)
        self.add(acl, 21, egress=True)
        self.assertEqual(len(self.acl(acl)["Entries"]), 21 + 2)

    def test_replace_association_moves_subnet(self):
        vpc = self.make_vpc("10.5.0.0/16")
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/24")["Subnet"]["SubnetId"]
        default = self.ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
        self.assertEqual(len(default), 1)
        self.assertTrue(default[0]["IsDefault"])
        old = default[0]["Associations"][0]
        self.assertEqual(old["SubnetId"], subnet)
        self.assertRegex(old["NetworkAclAssociationId"], r"^aclassoc-[0-9a-f]{17}$")
        acl = self.make_acl(vpc)
        out = self.aws("ec2", "replace-network-acl-association", "--association-id",
                       old["NetworkAclAssociationId"], "--network-acl-id", acl)
        new_id = out["NewAssociationId"]
        self.assertNotEqual(new_id, old["NetworkAclAssociationId"])
        got = self.acl(acl)["Associations"]
        self.assertEqual(got, [{"NetworkAclAssociationId": new_id, "NetworkAclId": acl,
                                "SubnetId": subnet}])
        self.assertEqual(self.acl(default[0]["NetworkAclId"])["Associations"], [])
        found = self.ec2.describe_network_acls(Filters=[
            {"Name": "association.association-id", "Values": [new_id]}])["NetworkAcls"]
        self.assertEqual([a["NetworkAclId"] for a in found], [acl])
        self.assertAwsError("InvalidAssociationID.NotFound",
                            self.ec2.replace_network_acl_association,
                            AssociationId=old["NetworkAclAssociationId"], NetworkAclId=acl)
        self.assertAwsError("DependencyViolation", self.ec2.delete_network_acl, NetworkAclId=acl)
        back = self.ec2.replace_network_acl_association(
            AssociationId=new_id, NetworkAclId=default[0]["NetworkAclId"])["NewAssociationId"]
        self.assertNotEqual(back, new_id)
        self.ec2.delete_network_acl(NetworkAclId=acl)

    def test_acl_of_another_vpc_cannot_take_subnet(self):
        vpc = self.make_vpc("10.6.0.0/16")
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.6.1.0/24")["Subnet"]["SubnetId"]
        assoc = self.ec2.describe_network_acls(Filters=[
            {"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0][
                "Associations"][0]["NetworkAclAssociationId"]
        other = self.make_acl(self.make_vpc("10.7.0.0/16"))
        self.assertAwsError("InvalidParameterValue", self.ec2.replace_network_acl_association,
                            AssociationId=assoc, NetworkAclId=other)
        self.assertAwsError("InvalidNetworkAclID.NotFound",
                            self.ec2.replace_network_acl_association, AssociationId=assoc,
                            NetworkAclId="acl-0123456789abcdef0")
        still = self.ec2.describe_network_acls(Filters=[
            {"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
        self.assertEqual(still["Associations"][0]["NetworkAclAssociationId"], assoc)

    def test_describe_filters(self):
        vpc = self.make_vpc("10.8.0.0/16")
        a = self.make_acl(vpc, TagSpecifications=[{"ResourceType": "network-acl",
                                                   "Tags": [{"Key": "Name", "Value": "a"}]}])
        b = self.make_acl(vpc)
        self.add(a, 150, protocol="6", cidr="192.168.0.0/16", PortRange={"From": 443, "To": 443})
        self.add(b, 160, egress=True, action="deny")

        def ids(*filters):
            f = [{"Name": "vpc-id", "Values": [vpc]}] + [
                {"Name": n, "Values": v} for n, v in filters]
            return sorted(x["NetworkAclId"] for x in self.ec2.describe_network_acls(
                Filters=f)["NetworkAcls"])

        self.assertEqual(len(ids()), 3)
        self.assertEqual(ids(("default", ["false"])), sorted([a, b]))
        self.assertEqual(ids(("network-acl-id", [a])), [a])
        self.assertEqual(ids(("entry.rule-number", ["150"])), [a])
        self.assertEqual(ids(("entry.cidr", ["192.168.0.0/16"])), [a])
        self.assertEqual(ids(("entry.port-range.from", ["443"])), [a])
        self.assertEqual(ids(("entry.protocol", ["6"])), [a])
        self.assertEqual(ids(("entry.rule-number", ["160"]), ("entry.egress", ["true"])), [b])
        self.assertEqual(ids(("tag:Name", ["a"])), [a])
        self.assertEqual(ids(("owner-id", ["123456789012"]), ("default", ["false"])),
                         sorted([a, b]))
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_network_acls,
                            Filters=[{"Name": "bogus", "Values": ["x"]}])

    def test_describe_pagination(self):
        vpc = self.make_vpc("10.9.0.0/16")
        made = {self.make_acl(vpc) for _ in range(6)}
        seen, token, pages = [], None, 0
        while True:
            kw = {"Filters": [{"Name": "vpc-id", "Values": [vpc]}], "MaxResults": 5}
            if token:
                kw["NextToken"] = token
            page = self.ec2.describe_network_acls(**kw)
            pages += 1
            seen += [x["NetworkAclId"] for x in page["NetworkAcls"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 2)
        self.assertEqual(len(seen), 7)
        self.assertTrue(made <= set(seen))

    def test_vpc_with_custom_acl_cannot_be_deleted(self):
        vpc = self.make_vpc("10.10.0.0/16")
        acl = self.make_acl(vpc)
        self.assertAwsError("DependencyViolation", self.ec2.delete_vpc, VpcId=vpc)
        self.ec2.delete_network_acl(NetworkAclId=acl)
        self.ec2.delete_vpc(VpcId=vpc)
        self.assertEqual(self.ec2.describe_network_acls(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"], [])

    def test_acls_survive_restart(self):
        vpc = self.make_vpc("10.11.0.0/16")
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.11.1.0/24")["Subnet"]["SubnetId"]
        acl = self.make_acl(vpc)
        self.add(acl, 100, protocol="17", PortRange={"From": 53, "To": 53})
        assoc = self.ec2.describe_network_acls(Filters=[
            {"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0][
                "Associations"][0]["NetworkAclAssociationId"]
        new_id = self.ec2.replace_network_acl_association(AssociationId=assoc,
                                                          NetworkAclId=acl)["NewAssociationId"]
        self.restart(kill=True)
        got = self.acl(acl)
        self.assertEqual(got["Associations"][0]["NetworkAclAssociationId"], new_id)
        self.assertEqual([e["RuleNumber"] for e in got["Entries"]], [32767, 100, 32767])
        self.assertEqual(got["Entries"][1]["PortRange"], {"From": 53, "To": 53})

    def test_dry_run_changes_nothing(self):
        vpc = self.make_vpc("10.12.0.0/16")
        before = len(self.ec2.describe_network_acls()["NetworkAcls"])
        self.assertAwsError("DryRunOperation", self.ec2.create_network_acl, VpcId=vpc,
                            DryRun=True)
        self.assertEqual(len(self.ec2.describe_network_acls()["NetworkAcls"]), before)


if __name__ == "__main__":
    unittest.main()
