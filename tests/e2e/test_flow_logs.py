"""VPC Flow Logs API: CreateFlowLogs / DescribeFlowLogs / DeleteFlowLogs
through boto3 and the AWS CLI: destinations, formats, per-resource
Unsuccessful items, whole-request errors, filters, pagination, DryRun,
ClientToken and persistence. (Records produced by live traffic are tested
by the live-mode tests.)"""
import datetime
import unittest

from harness import ServerTestCase, client

ROLE = "arn:aws:iam::123456789012:role/flow-logs"
DEFAULT_FORMAT = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} "
                  "${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} "
                  "${log-status}")


class FlowLogTestBase(ServerTestCase):
    in_memory = True

    def vpc(self, cidr="10.60.0.0/16"):
        vid = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        self.addCleanup(self.ec2.delete_vpc, VpcId=vid)
        return vid

    def subnet(self, vid, cidr):
        sid = self.ec2.create_subnet(VpcId=vid, CidrBlock=cidr)["Subnet"]["SubnetId"]
        self.addCleanup(self.ec2.delete_subnet, SubnetId=sid)
        return sid

    def eni(self, sid):
        eid = self.ec2.create_network_interface(SubnetId=sid)["NetworkInterface"][
            "NetworkInterfaceId"]
        self.addCleanup(self.ec2.delete_network_interface, NetworkInterfaceId=eid)
        return eid

    def create(self, resource_ids, resource_type="VPC", group="flows", **kw):
        args = dict(ResourceIds=resource_ids, ResourceType=resource_type, TrafficType="ALL")
        if group is not None and kw.get("LogDestinationType", "cloud-watch-logs") == \
                "cloud-watch-logs" and "LogDestination" not in kw:
            args.update(LogGroupName=group, DeliverLogsPermissionArn=ROLE)
        args.update(kw)
        out = self.ec2.create_flow_logs(**args)
        for fid in out["FlowLogIds"]:
            self.addCleanup(self.ec2.delete_flow_logs, FlowLogIds=[fid])
        return out

    def get(self, fid):
        return self.ec2.describe_flow_logs(FlowLogIds=[fid])["FlowLogs"][0]

    def count(self):
        return len(self.ec2.describe_flow_logs()["FlowLogs"])


class LifecycleTest(FlowLogTestBase):
    def test_create_describe_delete_with_cli(self):
        vid = self.vpc()
        out = self.aws("ec2", "create-flow-logs", "--resource-type", "VPC", "--resource-ids", vid,
                       "--traffic-type", "ALL", "--log-group-name", "cli-flows",
                       "--deliver-logs-permission-arn", ROLE, "--tag-specifications",
                       "ResourceType=vpc-flow-log,Tags=[{Key=Name,Value=cli}]")
        self.assertEqual(out.get("Unsuccessful", []), [])
        self.assertEqual(len(out["FlowLogIds"]), 1)
        fid = out["FlowLogIds"][0]
        self.assertRegex(fid, r"^fl-[0-9a-f]{17}$")

        got = self.aws("ec2", "describe-flow-logs", "--flow-log-ids", fid)["FlowLogs"]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["ResourceId"], vid)
        self.assertEqual(got[0]["LogGroupName"], "cli-flows")
        self.assertEqual(got[0]["Tags"], [{"Key": "Name", "Value": "cli"}])

        out = self.aws("ec2", "delete-flow-logs", "--flow-log-ids", fid)
        self.assertEqual(out.get("Unsuccessful", []), [])
        self.assertEqual(self.aws("ec2", "describe-flow-logs", "--flow-log-ids", fid)["FlowLogs"],
                         [])

    def test_cloud_watch_flow_log_shape(self):
        vid = self.vpc()
        fid = self.create([vid], TagSpecifications=[
            {"ResourceType": "vpc-flow-log", "Tags": [{"Key": "team", "Value": "net"}]}])[
            "FlowLogIds"][0]
        f = self.get(fid)
        self.assertEqual(f["FlowLogId"], fid)
        self.assertEqual(f["ResourceId"], vid)
        self.assertEqual(f["TrafficType"], "ALL")
        self.assertEqual(f["FlowLogStatus"], "ACTIVE")
        self.assertEqual(f["DeliverLogsStatus"], "SUCCESS")
        self.assertEqual(f["LogDestinationType"], "cloud-watch-logs")
        self.assertEqual(f["LogGroupName"], "flows")
        self.assertEqual(f["LogDestination"],
                         "arn:aws:logs:us-east-1:123456789012:log-group:flows")
        self.assertEqual(f["DeliverLogsPermissionArn"], ROLE)
        self.assertEqual(f["LogFormat"], DEFAULT_FORMAT)
        self.assertEqual(f["MaxAggregationInterval"], 600)
        self.assertIsInstance(f["CreationTime"], datetime.datetime)
        self.assertEqual(f["Tags"], [{"Key": "team", "Value": "net"}])
        self.assertNotIn("DestinationOptions", f)

    def test_s3_destination_with_custom_format(self):
        vid = self.vpc()
        fmt = "${srcaddr} ${dstaddr} ${action} ${vpc-id}"
        fid = self.create([vid], group=None, LogDestinationType="s3",
                          LogDestination="arn:aws:s3:::flow-bucket/vpc/", LogFormat=fmt,
                          MaxAggregationInterval=60, TrafficType="REJECT",
                          DestinationOptions={"FileFormat": "parquet",
                                              "PerHourPartition": True})["FlowLogIds"][0]
        f = self.get(fid)
        self.assertEqual(f["LogDestinationType"], "s3")
        self.assertEqual(f["LogDestination"], "arn:aws:s3:::flow-bucket/vpc/")
        self.assertNotIn("LogGroupName", f)
        self.assertEqual(f["LogFormat"], fmt)
        self.assertEqual(f["MaxAggregationInterval"], 60)
        self.assertEqual(f["TrafficType"], "REJECT")
        self.assertEqual(f["DestinationOptions"], {"FileFormat": "parquet",
                                                   "HiveCompatiblePartitions": False,
                                                   "PerHourPartition": True})

    def test_subnet_and_network_interface_resources(self):
        vid = self.vpc()
        sid = self.subnet(vid, "10.60.1.0/24")
        eid = self.eni(sid)
        on_subnet = self.create([sid], "Subnet")["FlowLogIds"][0]
        on_eni = self.create([eid], "NetworkInterface", TrafficType="ACCEPT")["FlowLogIds"][0]
        self.assertEqual(self.get(on_subnet)["ResourceId"], sid)
        self.assertEqual(self.get(on_eni)["ResourceId"], eid)
        self.assertEqual(self.get(on_eni)["TrafficType"], "ACCEPT")

    def test_several_resources_in_one_call(self):
        a, b = self.vpc("10.61.0.0/16"), self.vpc("10.62.0.0/16")
        out = self.create([a, b])
        self.assertEqual(len(out["FlowLogIds"]), 2)
        self.assertEqual({self.get(f)["ResourceId"] for f in out["FlowLogIds"]}, {a, b})


