"""Live mode: instances are network namespaces and their real packets cross
minivpc's data plane. Driven with boto3 and the AWS CLI; asserted with real
tools (ping, curl, nc, python3 -m http.server) run inside the instances and
the emulated internet through `minivpc exec` / `minivpc internet exec`.

Needs root and network namespaces; otherwise every test is skipped with the
reason. Traffic stays between namespaces minivpc created."""
import os
import shutil
import subprocess
import time
import unittest

from harness import BINARY, ServerTestCase

AMI = "ami-12345678"


def live_unavailable():
    if os.geteuid() != 0:
        return "live mode needs root"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    for tool in ("ip", "ping", "curl", "nc", "udhcpc"):
        if not shutil.which(tool):
            return "missing tool: " + tool
    probe = "mvprobe-%d" % os.getpid()
    p = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if p.returncode != 0:
        return "cannot create network namespaces: " + p.stderr.strip()
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


REASON = live_unavailable()


@unittest.skipIf(REASON, REASON or "")
class LiveTest(ServerTestCase):
    server_args = ("--live",)

    # -- helpers ---------------------------------------------------------
    def sh(self, instance, *cmd, timeout=30, check=False):
        args = [BINARY, "exec", instance, "--"] + list(cmd)
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        if check:
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p

    def internet(self, *cmd, timeout=30):
        return subprocess.run([BINARY, "internet", "exec", "--"] + list(cmd),
                              capture_output=True, text=True, timeout=timeout)

    def spawn(self, instance, *cmd):
        """Starts a long-running process inside an instance (killed with its namespace)."""
        return subprocess.Popen([BINARY, "exec", instance, "--"] + list(cmd),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_for_address(self, instance, ip, dev="eth0", timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            p = self.sh(instance, "ip", "-4", "-o", "addr", "show", dev)
            if (" %s/" % ip) in p.stdout:
                return
            time.sleep(0.1)
        self.fail("%s never got %s on %s" % (instance, ip, dev))

    def tcp_ok(self, instance, ip, port, timeout=3):
        return self.sh(instance, "nc", "-z", "-w", str(timeout), ip, str(port),
                       timeout=timeout + 10).returncode == 0

    def launch(self, subnet, groups=None, public=None, ip=None):
        ni = {"DeviceIndex": 0, "SubnetId": subnet}
        if groups:
            ni["Groups"] = groups
        if public is not None:
            ni["AssociatePublicIpAddress"] = public
        if ip:
            ni["PrivateIpAddress"] = ip
        inst = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                      NetworkInterfaces=[ni])["Instances"][0]
        self.wait_for_address(inst["InstanceId"], inst["PrivateIpAddress"])
        return inst

    def serve_http(self, instance, port):
        self.spawn(instance, "python3", "-m", "http.server", str(port), "--bind", "0.0.0.0")
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.sh(instance, "nc", "-z", "127.0.0.1", str(port)).returncode == 0:
                return
            time.sleep(0.1)
        self.fail("http server did not start in " + instance)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ec2 = cls.ec2
        cls.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        cls.public = ec2.create_subnet(VpcId=cls.vpc, CidrBlock="10.0.0.0/24",
                                       AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        cls.private = ec2.create_subnet(VpcId=cls.vpc, CidrBlock="10.0.1.0/24",
                                        AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        cls.igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=cls.igw, VpcId=cls.vpc)
        cls.public_rt = ec2.create_route_table(VpcId=cls.vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=cls.public_rt, SubnetId=cls.public)
        ec2.create_route(RouteTableId=cls.public_rt, DestinationCidrBlock="0.0.0.0/0",
                         GatewayId=cls.igw)
        cls.default_sg = ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [cls.vpc]},
            {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]

    # -- tests -----------------------------------------------------------
    def test_same_subnet_under_default_group(self):
        a = self.launch(self.private)
        b = self.launch(self.private)
        ns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        self.assertIn("mv-" + a["InstanceId"], ns)
        p = self.sh(a["InstanceId"], "ping", "-c", "3", "-W", "2", b["PrivateIpAddress"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # The OS sees the ENI's MAC and only private addresses.
        link = self.sh(a["InstanceId"], "ip", "-o", "link", "show", "eth0").stdout
        self.assertIn(a["NetworkInterfaces"][0]["MacAddress"], link)
        addrs = self.sh(a["InstanceId"], "ip", "-4", "-o", "addr").stdout
        self.assertIn(a["PrivateIpAddress"], addrs)

    def test_security_group_rule_opens_port_live(self):
        sg = self.ec2.create_security_group(VpcId=self.vpc, GroupName="live-web",
                                            Description="web")["GroupId"]
        server = self.launch(self.private, groups=[sg])
        client = self.launch(self.private)
        self.serve_http(server["InstanceId"], 8080)
        self.assertFalse(self.tcp_ok(client["InstanceId"], server["PrivateIpAddress"], 8080, 2))
        self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
             "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
        self.assertTrue(self.tcp_ok(client["InstanceId"], server["PrivateIpAddress"], 8080))
        out = self.sh(client["InstanceId"], "curl", "-s", "-m", "5", "-o", "/dev/null", "-w",
                      "%{http_code}", "http://%s:8080/" % server["PrivateIpAddress"])
        self.assertEqual(out.stdout, "200")

    def test_stateless_acl_without_ephemeral_ports_breaks_tcp(self):
        sg = self.ec2.create_security_group(VpcId=self.vpc, GroupName="live-acl",
                                            Description="acl")["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
        subnet = self.ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.0.5.0/24",
                                        AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        server = self.launch(subnet, groups=[sg])
        client = self.launch(self.private, groups=[sg])
        self.serve_http(server["InstanceId"], 8081)
        self.assertTrue(self.tcp_ok(client["InstanceId"], server["PrivateIpAddress"], 8081))
        acl = self.ec2.create_network_acl(VpcId=self.vpc)["NetworkAcl"]["NetworkAclId"]
        self.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                          RuleAction="allow", Egress=False,
                                          CidrBlock="10.0.0.0/16",
                                          PortRange={"From": 8081, "To": 8081})
        acls = self.ec2.describe_network_acls(Filters=[
            {"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
        assoc = [a for a in acls[0]["Associations"] if a["SubnetId"] == subnet][0]
        self.ec2.replace_network_acl_association(
            AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)
        # The SYN gets in, the SYN-ACK cannot get out: no ephemeral-port rule.
        self.assertFalse(self.tcp_ok(client["InstanceId"], server["PrivateIpAddress"], 8081, 2))
        self.ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                          RuleAction="allow", Egress=True,
                                          CidrBlock="10.0.0.0/16",
                                          PortRange={"From": 1024, "To": 65535})
        self.assertTrue(self.tcp_ok(client["InstanceId"], server["PrivateIpAddress"], 8081))

    def test_internet_reaches_public_address_only_with_ip_route_and_group(self):
        sg = self.ec2.create_security_group(VpcId=self.vpc, GroupName="live-pub",
                                            Description="pub")["GroupId"]
        with_ip = self.launch(self.public, groups=[sg], public=True)
        without = self.launch(self.public, groups=[sg], public=False)
        pub = with_ip["PublicIpAddress"]
        self.assertTrue(pub)
        self.serve_http(with_ip["InstanceId"], 80)
        self.serve_http(without["InstanceId"], 80)
        curl = ["curl", "-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}"]
        # No allowing group yet.
        self.assertNotEqual(self.internet(*curl, "http://%s/" % pub).stdout, "200")
        self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
             "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        self.assertEqual(self.internet(*curl, "http://%s/" % pub).stdout, "200")
        # The private address is not reachable from the internet at all.
        self.assertNotEqual(self.internet(*curl, "http://%s/" % with_ip["PrivateIpAddress"]).stdout,
                            "200")
        # An elastic IP makes the other instance reachable too.
        alloc = self.ec2.allocate_address(Domain="vpc")
        self.ec2.associate_address(AllocationId=alloc["AllocationId"],
                                   InstanceId=without["InstanceId"])
        self.assertEqual(self.internet(*curl, "http://%s/" % alloc["PublicIp"]).stdout, "200")
        # Without the route to the gateway, nothing comes back.
        self.ec2.delete_route(RouteTableId=self.public_rt, DestinationCidrBlock="0.0.0.0/0")
        try:
            self.assertNotEqual(self.internet(*curl, "http://%s/" % pub).stdout, "200")
        finally:
            self.ec2.create_route(RouteTableId=self.public_rt, DestinationCidrBlock="0.0.0.0/0",
                                  GatewayId=self.igw)
        self.assertEqual(self.internet(*curl, "http://%s/" % pub).stdout, "200")

    def test_internet_host_sees_the_public_address(self):
        inst = self.launch(self.public, public=True)
        host = self.internet("ip", "-4", "-o", "addr", "show", "eth0").stdout.split()[3]
        host = host.split("/")[0]
        # A one-shot TCP server on the internet host prints its peer address.
        server = subprocess.Popen(
            [BINARY, "internet", "exec", "--", "python3", "-c",
             "import socket;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,"
             "socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',9099));s.listen(1);"
             "c,a=s.accept();print(a[0],flush=True)"],
            stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)
        try:
            deadline = time.time() + 10
            while time.time() < deadline:
                if self.sh(inst["InstanceId"], "nc", "-z", "-w", "2", host, "9099").returncode == 0:
                    break
                time.sleep(0.2)
            out, _ = server.communicate(timeout=10)
        finally:
            server.kill()
        self.assertEqual(out.strip(), inst["PublicIpAddress"])

    def test_moving_an_eni_moves_its_traffic(self):
        a = self.launch(self.private)
        b = self.launch(self.private)
        client = self.launch(self.private)
        eni = self.ec2.create_network_interface(SubnetId=self.private, Groups=[self.default_sg])
        eni = eni["NetworkInterface"]
        ip = eni["PrivateIpAddress"]
        att = self.ec2.attach_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                                InstanceId=a["InstanceId"], DeviceIndex=1)
        self.wait_for_address(a["InstanceId"], ip, dev="eth1")
        # A service answers on the floating address; it says who it is.
        for inst, name in ((a, "A"), (b, "B")):
            self.spawn(inst["InstanceId"], "sh", "-c",
                       "while true; do echo %s | nc -l -p 7000 -q 1; done" % name)
        time.sleep(0.5)
        got = self.sh(client["InstanceId"], "nc", "-w", "3", ip, "7000").stdout.strip()
        self.assertEqual(got, "A")
        self.ec2.detach_network_interface(AttachmentId=att["AttachmentId"])
        self.ec2.get_waiter("network_interface_available").wait(
            NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
        self.ec2.attach_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                          InstanceId=b["InstanceId"], DeviceIndex=1)
        self.wait_for_address(b["InstanceId"], ip, dev="eth1")
        deadline = time.time() + 10
        while time.time() < deadline:
            got = self.sh(client["InstanceId"], "nc", "-w", "3", ip, "7000").stdout.strip()
            if got == "B":
                break
            time.sleep(0.2)
        self.assertEqual(got, "B")

    def test_source_dest_check_for_a_nat_instance(self):
        sg = self.ec2.create_security_group(VpcId=self.vpc, GroupName="live-nat",
                                            Description="nat")["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
        nat = self.launch(self.public, groups=[sg], public=True)
        subnet = self.ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.0.7.0/24",
                                        AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        rt = self.ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        self.ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
        self.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0",
                              InstanceId=nat["InstanceId"])
        inner = self.launch(subnet)
        # The NAT instance's OS forwards and masquerades, as a NAT AMI does.
        self.sh(nat["InstanceId"], "sysctl", "-qw", "net.ipv4.ip_forward=1", check=True)
        p = subprocess.run([BINARY, "exec", nat["InstanceId"], "--", "nft", "-f", "-"],
                           input="table ip nat {\n chain post {\n"
                                 "  type nat hook postrouting priority 100;\n"
                                 "  oifname \"eth0\" ip saddr 10.0.7.0/24 masquerade\n }\n}\n",
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        host = self.internet("ip", "-4", "-o", "addr", "show", "eth0").stdout.split()[3]
        host = host.split("/")[0]
        self.internet_server = subprocess.Popen(
            [BINARY, "internet", "exec", "--", "python3", "-m", "http.server", "8088"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        try:
            curl = ["curl", "-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://%s:8088/" % host]
            # Check on: the NAT instance's ENI refuses traffic not addressed to it.
            self.assertNotEqual(self.sh(inner["InstanceId"], *curl).stdout, "200")
            self.ec2.modify_instance_attribute(InstanceId=nat["InstanceId"],
                                               SourceDestCheck={"Value": False})
            self.assertEqual(self.sh(inner["InstanceId"], *curl).stdout, "200")
        finally:
            self.internet_server.kill()

    def test_imds_reports_public_ipv4_and_it_changes_after_stop_start(self):
        inst = self.launch(self.public, public=True)
        iid = inst["InstanceId"]
        base = "http://169.254.169.254/latest/"
        token = self.sh(iid, "curl", "-s", "-m", "5", "-X", "PUT", base + "api/token", "-H",
                        "X-aws-ec2-metadata-token-ttl-seconds: 300").stdout
        self.assertTrue(token)

        def md(path):
            return self.sh(iid, "curl", "-s", "-m", "5", "-H",
                           "X-aws-ec2-metadata-token: " + token, base + "meta-data/" + path).stdout

        self.assertEqual(md("instance-id"), iid)
        self.assertEqual(md("local-ipv4"), inst["PrivateIpAddress"])
        self.assertEqual(md("public-ipv4"), inst["PublicIpAddress"])
        mac = md("mac")
        self.assertEqual(mac, inst["NetworkInterfaces"][0]["MacAddress"])
        self.assertEqual(md("network/interfaces/macs/%s/subnet-id" % mac), self.public)
        # IMDSv1 works too; the OS never sees its public address otherwise.
        self.assertEqual(self.sh(iid, "curl", "-s", "-m", "5",
                                 base + "meta-data/public-ipv4").stdout, inst["PublicIpAddress"])
        self.assertNotIn(inst["PublicIpAddress"], self.sh(iid, "ip", "addr").stdout)
        self.ec2.stop_instances(InstanceIds=[iid])
        self.ec2.start_instances(InstanceIds=[iid])
        self.wait_for_address(iid, inst["PrivateIpAddress"])
        new = self.ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        self.assertNotEqual(new["PublicIpAddress"], inst["PublicIpAddress"])
        self.assertEqual(self.sh(iid, "curl", "-s", "-m", "5",
                                 base + "meta-data/public-ipv4").stdout, new["PublicIpAddress"])

    def test_stop_takes_links_down_and_terminate_removes_namespace(self):
        inst = self.launch(self.private)
        iid = inst["InstanceId"]
        self.ec2.stop_instances(InstanceIds=[iid])
        deadline = time.time() + 10
        while time.time() < deadline:
            if "state DOWN" in self.sh(iid, "ip", "-o", "link", "show", "eth0").stdout:
                break
            time.sleep(0.1)
        self.assertIn("state DOWN", self.sh(iid, "ip", "-o", "link", "show", "eth0").stdout)
        self.ec2.start_instances(InstanceIds=[iid])
        self.wait_for_address(iid, inst["PrivateIpAddress"])
        self.ec2.terminate_instances(InstanceIds=[iid])
        deadline = time.time() + 10
        while time.time() < deadline:
            ns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
            if "mv-" + iid not in ns:
                break
            time.sleep(0.1)
        self.assertNotIn("mv-" + iid, ns)

    def test_zz_flow_logs_record_accepted_and_rejected_traffic(self):
        # Runs last: it stops the server to flush every capture window.
        sg = self.ec2.create_security_group(VpcId=self.vpc, GroupName="live-fl",
                                            Description="fl")["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8090, "ToPort": 8090,
             "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
        server = self.launch(self.private, groups=[sg])
        client = self.launch(self.private)
        eni = server["NetworkInterfaces"][0]["NetworkInterfaceId"]
        out = self.ec2.create_flow_logs(
            ResourceIds=[self.vpc], ResourceType="VPC", TrafficType="ALL",
            LogDestinationType="cloud-watch-logs", LogGroupName="live-test",
            DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
            MaxAggregationInterval=60)
        self.assertEqual(out.get("Unsuccessful", []), [])
        time.sleep(0.5)
        self.serve_http(server["InstanceId"], 8090)
        self.assertTrue(self.tcp_ok(client["InstanceId"], server["PrivateIpAddress"], 8090))
        self.assertFalse(self.tcp_ok(client["InstanceId"], server["PrivateIpAddress"], 8091, 1))
        self.server.stop()
        try:
            path = os.path.join(self.tmp, "flow-logs", "cloud-watch-logs", "live-test", eni + ".log")
            with open(path) as f:
                lines = [l.split() for l in f.read().splitlines() if l.strip()]
            accepted = [l for l in lines if l[-2] == "ACCEPT" and l[6] == "8090"]
            rejected = [l for l in lines if l[-2] == "REJECT" and l[6] == "8091"]
            self.assertTrue(accepted, lines)
            self.assertTrue(rejected, lines)
            rec = accepted[0]
            self.assertEqual(rec[0], "2")           # version
            self.assertEqual(rec[1], "123456789012")
            self.assertEqual(rec[2], eni)
            self.assertEqual(rec[3], client["PrivateIpAddress"])
            self.assertEqual(rec[4], server["PrivateIpAddress"])
            self.assertEqual(rec[7], "6")
            self.assertEqual(rec[-1], "OK")
        finally:
            self.restart()


if __name__ == "__main__":
    unittest.main()
