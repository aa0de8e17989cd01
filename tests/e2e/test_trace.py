"""`minivpc trace`: the forward and return path of one packet, hop by hop,
with the explanation code of every kind of drop. The topology is built with
boto3; the trace runs as the real CLI against the real server."""
import json
import os
import subprocess
import unittest

from harness import BINARY, ServerTestCase


class TraceTest(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ec2 = cls.ec2
        cls.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        cls.pub = ec2.create_subnet(VpcId=cls.vpc, CidrBlock="10.0.0.0/24",
                                    AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        cls.priv = ec2.create_subnet(VpcId=cls.vpc, CidrBlock="10.0.1.0/24",
                                     AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        cls.igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=cls.igw, VpcId=cls.vpc)
        rt = ec2.create_route_table(VpcId=cls.vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rt, SubnetId=cls.pub)
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=cls.igw)
        cls.rt = rt
        sg = ec2.create_security_group(VpcId=cls.vpc, GroupName="web",
                                       Description="web")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
             "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        cls.sg = sg

        def run(subnet, ip, public):
            r = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                  NetworkInterfaces=[{
                                      "DeviceIndex": 0, "SubnetId": subnet,
                                      "PrivateIpAddress": ip, "Groups": [sg],
                                      "AssociatePublicIpAddress": public}])
            return r["Instances"][0]
        cls.web = run(cls.pub, "10.0.0.10", True)
        cls.nopub = run(cls.pub, "10.0.0.20", False)
        cls.inner = run(cls.priv, "10.0.1.10", False)

    def trace(self, *args):
        env = dict(os.environ, MINIVPC_ENDPOINT=self.server.endpoint)
        p = subprocess.run([BINARY, "trace", "--output", "json"] + list(args), env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(p.returncode == 0, out["reachable"])
        return out

    def code(self, out):
        seg = (out["forward"] if not out["forward"][-1]["delivered"] else out["return"])[-1]
        return seg.get("explanation_code")

    def test_text_output_names_every_hop(self):
        env = dict(os.environ, MINIVPC_ENDPOINT=self.server.endpoint)
        p = subprocess.run([BINARY, "trace", "--source", "internet", "--destination",
                            self.web["PublicIpAddress"], "--protocol", "tcp", "--port", "80"],
                           env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for word in ("internet-gateway", "network-acl", "security-group", "route-table",
                     "REACHABLE", "translated to 10.0.0.10"):
            self.assertIn(word, p.stdout)

    def test_internet_to_public_ip_both_ways_with_nat(self):
        out = self.trace("--source", "internet", "--destination", self.web["PublicIpAddress"],
                         "--port", "80")
        self.assertTrue(out["reachable"])
        fwd = out["forward"][0]
        self.assertEqual(fwd["destination_after"], "10.0.0.10")
        ret = out["return"][0]
        self.assertEqual(ret["source"], "10.0.0.10")
        self.assertEqual(ret["source_after"], self.web["PublicIpAddress"])

    def test_security_group_drop(self):
        out = self.trace("--source", "internet", "--destination", self.web["PublicIpAddress"],
                         "--port", "22")
        self.assertEqual(self.code(out), "ENI_SG_RULES_MISMATCH")

    def test_no_public_ip_drop(self):
        out = self.trace("--source", self.nopub["InstanceId"], "--destination", "198.51.100.7",
                         "--port", "443")
        self.assertEqual(self.code(out), "IGW_NO_PUBLIC_IP")

    def test_no_route_drop(self):
        out = self.trace("--source", self.inner["InstanceId"], "--destination", "198.51.100.7",
                         "--port", "443")
        self.assertEqual(self.code(out), "NO_ROUTE_TO_DESTINATION")

    def test_source_dest_check_drop(self):
        out = self.trace("--source", self.web["NetworkInterfaces"][0]["NetworkInterfaceId"],
                         "--source-ip", "10.0.0.99", "--destination", "10.0.0.20", "--port", "80")
        self.assertEqual(self.code(out), "ENI_SOURCE_DEST_CHECK_RESTRICTION")

    def test_acl_drop_on_the_return_path(self):
        acl = self.ec2.create_network_acl(VpcId=self.vpc)["NetworkAcl"]["NetworkAclId"]
        self.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                          RuleAction="allow", Egress=False,
                                          CidrBlock="10.0.0.0/16",
                                          PortRange={"From": 80, "To": 80})
        acls = self.ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [self.priv]}])["NetworkAcls"]
        assoc = [a for a in acls[0]["Associations"] if a["SubnetId"] == self.priv][0]
        new = self.ec2.replace_network_acl_association(
            AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)
        try:
            out = self.trace("--source", self.web["InstanceId"], "--destination", "10.0.1.10",
                             "--port", "80")
            self.assertTrue(out["forward"][-1]["delivered"])
            self.assertFalse(out["return"][-1]["delivered"])
            self.assertEqual(out["return"][-1]["explanation_code"], "SUBNET_ACL_RESTRICTION")
        finally:
            default = [a for a in self.ec2.describe_network_acls(
                Filters=[{"Name": "vpc-id", "Values": [self.vpc]},
                         {"Name": "default", "Values": ["true"]}])["NetworkAcls"]][0]
            self.ec2.replace_network_acl_association(
                AssociationId=new["NewAssociationId"], NetworkAclId=default["NetworkAclId"])

    def test_blackhole_and_stopped_instance(self):
        eni = self.ec2.create_network_interface(SubnetId=self.pub)["NetworkInterface"]
        self.ec2.create_route(RouteTableId=self.rt, DestinationCidrBlock="192.0.2.0/24",
                              NetworkInterfaceId=eni["NetworkInterfaceId"])
        self.ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
        out = self.trace("--source", self.web["InstanceId"], "--destination", "192.0.2.1",
                         "--port", "80")
        self.assertEqual(self.code(out), "BAD_STATE_ROUTE")
        self.ec2.stop_instances(InstanceIds=[self.nopub["InstanceId"]])
        out = self.trace("--source", self.web["InstanceId"], "--destination", "10.0.0.20",
                         "--port", "80")
        self.assertEqual(self.code(out), "BAD_STATE")
        self.ec2.start_instances(InstanceIds=[self.nopub["InstanceId"]])

    def test_bad_input_is_an_error_not_a_crash(self):
        env = dict(os.environ, MINIVPC_ENDPOINT=self.server.endpoint)
        for args in (["--source", "i-00000000", "--destination", "10.0.0.1"],
                     ["--source", "internet", "--destination", "not-an-ip"],
                     ["--source", "internet", "--destination", "10.0.0.1", "--protocol", "xyz"]):
            p = subprocess.run([BINARY, "trace"] + args, env=env, capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(p.returncode, 2, p.stdout)
            self.assertIn("minivpc trace:", p.stderr)


if __name__ == "__main__":
    unittest.main()