class UnsuccessfulTest(FlowLogTestBase):
    def test_unknown_resources_are_reported_per_resource(self):
        vid = self.vpc()
        missing = "vpc-0123456789abcdef0"
        out = self.create([vid, missing, "nonsense"])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(len(out["FlowLogIds"]), 1)
        errors = {u["ResourceId"]: u["Error"]["Code"] for u in out["Unsuccessful"]}
        self.assertEqual(errors, {missing: "InvalidVpcID.NotFound",
                                  "nonsense": "InvalidVpcID.Malformed"})
        msg = [u["Error"]["Message"] for u in out["Unsuccessful"] if u["ResourceId"] == missing]
        self.assertIn(missing, msg[0])

    def test_unknown_resource_with_cli(self):
        out = self.aws("ec2", "create-flow-logs", "--resource-type", "Subnet", "--resource-ids",
                       "subnet-0123456789abcdef0", "--traffic-type", "ALL", "--log-group-name",
                       "g", "--deliver-logs-permission-arn", ROLE)
        self.assertEqual(out["FlowLogIds"], [])
        self.assertEqual(out["Unsuccessful"][0]["Error"]["Code"], "InvalidSubnetID.NotFound")

    def test_identical_flow_log_already_exists(self):
        vid = self.vpc()
        self.create([vid])
        before = self.count()
        out = self.create([vid])
        self.assertEqual(out["FlowLogIds"], [])
        self.assertEqual(out["Unsuccessful"][0]["ResourceId"], vid)
        self.assertEqual(out["Unsuccessful"][0]["Error"]["Code"], "FlowLogAlreadyExists")
        self.assertEqual(self.count(), before)
        # Another traffic type or log group is another flow log.
        self.assertEqual(len(self.create([vid], TrafficType="REJECT")["FlowLogIds"]), 1)
        self.assertEqual(len(self.create([vid], group="other")["FlowLogIds"]), 1)

    def test_delete_reports_unknown_ids_and_deletes_the_rest(self):
        vid = self.vpc()
        fid = self.ec2.create_flow_logs(ResourceIds=[vid], ResourceType="VPC", TrafficType="ALL",
                                        LogGroupName="g", DeliverLogsPermissionArn=ROLE)[
            "FlowLogIds"][0]
        missing = "fl-0123456789abcdef0"
        out = self.ec2.delete_flow_logs(FlowLogIds=[missing, fid])
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(len(out["Unsuccessful"]), 1)
        self.assertEqual(out["Unsuccessful"][0]["ResourceId"], missing)
        self.assertEqual(out["Unsuccessful"][0]["Error"]["Code"], "InvalidFlowLogId.NotFound")
        self.assertEqual(self.ec2.describe_flow_logs(FlowLogIds=[fid])["FlowLogs"], [])

    def test_delete_unknown_with_cli(self):
        out = self.aws("ec2", "delete-flow-logs", "--flow-log-ids", "fl-00000000000000000")
        self.assertEqual(out["Unsuccessful"][0]["Error"]["Code"], "InvalidFlowLogId.NotFound")


