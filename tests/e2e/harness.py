"""End-to-end harness: the real minivpc server on an ephemeral loopback port,
driven by the real clients (boto3 and the AWS CLI v2 at /usr/bin/aws).

    from harness import ServerTestCase

    class VpcTest(ServerTestCase):
        def test_create(self):
            vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
            out = self.aws("ec2", "describe-vpcs", "--vpc-ids", vpc["VpcId"])
            self.assertEqual(out["Vpcs"][0]["CidrBlock"], "10.0.0.0/16")

Each test class gets a fresh server with its own SQLite state file in a
temporary directory (set `in_memory = True` on the class for speed where
durability is not the point). `self.restart(kill=True)` kill -9s and
restarts the server on the same state file.
"""
import glob
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import boto3
import botocore.config
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("MINIVPC_BIN", os.path.join(ROOT, "build", "minivpc"))
AWS_CLI = "/usr/bin/aws"
REGION = "us-east-1"


class Server:
    def __init__(self, state_path=None, extra_args=()):
        self.state_path = state_path
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.workdir = tempfile.mkdtemp(prefix="minivpc-e2e-")

    def start(self):
        port_file = os.path.join(self.workdir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        args = [BINARY, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file]
        args += ["--state", self.state_path] if self.state_path else ["--in-memory"]
        args += self.extra_args
        if getattr(self, "log", None):
            self.log.close()
        self.log = open(os.path.join(self.workdir, "server.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("minivpc exited early; see " + self.log.name)
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        raise RuntimeError("minivpc did not start in time")

    def stop(self, kill=False):
        report = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                report = self.hang_report()
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None
        if report is not None:
            raise AssertionError("minivpc did not exit within 20 s of SIGTERM\n" + report)

    def hang_report(self):
        """What a server that will not stop is doing: its threads' stacks (gdb,
        when the machine has it), their kernel states and its log's tail."""
        pid = self.proc.pid
        out = []
        if shutil.which("gdb"):
            try:
                bt = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt"],
                                    capture_output=True, text=True, timeout=120)
                out.append(bt.stdout[-20000:])
            except subprocess.TimeoutExpired:
                out.append("gdb timed out")
        for task in sorted(glob.glob("/proc/%d/task/*" % pid)):
            try:
                with open(task + "/stat") as f:
                    stat = f.read().split()
                with open(task + "/wchan") as f:
                    wchan = f.read()
                out.append("thread %s state %s wchan %s" % (os.path.basename(task), stat[2], wchan))
            except OSError:
                pass
        self.log.flush()
        with open(self.log.name, "rb") as f:
            out.append("server log tail:\n" + f.read()[-4000:].decode(errors="replace"))
        return "\n".join(out)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port


def client(endpoint, access_key="AKIDEXAMPLE", region=REGION, validate=True):
    """A boto3 EC2 client; validate=False skips botocore's own parameter
    checks so bad input reaches the server."""
    return boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"max_attempts": 1},
                                      parameter_validation=validate),
    )


class CliError(Exception):
    def __init__(self, code, stderr):
        super().__init__(stderr)
        self.code = code
        self.stderr = stderr


class ServerTestCase(unittest.TestCase):
    in_memory = False
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="minivpc-state-")
        state = None if cls.in_memory else os.path.join(cls.tmp, "state.db")
        cls.server = Server(state, cls.server_args).start()
        cls.ec2 = client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def restart(self, kill=False):
        self.server.stop(kill=kill)
        self.server.start()
        type(self).ec2 = client(self.server.endpoint)

    def client(self, access_key="AKIDEXAMPLE", region=REGION, validate=True):
        return client(self.server.endpoint, access_key, region, validate)

    def free_ips(self, subnet_id, n):
        """n IPv4 addresses of the subnet that no interface holds now, from
        the top of its range. Tests draw primaries at random (as EC2 does), so
        an address fixed in a test could already be taken."""
        cidr = self.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["CidrBlock"]
        used = {p["PrivateIpAddress"]
                for e in self.ec2.describe_network_interfaces(
                    Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])["NetworkInterfaces"]
                for p in e["PrivateIpAddresses"]}
        hosts = list(ipaddress.ip_network(cidr).hosts())[3:]  # AWS reserves .1-.3 and the last
        free = [str(ip) for ip in reversed(hosts) if str(ip) not in used]
        return free[:n]

    def aws(self, *args, region=REGION, access_key="AKIDEXAMPLE"):
        """Runs the AWS CLI v2 against the server; returns parsed JSON output
        (or None for empty output). Raises CliError with the error code."""
        env = dict(os.environ)
        env.update({
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_DEFAULT_REGION": region,
            "AWS_PAGER": "",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        })
        cmd = [AWS_CLI, "--endpoint-url", self.server.endpoint, "--output", "json"] + list(args)
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            code = ""
            if "(" in p.stderr and ")" in p.stderr:
                code = p.stderr.split("(", 1)[1].split(")", 1)[0]
            raise CliError(code, p.stderr)
        return json.loads(p.stdout) if p.stdout.strip() else None

    def assertAwsError(self, code, fn, *args, **kwargs):
        """Asserts that the boto3 call fails with EC2 error `code` and an HTTP 4xx."""
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception.response["Error"]["Code"]
        status = cm.exception.response["ResponseMetadata"]["HTTPStatusCode"]
        self.assertEqual(err, code, cm.exception)
        self.assertTrue(400 <= status < 500, status)
        return cm.exception

    def assertCliError(self, code, *args, **kwargs):
        with self.assertRaises(CliError) as cm:
            self.aws(*args, **kwargs)
        self.assertEqual(cm.exception.code, code, cm.exception.stderr)
        return cm.exception
