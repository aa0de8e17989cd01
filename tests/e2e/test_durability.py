"""Durable state: a kill -9 restart loses nothing that was acknowledged, and
restores every id, address, association and rule exactly."""
import threading
import unittest

from harness import ServerTestCase


def snapshot(ec2):
    def strip(items):
        return sorted(items, key=lambda x: str(x))
    return {
        "vpcs": strip(ec2.describe_vpcs()["Vpcs"]),
        "subnets": strip(ec2.describe_subnets()["Subnets"]),
        "route_tables": strip(ec2.describe_route_tables()["RouteTables"]),
        "acls": strip(ec2.describe_network_acls()["NetworkAcls"]),
        "groups": strip(ec2.describe_security_groups()["SecurityGroups"]),
        "tags": strip(ec2.describe_tags()["Tags"]),
    }


class KillRestartTest(ServerTestCase):
    def test_kill_9_loses_nothing_acknowledged(self):
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                                  TagSpecifications=[{"ResourceType": "vpc", "Tags": [
                                      {"Key": "Name", "Value": "durable"}]}])["Vpc"]
        self.ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24")
        # Concurrent acknowledged writes: every one must survive the kill.
        created = []
        lock = threading.Lock()

        def worker(base):
            c = self.client()
            for i in range(10):
                v = c.create_vpc(CidrBlock="10.%d.0.0/16" % (base + i))["Vpc"]["VpcId"]
                with lock:
                    created.append(v)

        threads = [threading.Thread(target=worker, args=(b,)) for b in (20, 40, 60, 80)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        before = snapshot(self.ec2)
        self.restart(kill=True)
        after = snapshot(self.ec2)
        self.assertEqual(before, after)
        ids = {v["VpcId"] for v in after["vpcs"]}
        self.assertTrue(set(created) <= ids)
        self.assertEqual(len(created), 40)

    def test_failed_call_leaves_nothing_behind_after_restart(self):
        before = snapshot(self.ec2)
        self.assertAwsError("InvalidVpc.Range", self.ec2.create_vpc, CidrBlock="10.0.0.0/8")
        self.restart(kill=True)
        self.assertEqual(before, snapshot(self.ec2))


if __name__ == "__main__":
    unittest.main()
