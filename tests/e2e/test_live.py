"""Live mode: instances are network namespaces and their real packets cross
minivpc's data plane. Driven with boto3 and the AWS CLI; asserted with real
tools (ping, curl, nc, python3 -m http.server) run inside the instances and
the emulated internet through `minivpc exec` / `minivpc internet exec`.

Needs root and network namespaces; otherwise every test is skipped with the
reason. Traffic stays between namespaces minivpc created."""
import hashlib
import ipaddress
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from harness import BINARY, Server, ServerTestCase, client

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


def namespaces():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


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

    @staticmethod
    def namespace_of(instance):
        """The instance's namespace, mv-<tag>-<instance-id>, or None."""
        found = [ns for ns in namespaces() if ns.startswith("mv-") and ns.endswith("-" + instance)]
        return found[0] if found else None

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

    def wait_for_ipv6(self, instance, ip, dev="eth0", timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            p = self.sh(instance, "ip", "-6", "-o", "addr", "show", dev)
            if (" %s/" % ip) in p.stdout:
                return
            time.sleep(0.1)
        self.fail("%s never got %s on %s" % (instance, ip, dev))

    def ping6(self, instance, ip, count=3):
        return self.sh(instance, "ping", "-6", "-c", str(count), "-W", "2", ip).returncode == 0

    def launch(self, subnet, groups=None, public=None, ip=None, ipv6=0):
        ni = {"DeviceIndex": 0, "SubnetId": subnet}
        if ipv6:
            ni["Ipv6AddressCount"] = ipv6
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
        self.assertTrue(self.namespace_of(a["InstanceId"]))
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

    def test_bulk_tcp_through_the_gateway_nat_arrives_intact(self):
        # Megabytes of TCP leave the instance as GSO super-frames with partial
        # checksums and cross the gateway's 1:1 NAT both ways.
        sg = self.ec2.create_security_group(VpcId=self.vpc, GroupName="live-bulk",
                                            Description="bulk")["GroupId"]
        self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 8088, "ToPort": 8088,
             "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        inst = self.launch(self.public, groups=[sg], public=True)
        www = tempfile.mkdtemp(prefix="minivpc-live-bulk-")
        data = os.urandom(8 << 20)
        with open(os.path.join(www, "blob"), "wb") as f:
            f.write(data)
        try:
            self.spawn(inst["InstanceId"], "python3", "-m", "http.server", "8088", "--bind",
                       "0.0.0.0", "--directory", www)
            deadline = time.time() + 10
            while time.time() < deadline and not self.tcp_ok(inst["InstanceId"], "127.0.0.1",
                                                              8088, 1):
                time.sleep(0.1)
            out = self.internet("sh", "-c", "curl -s -m 20 http://%s:8088/blob | sha256sum"
                                % inst["PublicIpAddress"])
            self.assertEqual(out.stdout.split()[0], hashlib.sha256(data).hexdigest())
        finally:
            shutil.rmtree(www)

    def ipv6_subnet(self, cidr):
        """A VPC with an Amazon-provided /56 and a subnet with its first /64."""
        vpc = self.ec2.create_vpc(CidrBlock=cidr, AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = self.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0][
            "Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        sub64 = str(next(ipaddress.ip_network(block).subnets(new_prefix=64)))
        v4 = str(next(ipaddress.ip_network(cidr).subnets(new_prefix=24)))
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock=v4, Ipv6CidrBlock=sub64,
                                        AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        return vpc, subnet, sub64

    def launch6(self, subnet, sub64, groups=None):
        inst = self.launch(subnet, groups=groups, ipv6=1)
        addr = inst["NetworkInterfaces"][0]["Ipv6Addresses"][0]["Ipv6Address"]
        self.assertIn(ipaddress.ip_address(addr), ipaddress.ip_network(sub64))
        self.wait_for_ipv6(inst["InstanceId"], addr)
        return inst["InstanceId"], addr, inst

    def test_ipv6_neighbors_groups_and_the_gateway(self):
        ec2 = self.ec2
        vpc, subnet, sub64 = self.ipv6_subnet("10.9.0.0/16")
        open6 = ec2.create_security_group(VpcId=vpc, GroupName="live-v6-open",
                                          Description="icmpv6 in the subnet")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=open6, IpPermissions=[
            {"IpProtocol": "58", "FromPort": -1, "ToPort": -1,
             "Ipv6Ranges": [{"CidrIpv6": sub64}]}])
        closed = ec2.create_security_group(VpcId=vpc, GroupName="live-v6-closed",
                                           Description="no ingress")["GroupId"]
        ia, a6, a = self.launch6(subnet, sub64, [open6])
        ib, b6, b = self.launch6(subnet, sub64, [open6])
        ic, c6, _ = self.launch6(subnet, sub64, [closed])
        # minivpc answers the neighbor solicitations with the ENIs' MACs.
        self.assertTrue(self.ping6(ia, b6))
        self.assertTrue(self.ping6(ib, a6))
        neigh = self.sh(ia, "ip", "-6", "neigh", "show", b6).stdout
        self.assertIn(b["NetworkInterfaces"][0]["MacAddress"], neigh)
        # A group without an ICMPv6 rule drops the echo requests.
        self.assertFalse(self.ping6(ia, c6, count=2))
        ec2.authorize_security_group_ingress(GroupId=closed, IpPermissions=[
            {"IpProtocol": "58", "FromPort": -1, "ToPort": -1,
             "Ipv6Ranges": [{"CidrIpv6": sub64}]}])
        self.assertTrue(self.ping6(ia, c6))
        # The internet gateway routes IPv6 without translation.
        host = "2001:2::1"
        self.assertFalse(self.ping6(ia, host, count=1))  # no route to the gateway yet
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
        ec2.create_route(RouteTableId=rt, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
        self.assertTrue(self.ping6(ia, host))
        ping_in = ["ping", "-6", "-c", "2", "-W", "2", a6]
        self.assertNotEqual(self.internet(*ping_in).returncode, 0)  # the group says no
        ec2.authorize_security_group_ingress(GroupId=open6, IpPermissions=[
            {"IpProtocol": "58", "FromPort": -1, "ToPort": -1,
             "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
        p = self.internet(*ping_in)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    # A group reference admits its members' IPv6 addresses too.
    def test_ipv6_default_group_admits_its_members(self):
        vpc, subnet, sub64 = self.ipv6_subnet("10.10.0.0/16")
        ia, a6, _ = self.launch6(subnet, sub64)
        ib, b6, _ = self.launch6(subnet, sub64)
        self.assertTrue(self.ping6(ia, b6))
        self.assertTrue(self.ping6(ib, a6))

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
        ns = self.namespace_of(iid)
        deadline = time.time() + 10
        while time.time() < deadline and ns in namespaces():
            time.sleep(0.1)
        self.assertNotIn(ns, namespaces())

    def test_secondary_ipv4_is_configured_and_answers(self):
        a = self.launch(self.private)
        b = self.launch(self.private)
        eni = b["NetworkInterfaces"][0]["NetworkInterfaceId"]
        self.ec2.assign_private_ip_addresses(NetworkInterfaceId=eni,
                                             SecondaryPrivateIpAddressCount=1)
        ips = self.ec2.describe_network_interfaces(
            NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddresses"]
        secondary = [p["PrivateIpAddress"] for p in ips if not p["Primary"]][0]
        # minivpc configures it in the namespace, as ec2-net-utils does.
        self.wait_for_address(b["InstanceId"], secondary)
        ping = self.sh(a["InstanceId"], "ping", "-c", "2", "-W", "2", secondary)
        self.assertEqual(ping.returncode, 0, ping.stdout + ping.stderr)
        self.ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni,
                                               PrivateIpAddresses=[secondary])
        deadline = time.time() + 20
        while (" %s/" % secondary) in self.sh(b["InstanceId"], "ip", "-4", "-o", "addr").stdout:
            self.assertLess(time.time(), deadline, "secondary address never removed")
            time.sleep(0.1)
        ping = self.sh(a["InstanceId"], "ping", "-c", "1", "-W", "1", secondary)
        self.assertNotEqual(ping.returncode, 0, ping.stdout)

    def test_no_dhcp_configures_addresses_statically(self):
        tmp = tempfile.mkdtemp(prefix="minivpc-live-nodhcp-")
        other = Server(os.path.join(tmp, "state.db"), ("--live", "--no-dhcp"))
        try:
            other.start()
            ec2 = client(other.endpoint)
            vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24",
                                       AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
            insts = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2,
                                      SubnetId=subnet)["Instances"]
            for i in insts:
                self.wait_for_address(i["InstanceId"], i["PrivateIpAddress"])
                ns = self.namespace_of(i["InstanceId"])
                pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                                      text=True).stdout.split()
                cmds = [open("/proc/%s/comm" % pid).read().strip() for pid in pids
                        if os.path.exists("/proc/%s/comm" % pid)]
                self.assertNotIn("udhcpc", cmds)
                route = self.sh(i["InstanceId"], "ip", "-4", "route", "show", "default").stdout
                self.assertIn("via 10.30.1.1", route)
            ping = self.sh(insts[0]["InstanceId"], "ping", "-c", "2", "-W", "2",
                           insts[1]["PrivateIpAddress"])
            self.assertEqual(ping.returncode, 0, ping.stdout + ping.stderr)
        finally:
            other.stop()
            shutil.rmtree(tmp, ignore_errors=True)

    def test_restart_after_crash_removes_exactly_what_the_crashed_run_made(self):
        # A second live server, on its own state file, beside the class's.
        keep = ["mvtest-keep", "mv-mvtest-keep"]  # the second looks like live mode's
        for ns in keep:
            subprocess.run(["ip", "netns", "add", ns], check=True)
        ours = {ns for ns in namespaces() if ns.startswith("mv-")} - set(keep)
        tmp = tempfile.mkdtemp(prefix="minivpc-live-crash-")
        state = os.path.join(tmp, "state.db")
        other = Server(state, ("--live",))
        sleeper = None
        try:
            other.start()
            ec2 = client(other.endpoint)
            vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24",
                                       AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
            inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)
            inst = inst["Instances"][0]
            iid = inst["InstanceId"]
            self.wait_for_address(iid, inst["PrivateIpAddress"])
            ns = self.namespace_of(iid)
            made = {n for n in namespaces() if n.startswith("mv-")} - ours - set(keep)
            self.assertEqual(len(made), 2, made)  # the instance's and the internet's
            self.assertIn(ns, made)
            # Marks of the crashed run: an address and a process in its namespace.
            subprocess.run(["ip", "-n", ns, "addr", "add", "192.0.2.99/32", "dev", "lo"],
                           check=True)
            sleeper = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "600"])
            other.stop(kill=True)
            self.assertTrue(made <= namespaces())  # left behind by the crash
            other.start()
            # The instance is back in a fresh namespace; the old one's
            # process was killed; nothing else was touched.
            self.wait_for_address(iid, inst["PrivateIpAddress"])
            self.assertEqual(sleeper.wait(timeout=10), -9)
            self.assertNotIn("192.0.2.99", self.sh(iid, "ip", "-o", "addr").stdout)
            for n in keep:
                self.assertIn(n, namespaces())
            self.assertTrue(ours <= namespaces(), ours - namespaces())  # the class's server
            with sqlite3.connect(state) as db:
                recorded = {r[0] for r in db.execute(
                    "SELECT name FROM live_objects WHERE kind = 'netns'")}
            self.assertEqual(recorded, made)
            # A clean stop removes everything and clears the records.
            other.stop()
            self.assertFalse(made & namespaces())
            with sqlite3.connect(state) as db:
                self.assertEqual(db.execute("SELECT count(*) FROM live_objects").fetchone()[0],
                                 0)
            for n in keep:
                self.assertIn(n, namespaces())
        finally:
            other.stop()
            if sleeper:
                sleeper.kill()
            for ns in keep:
                subprocess.run(["ip", "netns", "del", ns], capture_output=True)
            shutil.rmtree(tmp, ignore_errors=True)

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