class RequestErrorTest(FlowLogTestBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.raw = client(cls.server.endpoint, validate=False)  # bad input reaches the server

    def assertRejected(self, code, **kw):
        args = dict(ResourceIds=[self.vid], ResourceType="VPC", TrafficType="ALL",
                    LogGroupName="g", DeliverLogsPermissionArn=ROLE)
        args.update(kw)
        args = {k: v for k, v in args.items() if v is not None}
        before = self.count()
        e = self.assertAwsError(code, self.raw.create_flow_logs, **args)
        self.assertEqual(self.count(), before)
        return e

    def setUp(self):
        self.vid = self.vpc()

    def test_traffic_type(self):
        self.assertRejected("MissingParameter", TrafficType=None)
        self.assertRejected("InvalidParameterValue", TrafficType="SOME")

    def test_resource_type_and_ids(self):
        self.assertRejected("InvalidParameterValue", ResourceType="Vpc")
        self.assertRejected("MissingParameter", ResourceType=None)
        self.assertRejected("MissingParameter", ResourceIds=None)

    def test_aggregation_interval(self):
        self.assertRejected("InvalidParameter", MaxAggregationInterval=300)
        self.assertEqual(len(self.create([self.vid], MaxAggregationInterval=60)["FlowLogIds"]), 1)

    def test_log_format(self):
        self.assertRejected("InvalidParameterValue", LogFormat="${srcaddr} ")
        self.assertRejected("InvalidParameterValue", LogFormat="srcaddr dstaddr")
        e = self.assertRejected("InvalidParameter", LogFormat="${srcaddr} ${colour}")
        self.assertIn("${colour}", str(e))

    def test_cloud_watch_destination(self):
        self.assertRejected("InvalidParameter", DeliverLogsPermissionArn=None)
        self.assertRejected("InvalidParameter", LogGroupName=None)
        self.assertRejected(
            "InvalidParameter",
            LogDestination="arn:aws:logs:us-east-1:123456789012:log-group:g")  # both given
        self.assertRejected(
            "InvalidParameter", LogGroupName=None,
            LogDestination="arn:aws:logs:eu-west-1:123456789012:log-group:g")  # other region
        self.assertRejected("InvalidParameterValue", LogDestinationType="kafka")

    def test_s3_destination(self):
        s3 = dict(LogDestinationType="s3", LogGroupName=None, DeliverLogsPermissionArn=None)
        self.assertRejected("InvalidParameter", **s3)  # no LogDestination
        self.assertRejected("InvalidParameter", **dict(s3, LogGroupName="g",
                                                       LogDestination="arn:aws:s3:::bucket"))
        self.assertRejected("InvalidParameter", **dict(s3, LogDestination="arn:aws:s3:::B_ad"))
        self.assertRejected("InvalidParameter",
                            **dict(s3, LogDestination="arn:aws:s3:::bucket/AWSLogs/"))
        self.assertRejected("InvalidParameter", DestinationOptions={"FileFormat": "parquet"})

    def test_dry_run_creates_nothing(self):
        before = self.count()
        self.assertAwsError("DryRunOperation", self.ec2.create_flow_logs, DryRun=True,
                            ResourceIds=[self.vid], ResourceType="VPC", TrafficType="ALL",
                            LogGroupName="g", DeliverLogsPermissionArn=ROLE)
        self.assertEqual(self.count(), before)

    def test_client_token_makes_create_idempotent(self):
        kw = dict(ResourceIds=[self.vid], ResourceType="VPC", TrafficType="ALL",
                  LogGroupName="token", DeliverLogsPermissionArn=ROLE, ClientToken="fl-token-1")
        first = self.ec2.create_flow_logs(**kw)
        self.addCleanup(self.ec2.delete_flow_logs, FlowLogIds=first["FlowLogIds"])
        second = self.ec2.create_flow_logs(**kw)
        self.assertEqual(second["FlowLogIds"], first["FlowLogIds"])
        self.assertEqual(second["ClientToken"], "fl-token-1")
        self.assertEqual(second["Unsuccessful"], [])


class DescribeTest(FlowLogTestBase):
    def ids(self, *filters, **kw):
        if filters:
            kw["Filter"] = [{"Name": n, "Values": v} for n, v in filters]
        logs = self.ec2.describe_flow_logs(**kw)["FlowLogs"]
        return {f["FlowLogId"] for f in logs}

    def test_filters(self):
        vid = self.vpc()
        sid = self.subnet(vid, "10.60.2.0/24")
        on_vpc = self.create([vid], TagSpecifications=[
            {"ResourceType": "vpc-flow-log", "Tags": [{"Key": "team", "Value": "blue"}]}])[
            "FlowLogIds"][0]
        on_subnet = self.create([sid], "Subnet", group=None, TrafficType="REJECT",
                                LogDestinationType="s3",
                                LogDestination="arn:aws:s3:::flow-bucket")["FlowLogIds"][0]
        self.assertEqual(self.ids(("resource-id", [vid])), {on_vpc})
        self.assertEqual(self.ids(("resource-id", [vid, sid])), {on_vpc, on_subnet})
        self.assertEqual(self.ids(("traffic-type", ["REJECT"])), {on_subnet})
        self.assertEqual(self.ids(("log-destination-type", ["s3"])), {on_subnet})
        self.assertEqual(self.ids(("log-group-name", ["flows"])), {on_vpc})
        self.assertEqual(self.ids(("flow-log-id", [on_subnet])), {on_subnet})
        self.assertEqual(self.ids(("deliver-log-status", ["SUCCESS"])), {on_vpc, on_subnet})
        self.assertEqual(self.ids(("deliver-log-status", ["FAILED"])), set())
        self.assertEqual(self.ids(("tag:team", ["blue"])), {on_vpc})
        self.assertEqual(self.ids(("tag-key", ["team"])), {on_vpc})
        self.assertEqual(self.ids(("resource-id", [vid, sid]), ("traffic-type", ["ALL"])),
                         {on_vpc})
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_flow_logs,
                            Filter=[{"Name": "colour", "Values": ["x"]}])

    def test_filters_with_cli(self):
        vid = self.vpc()
        fid = self.create([vid])["FlowLogIds"][0]
        out = self.aws("ec2", "describe-flow-logs", "--filter", f"Name=resource-id,Values={vid}")
        self.assertEqual([f["FlowLogId"] for f in out["FlowLogs"]], [fid])

    def test_unknown_ids_match_nothing(self):
        vid = self.vpc()
        fid = self.create([vid])["FlowLogIds"][0]
        self.assertEqual(self.ids(FlowLogIds=["fl-0123456789abcdef0"]), set())
        self.assertEqual(self.ids(FlowLogIds=["fl-0123456789abcdef0", fid]), {fid})

    def test_pagination(self):
        vid = self.vpc()
        made = set()
        for i in range(5):
            made |= set(self.create([vid], group=f"page-{i}")["FlowLogIds"])
        first = self.ec2.describe_flow_logs(MaxResults=2)
        self.assertEqual(len(first["FlowLogs"]), 2)
        self.assertIn("NextToken", first)
        seen = set()
        for page in self.ec2.get_paginator("describe_flow_logs").paginate(
                PaginationConfig={"PageSize": 2}):
            self.assertLessEqual(len(page["FlowLogs"]), 2)
            ids = {f["FlowLogId"] for f in page["FlowLogs"]}
            self.assertFalse(ids & seen)
            seen |= ids
        self.assertTrue(made <= seen)
        out = self.aws("ec2", "describe-flow-logs", "--max-items", "3")
        self.assertEqual(len(out["FlowLogs"]), 3)
        self.assertAwsError("InvalidParameterValue", self.ec2.describe_flow_logs,
                            NextToken="garbage")


class PersistenceTest(FlowLogTestBase):
    in_memory = False

    def test_flow_logs_survive_a_restart(self):
        vid = self.ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
        fid = self.ec2.create_flow_logs(ResourceIds=[vid], ResourceType="VPC", TrafficType="ALL",
                                        LogGroupName="kept", DeliverLogsPermissionArn=ROLE,
                                        MaxAggregationInterval=60)["FlowLogIds"][0]
        self.restart()
        f = self.get(fid)
        self.assertEqual(f["ResourceId"], vid)
        self.assertEqual(f["MaxAggregationInterval"], 60)
        self.ec2.delete_flow_logs(FlowLogIds=[fid])
        self.restart()
        self.assertEqual(self.ec2.describe_flow_logs(FlowLogIds=[fid])["FlowLogs"], [])
        self.ec2.delete_vpc(VpcId=vid)


if __name__ == "__main__":
    unittest.main()
