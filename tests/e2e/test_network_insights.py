"""Reachability Analyzer end to end: network insights paths and analyses
through boto3 and the AWS CLI, against the real server."""
import datetime
import itertools

from harness import ServerTestCase

_cidrs = itertools.count(1)


class InsightsCase(ServerTestCase):
    """Topology helpers (no tests of its own)."""

    def vpc(self):
        """A fresh VPC 10.N.0.0/16 with subnets a (10.N.1.0/24) and b."""
        n = next(_cidrs)
        vpc = self.ec2.create_vpc(CidrBlock="10.%d.0.0/16" % n)["Vpc"]["VpcId"]
        a = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.%d.1.0/24" % n)["Subnet"]["SubnetId"]
        b = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.%d.2.0/24" % n)["Subnet"]["SubnetId"]
        return vpc, a, b

    def group(self, vpc, *ingress):
        """A security group allowing each (protocol, port, cidr) inbound."""
        gid = self.ec2.create_security_group(
            GroupName="g%d" % next(_cidrs), Description="test", VpcId=vpc)["GroupId"]
        for proto, port, cidr in ingress:
            self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{
                "IpProtocol": proto, "FromPort": port, "ToPort": port,
                "IpRanges": [{"CidrIp": cidr}]}])
        return gid

    def launch(self, subnet, group=None, public=False):
        nic = {"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": public}
        if group:
            nic["Groups"] = [group]
        inst = self.ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                      NetworkInterfaces=[nic])["Instances"][0]
        return inst["InstanceId"], inst["NetworkInterfaces"][0]["NetworkInterfaceId"]

    def default_acl(self, vpc):
        return self.ec2.describe_network_acls(Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]["NetworkAclId"]

    def acl_entry(self, vpc, number, egress, action, ports):
        self.ec2.create_network_acl_entry(
            NetworkAclId=self.default_acl(vpc), RuleNumber=number, Protocol="6",
            RuleAction=action, Egress=egress, CidrBlock="0.0.0.0/0",
            PortRange={"From": ports[0], "To": ports[1]})

    def gateway(self, vpc, route=True):
        igw = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        if route:
            rtb = self.ec2.describe_route_tables(Filters=[
                {"Name": "vpc-id", "Values": [vpc]},
                {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
            self.ec2.create_route(RouteTableId=rtb["RouteTableId"],
                                  DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        return igw

    def analyze(self, **path):
        """Creates the path, starts an analysis, returns the described analysis."""
        path.setdefault("Protocol", "tcp")
        nip = self.ec2.create_network_insights_path(**path)["NetworkInsightsPath"]
        started = self.ec2.start_network_insights_analysis(
            NetworkInsightsPathId=nip["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]
        self.assertEqual(started["Status"], "running")
        out = self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[started["NetworkInsightsAnalysisId"]])
        analysis = out["NetworkInsightsAnalyses"][0]
        self.assertEqual(analysis["Status"], "succeeded")
        return analysis

    @staticmethod
    def components(analysis, prefix, member, direction="ForwardPathComponents"):
        return [c for c in analysis.get(direction, [])
                if c["Component"]["Id"].startswith(prefix) and member in c]



class NetworkInsightsTest(InsightsCase):
    """Analyses inside a VPC; describe, delete and error flows."""

    def test_instance_to_instance_path_found_with_admitting_rules(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        web = self.group(vpc, ("tcp", 22, "10.0.0.0/8"))
        b, eni_b = self.launch(sb, web)
        an = self.analyze(Source=a, Destination=b, DestinationPort=22)
        self.assertTrue(an["NetworkPathFound"])
        fwd = an["ForwardPathComponents"]
        self.assertEqual([c["SequenceNumber"] for c in fwd], list(range(1, len(fwd) + 1)))
        self.assertEqual(fwd[0]["Component"]["Id"], a)
        self.assertEqual(fwd[0]["OutboundHeader"]["DestinationPortRanges"], [{"From": 22, "To": 22}])
        self.assertEqual(fwd[-1]["Component"]["Id"], b)
        self.assertIn(eni_b, [c["Component"]["Id"] for c in fwd])
        acl_in = [c for c in self.components(an, "acl-", "AclRule")
                  if not c["AclRule"]["Egress"]][0]
        self.assertEqual(acl_in["AclRule"]["RuleNumber"], 100)
        self.assertEqual(acl_in["AclRule"]["RuleAction"], "allow")
        self.assertEqual(acl_in["Component"]["Id"], self.default_acl(vpc))
        sg_in = [c for c in self.components(an, "sg-", "SecurityGroupRule")
                 if c["SecurityGroupRule"]["Direction"] == "ingress"][0]
        self.assertEqual(sg_in["Component"]["Id"], web)
        self.assertEqual(sg_in["SecurityGroupRule"]["Cidr"], "10.0.0.0/8")
        self.assertEqual(sg_in["SecurityGroupRule"]["Protocol"], "tcp")
        self.assertEqual(sg_in["SecurityGroupRule"]["PortRange"], {"From": 22, "To": 22})
        route = self.components(an, "rtb-", "RouteTableRoute")[0]["RouteTableRoute"]
        self.assertEqual((route["GatewayId"], route["State"]), ("local", "active"))
        self.assertTrue(an["ReturnPathComponents"])
        self.assertEqual(an["ReturnPathComponents"][0]["Component"]["Id"], b)
        self.assertNotIn("Explanations", an)

    def test_blocked_by_security_group(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        closed = self.group(vpc)
        b, eni_b = self.launch(sb, closed)
        an = self.analyze(Source=a, Destination=b, DestinationPort=22)
        self.assertFalse(an["NetworkPathFound"])
        self.assertNotIn("ForwardPathComponents", an)
        e = an["Explanations"][0]
        self.assertEqual(e["ExplanationCode"], "ENI_SG_RULES_MISMATCH")
        self.assertEqual(e["Direction"], "ingress")
        self.assertEqual([g["Id"] for g in e["SecurityGroups"]], [closed])
        self.assertEqual(e["NetworkInterface"]["Id"], eni_b)
        self.assertEqual((e["Subnet"]["Id"], e["Vpc"]["Id"]), (sb, vpc))

    def test_blocked_by_network_acl(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, _ = self.launch(sb)
        self.acl_entry(vpc, 90, False, "deny", (22, 22))
        an = self.analyze(Source=a, Destination=b, DestinationPort=22)
        self.assertFalse(an["NetworkPathFound"])
        e = an["Explanations"][0]
        self.assertEqual(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION")
        self.assertEqual(e["Acl"]["Id"], self.default_acl(vpc))
        self.assertEqual(e["AclRule"]["RuleNumber"], 90)
        self.assertEqual(e["AclRule"]["RuleAction"], "deny")
        self.assertFalse(e["AclRule"]["Egress"])
        self.assertEqual(e["Direction"], "ingress")
        # Another port is not denied by rule 90.
        self.assertTrue(self.analyze(Source=a, Destination=b, DestinationPort=80)["NetworkPathFound"])

    def test_return_path_blocked_by_stateless_acl(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, _ = self.launch(sb)
        self.acl_entry(vpc, 50, True, "deny", (1024, 65535))
        an = self.analyze(Source=a, Destination=b, DestinationPort=22)
        self.assertFalse(an["NetworkPathFound"])
        self.assertTrue(an["ForwardPathComponents"])
        self.assertNotIn("ReturnPathComponents", an)
        e = an["Explanations"][0]
        self.assertEqual(e["ExplanationCode"], "SUBNET_ACL_RESTRICTION")
        self.assertEqual(e["Direction"], "egress")
        self.assertEqual(e["AclRule"]["RuleNumber"], 50)

    def test_port_search_without_destination_port(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        alt = self.group(vpc, ("tcp", 8443, "0.0.0.0/0"))
        b, _ = self.launch(sb, alt)
        an = self.analyze(Source=a, Destination=b)
        self.assertTrue(an["NetworkPathFound"])
        header = an["ForwardPathComponents"][0]["OutboundHeader"]
        self.assertEqual(header["DestinationPortRanges"], [{"From": 8443, "To": 8443}])
        self.assertEqual(header["Protocol"], "6")
        udp = self.analyze(Source=a, Destination=b, Protocol="udp")
        self.assertFalse(udp["NetworkPathFound"])

    def test_destination_ip_without_destination_resource(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, eni_b = self.launch(sb)
        ip = self.ec2.describe_instances(InstanceIds=[b])[
            "Reservations"][0]["Instances"][0]["PrivateIpAddress"]
        raw = self.client(validate=False)  # this botocore still requires Destination
        nip = raw.create_network_insights_path(Source=a, DestinationIp=ip, Protocol="tcp",
                                               DestinationPort=80)["NetworkInsightsPath"]
        self.assertNotIn("Destination", nip)
        self.assertEqual(nip["DestinationIp"], ip)
        nia = raw.start_network_insights_analysis(
            NetworkInsightsPathId=nip["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]
        an = raw.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[nia["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
        self.assertTrue(an["NetworkPathFound"])
        self.assertEqual(an["ForwardPathComponents"][-1]["Component"]["Id"], eni_b)
        self.assertAwsError("MissingParameter", raw.create_network_insights_path,
                            Source=a, Protocol="tcp")

    def test_filter_at_source_members(self):
        # This botocore predates FilterAtSource: add its query members to the
        # request on the wire, as a newer SDK would send them.
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        two = self.group(vpc, ("tcp", 8080, "0.0.0.0/0"), ("tcp", 9090, "0.0.0.0/0"))
        b, _ = self.launch(sb, two)
        ip_b = self.ec2.describe_instances(InstanceIds=[b])[
            "Reservations"][0]["Instances"][0]["PrivateIpAddress"]
        extra = {"FilterAtSource.DestinationPortRange.FromPort": "9000",
                 "FilterAtSource.DestinationPortRange.ToPort": "9999",
                 "FilterAtSource.DestinationAddress": ip_b}
        raw = self.client(validate=False)
        raw.meta.events.register("before-sign.ec2.CreateNetworkInsightsPath",
                                 lambda request, **_: request.data.update(extra))
        nip = raw.create_network_insights_path(
            Source=a, Destination=b, Protocol="tcp")["NetworkInsightsPath"]["NetworkInsightsPathId"]
        listed = self.ec2.describe_network_insights_paths(Filters=[
            {"Name": "filter-at-source.destination-address", "Values": [ip_b]}])
        self.assertEqual([p["NetworkInsightsPathId"] for p in listed["NetworkInsightsPaths"]], [nip])
        nia = self.ec2.start_network_insights_analysis(
            NetworkInsightsPathId=nip)["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
        an = self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[nia])["NetworkInsightsAnalyses"][0]
        self.assertTrue(an["NetworkPathFound"])
        self.assertEqual(an["ForwardPathComponents"][0]["OutboundHeader"]["DestinationPortRanges"],
                         [{"From": 9090, "To": 9090}])
        self.assertAwsError("InvalidParameterCombination", raw.create_network_insights_path,
                            Source=a, Destination=b, Protocol="tcp", DestinationPort=22)
        extra["FilterAtSource.DestinationPortRange.FromPort"] = "10000"
        self.assertAwsError("InvalidParameterValue", raw.create_network_insights_path,
                            Source=a, Destination=b, Protocol="tcp")

    def test_analysis_fails_when_the_destination_is_gone(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        eni = self.ec2.create_network_interface(SubnetId=sb)["NetworkInterface"]["NetworkInterfaceId"]
        nip = self.ec2.create_network_insights_path(
            Source=a, Destination=eni, Protocol="tcp")["NetworkInsightsPath"]
        self.ec2.delete_network_interface(NetworkInterfaceId=eni)
        nia = self.ec2.start_network_insights_analysis(
            NetworkInsightsPathId=nip["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]
        an = self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[nia["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
        self.assertEqual(an["Status"], "failed")
        self.assertIn(eni, an["StatusMessage"])
        self.assertNotIn("NetworkPathFound", an)

    def test_filter_in_arns(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, eni_b = self.launch(sb)
        nip = self.ec2.create_network_insights_path(
            Source=a, Destination=b, Protocol="tcp", DestinationPort=22)["NetworkInsightsPath"]
        arn = "arn:aws:ec2:us-east-1:123456789012:network-interface/" + eni_b
        ok = self.ec2.start_network_insights_analysis(
            NetworkInsightsPathId=nip["NetworkInsightsPathId"], FilterInArns=[arn])
        ok = self.ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[
            ok["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
        self.assertTrue(ok["NetworkPathFound"])
        self.assertEqual(ok["FilterInArns"], [arn])
        igw_arn = "arn:aws:ec2:us-east-1:123456789012:internet-gateway/igw-0123456789abcdef0"
        no = self.ec2.start_network_insights_analysis(
            NetworkInsightsPathId=nip["NetworkInsightsPathId"], FilterInArns=[igw_arn])
        no = self.ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[
            no["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
        self.assertFalse(no["NetworkPathFound"])
        self.assertEqual(no["Explanations"][0]["ExplanationCode"], "COMPONENT_FILTER_RESTRICTION")
        self.assertAwsError("InvalidParameterValue", self.ec2.start_network_insights_analysis,
                            NetworkInsightsPathId=nip["NetworkInsightsPathId"],
                            FilterInArns=["not-an-arn"])

    # --- describe, delete, errors ------------------------------------------

    def paths_for(self, source):
        return self.ec2.describe_network_insights_paths(
            Filters=[{"Name": "source", "Values": [source]}])["NetworkInsightsPaths"]

    def test_describe_paths_filters_and_pagination(self):
        vpc, sa, sb = self.vpc()
        a, eni_a = self.launch(sa)
        b, _ = self.launch(sb)
        made = [self.ec2.create_network_insights_path(
            Source=a, Destination=b, Protocol=proto, DestinationPort=port,
            TagSpecifications=[{"ResourceType": "network-insights-path",
                                "Tags": [{"Key": "team", "Value": tag}]}])["NetworkInsightsPath"]
            for proto, port, tag in (("tcp", 22, "blue"), ("udp", 53, "red"), ("tcp", 443, "blue"))]
        ids = [p["NetworkInsightsPathId"] for p in made]
        self.assertTrue(all(i.startswith("nip-") and len(i) == 21 for i in ids))
        self.assertEqual(made[0]["NetworkInsightsPathArn"],
                         "arn:aws:ec2:us-east-1:123456789012:network-insights-path/" + ids[0])
        self.assertEqual(made[0]["SourceArn"], "arn:aws:ec2:us-east-1:123456789012:instance/" + a)
        self.assertEqual(made[0]["Tags"], [{"Key": "team", "Value": "blue"}])

        got = self.ec2.describe_network_insights_paths(NetworkInsightsPathIds=[ids[1]])
        self.assertEqual(got["NetworkInsightsPaths"][0]["Protocol"], "udp")
        self.assertEqual(got["NetworkInsightsPaths"][0]["DestinationPort"], 53)

        def ids_of(filters):
            out = self.ec2.describe_network_insights_paths(Filters=filters)
            return sorted(p["NetworkInsightsPathId"] for p in out["NetworkInsightsPaths"])

        src = {"Name": "source", "Values": [a]}
        self.assertEqual(ids_of([src]), sorted(ids))
        self.assertEqual(ids_of([src, {"Name": "protocol", "Values": ["tcp"]}]),
                         sorted([ids[0], ids[2]]))
        self.assertEqual(ids_of([src, {"Name": "destination-port", "Values": ["53"]}]), [ids[1]])
        self.assertEqual(ids_of([{"Name": "destination", "Values": [b]}]), sorted(ids))
        self.assertEqual(ids_of([src, {"Name": "tag:team", "Values": ["blue"]}]),
                         sorted([ids[0], ids[2]]))
        self.assertEqual(ids_of([{"Name": "source", "Values": [eni_a]}]), [])

        seen, token = [], None
        while True:
            kw = {"Filters": [src], "MaxResults": 1}
            if token:
                kw["NextToken"] = token
            page = self.ec2.describe_network_insights_paths(**kw)
            self.assertLessEqual(len(page["NetworkInsightsPaths"]), 1)
            seen += [p["NetworkInsightsPathId"] for p in page["NetworkInsightsPaths"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(seen), sorted(ids))
        pages = self.ec2.get_paginator("describe_network_insights_paths").paginate(
            Filters=[src], PaginationConfig={"PageSize": 2})
        self.assertEqual(sorted(p["NetworkInsightsPathId"] for page in pages
                                for p in page["NetworkInsightsPaths"]), sorted(ids))

        raw = self.client(validate=False)
        for bad in (0, 101):
            self.assertAwsError("InvalidParameterValue", raw.describe_network_insights_paths,
                                MaxResults=bad)
        self.assertAwsError("InvalidNetworkInsightsPathId.NotFound",
                            self.ec2.describe_network_insights_paths,
                            NetworkInsightsPathIds=["nip-0123456789abcdef0"])
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_network_insights_paths,
                            Filters=[{"Name": "no-such-filter", "Values": ["x"]}])

    def test_describe_analyses_filters_and_pagination(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, _ = self.launch(sb, self.group(vpc, ("tcp", 22, "0.0.0.0/0")))
        path = lambda port: self.ec2.create_network_insights_path(  # noqa: E731
            Source=a, Destination=b, Protocol="tcp", DestinationPort=port)["NetworkInsightsPath"]
        open_path, closed_path = path(22)["NetworkInsightsPathId"], path(25)["NetworkInsightsPathId"]
        start = lambda p: self.ec2.start_network_insights_analysis(  # noqa: E731
            NetworkInsightsPathId=p)["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
        found = [start(open_path), start(open_path)]
        lost = start(closed_path)

        def ids_of(**kw):
            out = self.ec2.describe_network_insights_analyses(**kw)["NetworkInsightsAnalyses"]
            return sorted(x["NetworkInsightsAnalysisId"] for x in out)

        self.assertEqual(ids_of(NetworkInsightsPathId=open_path), sorted(found))
        self.assertEqual(ids_of(NetworkInsightsPathId=closed_path), [lost])
        mine = found + [lost]
        self.assertEqual(ids_of(NetworkInsightsAnalysisIds=mine,
                                Filters=[{"Name": "path-found", "Values": ["false"]}]), [lost])
        self.assertEqual(ids_of(NetworkInsightsAnalysisIds=mine,
                                Filters=[{"Name": "status", "Values": ["succeeded"]}]), sorted(mine))
        self.assertEqual(ids_of(NetworkInsightsAnalysisIds=mine, NetworkInsightsPathId=open_path),
                         sorted(found))
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3650)
        self.assertEqual(ids_of(NetworkInsightsPathId=open_path, AnalysisStartTime=future), [])
        self.assertEqual(ids_of(NetworkInsightsPathId=open_path, AnalysisEndTime=future),
                         sorted(found))

        page = self.ec2.describe_network_insights_analyses(NetworkInsightsPathId=open_path,
                                                           MaxResults=1)
        self.assertEqual(len(page["NetworkInsightsAnalyses"]), 1)
        rest = self.ec2.describe_network_insights_analyses(
            NetworkInsightsPathId=open_path, MaxResults=1, NextToken=page["NextToken"])
        self.assertEqual(len(rest["NetworkInsightsAnalyses"]), 1)
        self.assertNotIn("NextToken", rest)
        self.assertNotEqual(page["NetworkInsightsAnalyses"][0]["NetworkInsightsAnalysisId"],
                            rest["NetworkInsightsAnalyses"][0]["NetworkInsightsAnalysisId"])

        self.assertAwsError("InvalidNetworkInsightsAnalysisId.NotFound",
                            self.ec2.describe_network_insights_analyses,
                            NetworkInsightsAnalysisIds=["nia-0123456789abcdef0"])
        self.assertAwsError("InvalidNetworkInsightsPathId.NotFound",
                            self.ec2.describe_network_insights_analyses,
                            NetworkInsightsPathId="nip-0123456789abcdef0")
        self.assertAwsError("InvalidParameterValue",
                            self.client(validate=False).describe_network_insights_analyses,
                            MaxResults=101)

    def test_delete_flows(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, _ = self.launch(sb)
        nip = self.ec2.create_network_insights_path(
            Source=a, Destination=b, Protocol="tcp")["NetworkInsightsPath"]["NetworkInsightsPathId"]
        nia = self.ec2.start_network_insights_analysis(
            NetworkInsightsPathId=nip)["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
        self.assertAwsError("DependencyViolation", self.ec2.delete_network_insights_path,
                            NetworkInsightsPathId=nip)
        self.assertEqual(len(self.ec2.describe_network_insights_paths(
            NetworkInsightsPathIds=[nip])["NetworkInsightsPaths"]), 1)
        out = self.ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=nia)
        self.assertEqual(out["NetworkInsightsAnalysisId"], nia)
        self.assertAwsError("InvalidNetworkInsightsAnalysisId.NotFound",
                            self.ec2.delete_network_insights_analysis,
                            NetworkInsightsAnalysisId=nia)
        out = self.ec2.delete_network_insights_path(NetworkInsightsPathId=nip)
        self.assertEqual(out["NetworkInsightsPathId"], nip)
        self.assertAwsError("InvalidNetworkInsightsPathId.NotFound",
                            self.ec2.delete_network_insights_path, NetworkInsightsPathId=nip)
        self.assertAwsError("InvalidNetworkInsightsPathId.NotFound",
                            self.ec2.start_network_insights_analysis, NetworkInsightsPathId=nip)

    def test_create_errors_change_nothing(self):
        vpc, sa, _ = self.vpc()
        a, eni = self.launch(sa)
        igw = self.gateway(vpc)
        before = len(self.ec2.describe_network_insights_paths()["NetworkInsightsPaths"])
        raw = self.client(validate=False)
        cases = [
            ("InvalidParameterValue", dict(Source=a, Destination=eni, Protocol="icmp")),
            ("MissingParameter", dict(Destination=eni, Protocol="tcp")),
            ("MissingParameter", dict(Source=a, Destination=eni)),
            ("InvalidInstanceID.NotFound",
             dict(Source=a, Destination="i-0123456789abcdef0", Protocol="tcp")),
            ("InvalidInstanceID.Malformed", dict(Source="i-xyz", Destination=eni, Protocol="tcp")),
            ("InvalidNetworkInterfaceID.NotFound",
             dict(Source="eni-0123456789abcdef0", Destination=a, Protocol="tcp")),
            ("InvalidInternetGatewayID.NotFound",
             dict(Source="igw-0123456789abcdef0", Destination=a, Protocol="tcp")),
            ("InvalidParameterValue", dict(Source=vpc, Destination=a, Protocol="tcp")),
            ("InvalidParameterValue", dict(Source=igw, Destination=igw, Protocol="tcp")),
            ("InvalidParameterValue", dict(Source=a, Destination=a, Protocol="tcp")),
            ("InvalidParameterValue",
             dict(Source=a, Destination=eni, Protocol="tcp", DestinationIp="not-an-ip")),
            ("InvalidParameterValue",
             dict(Source=a, Destination=eni, Protocol="tcp", DestinationIp="2600::1")),
            ("InvalidParameterValue",
             dict(Source="arn:aws:ec2:eu-west-1:123456789012:instance/" + a, Destination=eni,
                  Protocol="tcp")),
        ]
        for code, kw in cases:
            with self.subTest(code=code, kw=kw):
                self.assertAwsError(code, raw.create_network_insights_path, **kw)
        self.assertEqual(len(self.ec2.describe_network_insights_paths()["NetworkInsightsPaths"]),
                         before)
        # An ARN of this account and Region names the resource.
        arn = "arn:aws:ec2:us-east-1:123456789012:instance/" + a
        p = self.ec2.create_network_insights_path(Source=arn, Destination=igw, Protocol="TCP")
        self.assertEqual(p["NetworkInsightsPath"]["Source"], a)
        self.assertEqual(p["NetworkInsightsPath"]["Protocol"], "tcp")
        self.assertEqual(p["NetworkInsightsPath"]["DestinationArn"],
                         "arn:aws:ec2:us-east-1:123456789012:internet-gateway/" + igw)

    def test_client_token_and_dry_run(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, _ = self.launch(sb)
        kw = dict(Source=a, Destination=b, Protocol="tcp", ClientToken="nip-token-1")
        first = self.ec2.create_network_insights_path(**kw)["NetworkInsightsPath"]
        again = self.ec2.create_network_insights_path(**kw)["NetworkInsightsPath"]
        self.assertEqual(first["NetworkInsightsPathId"], again["NetworkInsightsPathId"])
        self.assertEqual(len(self.paths_for(a)), 1)
        self.assertAwsError("DryRunOperation", self.ec2.start_network_insights_analysis,
                            NetworkInsightsPathId=first["NetworkInsightsPathId"], DryRun=True)
        self.assertEqual(self.ec2.describe_network_insights_analyses(
            NetworkInsightsPathId=first["NetworkInsightsPathId"])["NetworkInsightsAnalyses"], [])

    def test_analyses_survive_restart(self):
        vpc, sa, sb = self.vpc()
        a, _ = self.launch(sa)
        b, _ = self.launch(sb)
        an = self.analyze(Source=a, Destination=b, DestinationPort=22)
        self.restart(kill=True)
        again = self.ec2.describe_network_insights_analyses(
            NetworkInsightsAnalysisIds=[an["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
        self.assertEqual(again, an)
        self.assertEqual(len(self.paths_for(a)), 1)


class GatewayPathsTest(InsightsCase):
    """Paths through internet gateways (a region holds only a few), and the
    AWS CLI flow."""
    in_memory = True

    def test_no_route_to_internet_gateway(self):
        vpc, sa, _ = self.vpc()
        igw = self.gateway(vpc, route=False)
        a, _ = self.launch(sa, public=True)
        an = self.analyze(Source=a, Destination=igw, DestinationPort=443)
        self.assertFalse(an["NetworkPathFound"])
        e = an["Explanations"][0]
        self.assertEqual(e["ExplanationCode"], "NO_ROUTE_TO_DESTINATION")
        self.assertTrue(e["RouteTable"]["Id"].startswith("rtb-"))

    def test_internet_gateway_to_instance_with_and_without_public_ip(self):
        vpc, sa, _ = self.vpc()
        igw = self.gateway(vpc)
        ssh = self.group(vpc, ("tcp", 22, "0.0.0.0/0"))
        pub, eni = self.launch(sa, ssh, public=True)
        priv, _ = self.launch(sa, ssh, public=False)
        an = self.analyze(Source=igw, Destination=pub, DestinationPort=22)
        self.assertTrue(an["NetworkPathFound"])
        first = an["ForwardPathComponents"][0]
        self.assertEqual(first["Component"]["Id"], igw)
        ip = self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddresses"][0]
        self.assertEqual(first["InboundHeader"]["DestinationAddresses"],
                         [ip["Association"]["PublicIp"] + "/32"])
        self.assertEqual(first["OutboundHeader"]["DestinationAddresses"],
                         [ip["PrivateIpAddress"] + "/32"])
        self.assertEqual(an["ReturnPathComponents"][-1]["Component"]["Id"], igw)

        an = self.analyze(Source=igw, Destination=priv, DestinationPort=22)
        self.assertFalse(an["NetworkPathFound"])
        e = an["Explanations"][0]
        self.assertEqual(e["InternetGateway"]["Id"], igw)
        self.assertEqual(e["Direction"], "ingress")
        self.assertTrue(e["ExplanationCode"])

    def test_gateway_of_another_vpc(self):
        vpc, sa, _ = self.vpc()
        other, _, _ = self.vpc()
        igw = self.gateway(other)
        b, _ = self.launch(sa, public=True)
        an = self.analyze(Source=igw, Destination=b, DestinationPort=22)
        self.assertFalse(an["NetworkPathFound"])
        self.assertEqual(an["Explanations"][0]["ExplanationCode"], "BAD_STATE_ATTACHMENT")
        self.assertEqual(an["Explanations"][0]["Vpc"]["Id"], vpc)

    # --- the AWS CLI --------------------------------------------------------

    def test_cli_flow(self):
        vpc, sa, _ = self.vpc()
        igw = self.gateway(vpc)
        ssh = self.group(vpc, ("tcp", 22, "0.0.0.0/0"))
        inst, _ = self.launch(sa, ssh, public=True)
        path = self.aws("ec2", "create-network-insights-path", "--source", igw,
                        "--destination", inst, "--protocol", "TCP", "--destination-port", "22",
                        "--tag-specifications",
                        "ResourceType=network-insights-path,Tags=[{Key=Name,Value=ssh}]"
                        )["NetworkInsightsPath"]
        nip = path["NetworkInsightsPathId"]
        self.assertEqual((path["Source"], path["Destination"], path["Protocol"]),
                         (igw, inst, "tcp"))
        started = self.aws("ec2", "start-network-insights-analysis",
                           "--network-insights-path-id", nip)["NetworkInsightsAnalysis"]
        self.assertEqual(started["Status"], "running")
        nia = started["NetworkInsightsAnalysisId"]
        out = self.aws("ec2", "describe-network-insights-analyses",
                       "--network-insights-analysis-ids", nia)["NetworkInsightsAnalyses"][0]
        self.assertEqual(out["Status"], "succeeded")
        self.assertTrue(out["NetworkPathFound"])
        self.assertEqual(out["ForwardPathComponents"][0]["Component"]["Id"], igw)
        listed = self.aws("ec2", "describe-network-insights-paths",
                          "--filters", "Name=tag:Name,Values=ssh")["NetworkInsightsPaths"]
        self.assertEqual([p["NetworkInsightsPathId"] for p in listed], [nip])
        err = self.assertCliError("DependencyViolation", "ec2", "delete-network-insights-path",
                                  "--network-insights-path-id", nip)
        self.assertIn(nip, err.stderr)
        self.aws("ec2", "delete-network-insights-analysis", "--network-insights-analysis-id", nia)
        deleted = self.aws("ec2", "delete-network-insights-path", "--network-insights-path-id", nip)
        self.assertEqual(deleted["NetworkInsightsPathId"], nip)
        self.assertCliError("InvalidNetworkInsightsPathId.NotFound", "ec2",
                            "describe-network-insights-paths", "--network-insights-path-ids", nip)
