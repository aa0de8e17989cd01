"""Helpers for bench/live_bench.sh (run with /usr/bin/python3).

    live_bench.py topology ENDPOINT          # VPC, 2 subnets, SG, 3 instances
    live_bench.py wait-address BINARY INSTANCE IP
    live_bench.py rr-server PORT             # UDP + TCP echo (1-byte transactions)
    live_bench.py rr-client HOST PORT udp|tcp COUNT
    live_bench.py iperf FILE tcp|udp         # "bps retransmits" / "pps loss%" from -J output
    live_bench.py cpu PID SECONDS [NS...]    # busiest thread's CPU %, ns per frame
    ping ... | live_bench.py ping-stats      # mean, median, mdev of the replies (us)
    live_bench.py summary RESULTS            # the medians table and the ratios

RESULTS lines are "setup<TAB>metric<TAB>value", one per run; summary prints
the median of each (setup, metric). Every subcommand prints plain text or
shell assignments and exits non-zero with a message on stderr on failure.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

AMI = "ami-0123456789abcdef0"
VPC_CIDR = "10.77.0.0/16"


def ec2_client(endpoint):
    import boto3
    import botocore.config
    return boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDLIVEBENCH", aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def topology(endpoint):
    """A and B share subnet 1 (no ACL between them); C is in subnet 2 (the
    route table's local route and both subnets' NACLs apply). All three are in
    one security group that allows all traffic from the VPC CIDR."""
    ec2 = ec2_client(endpoint)
    vpc = ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=c, AvailabilityZone="us-east-1a")
               ["Subnet"]["SubnetId"] for c in ("10.77.1.0/24", "10.77.2.0/24")]
    sg = ec2.create_security_group(VpcId=vpc, GroupName="live-bench",
                                   Description="all traffic within the VPC")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": VPC_CIDR}]}])
    out = {}
    for name, subnet in (("A", subnets[0]), ("B", subnets[0]), ("C", subnets[1])):
        inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="c5.large",
                                 NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet,
                                                     "Groups": [sg]}])["Instances"][0]
        out[name] = inst["InstanceId"]
        out[name + "_IP"] = inst["PrivateIpAddress"]
    for k, v in out.items():
        print("%s=%s" % (k, v))


def wait_address(binary, instance, ip, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        p = subprocess.run([binary, "exec", instance, "--", "ip", "-4", "-o", "addr", "show",
                            "eth0"], capture_output=True, text=True)
        if (" %s/" % ip) in p.stdout:
            return
        time.sleep(0.1)
    sys.exit("%s never got %s on eth0" % (instance, ip))


def rr_server(port):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("0.0.0.0", port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("0.0.0.0", port))
    tcp.listen(8)

    def echo(conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            while True:
                data = conn.recv(64)
                if not data:
                    return
                conn.sendall(data)

    def accept():
        while True:
            conn, _ = tcp.accept()
            threading.Thread(target=echo, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    while True:
        data, peer = udp.recvfrom(2048)
        udp.sendto(data, peer)


def rr_client(host, port, proto, count):
    """Sequential 1-byte request/response transactions; prints the median,
    mean and p99 round trip in microseconds, transactions/s and losses."""
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    else:
        s = socket.create_connection((host, port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(1.0)
    if proto == "udp":
        s.connect((host, port))
    samples, lost = [], 0
    warmup = min(200, count // 10)
    start = None
    for i in range(warmup + count):
        if i == warmup:
            start = time.perf_counter_ns()
        t0 = time.perf_counter_ns()
        try:
            s.send(b"x")
            s.recv(64)
        except socket.timeout:
            lost += 1
            continue
        if i >= warmup:
            samples.append((time.perf_counter_ns() - t0) / 1000.0)
    elapsed = (time.perf_counter_ns() - start) / 1e9
    if not samples:
        sys.exit("rr-client: no answers from %s:%d/%s" % (host, port, proto))
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(json.dumps({"p50_us": statistics.median(samples), "mean_us": statistics.fmean(samples),
                      "p99_us": p99, "tps": len(samples) / elapsed, "lost": lost}))


def iperf(path, kind):
    with open(path) as f:
        doc = json.load(f)
    if "error" in doc:
        sys.exit("iperf3: " + doc["error"])
    end = doc["end"]
    if kind == "tcp":
        print("%.0f %d" % (end["sum_received"]["bits_per_second"],
                           end["sum_sent"].get("retransmits", 0)))
        return
    # UDP: packets the receiver got per second, and the loss it reported.
    s = end["sum"]
    got = s["packets"] - s["lost_packets"]
    print("%.0f %.2f" % (got / s["seconds"], s["lost_percent"]))


def ping_stats(lines):
    """Reads ping's per-reply lines; prints the mean, median and mdev (the
    population standard deviation, as ping's) of the RTTs in microseconds
    and the replies missing out of those sent."""
    rtts, sent = [], 0
    for line in lines:
        if "time=" in line:
            rtts.append(float(line.split("time=")[1].split()[0]) * 1000.0)
        elif "packets transmitted" in line:
            sent = int(line.split()[0])
    if not rtts:
        sys.exit("ping-stats: no replies")
    print("%.1f %.1f %.1f %d" % (statistics.fmean(rtts), statistics.median(rtts),
                                 statistics.pstdev(rtts), sent - len(rtts)))


def thread_ticks(pid):
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = int(fields[11]) + int(fields[12])  # utime + stime
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def tx_frames(namespaces):
    """Frames the instances' eth0 (TAP) queued for the switch to read."""
    total = 0
    for ns in namespaces:
        out = subprocess.run(["ip", "-n", ns, "-s", "-j", "link", "show", "eth0"],
                             capture_output=True, text=True, check=True).stdout
        total += json.loads(out)[0]["stats64"]["tx"]["packets"]
    return total


def cpu(pid, seconds, namespaces):
    """Per-thread CPU of PID over SECONDS: prints the busiest thread's % (100
    = one core), the process total %, and the busiest thread's CPU time per
    frame the instances in NAMESPACES sent (ns; 0 without namespaces)."""
    hz = os.sysconf("SC_CLK_TCK")
    before, frames0, t0 = thread_ticks(pid), tx_frames(namespaces), time.time()
    time.sleep(seconds)
    after, frames1, t1 = thread_ticks(pid), tx_frames(namespaces), time.time()
    deltas = [after[t] - before.get(t, 0) for t in after]
    busiest = max(deltas, default=0)
    scale = 100.0 / hz / (t1 - t0)
    frames = frames1 - frames0
    per_frame = busiest / hz * 1e9 / frames if frames > 0 else 0
    print("%.0f %.0f %.0f" % (busiest * scale, sum(deltas) * scale, per_frame))


# metric -> (unit label, scale from stored value, digits)
METRICS = [
    ("tcp_bps", "TCP throughput (Gbit/s)", 1e-9, 2),
    ("tcp_retrans", "TCP retransmits", 1, 0),
    ("udp_pps", "UDP 64B received (kpps)", 1e-3, 1),
    ("udp_loss", "UDP 64B loss (%)", 1, 1),
    ("ping_avg_us", "ping avg RTT (us)", 1, 0),
    ("ping_p50_us", "ping p50 RTT (us)", 1, 0),
    ("ping_mdev_us", "ping mdev (us)", 1, 0),
    ("udp_rr_p50_us", "UDP RR p50 (us)", 1, 0),
    ("udp_rr_p99_us", "UDP RR p99 (us)", 1, 0),
    ("tcp_rr_p50_us", "TCP RR p50 (us)", 1, 0),
    ("tcp_rr_tps", "TCP RR trans/s", 1, 0),
    ("switch_cpu", "switch thread CPU% (TCP)", 1, 0),
    ("switch_ns_frame", "switch CPU ns/frame (TCP)", 1, 0),
    ("switch_cpu_udp", "switch thread CPU% (UDP)", 1, 0),
    ("switch_ns_frame_udp", "switch CPU ns/frame (UDP)", 1, 0),
]


def summary(path):
    runs = {}
    setups = []
    with open(path) as f:
        for line in f:
            setup, metric, value = line.rstrip("\n").split("\t")
            if setup not in setups:
                setups.append(setup)
            runs.setdefault((setup, metric), []).append(float(value))
    med = {k: statistics.median(v) for k, v in runs.items()}
    width = max(len(s) for s in setups) + 2
    print("%-27s" % "median of runs" + "".join("%*s" % (width, s) for s in setups))
    for metric, label, scale, digits in METRICS:
        if not any((s, metric) in med for s in setups):
            continue
        cells = []
        for s in setups:
            v = med.get((s, metric))
            cells.append("%*s" % (width, "-" if v is None else "%.*f" % (digits, v * scale)))
        print("%-27s" % label + "".join(cells))
    print()
    for s in setups:
        if s.startswith("kernel"):
            continue
        for base in (b for b in setups if b.startswith("kernel")):
            print("%s vs %s: %s" % (s, base, ratios(med, s, base)))


def ratios(med, s, base):
    """The goals: TCP >= 50% of the kernel's, added RTT < 100 us."""
    def ratio(metric):
        a, b = med.get((s, metric)), med.get((base, metric))
        return None if a is None or not b else "%.1f%%" % (100.0 * a / b)

    def added(metric):
        a, b = med.get((s, metric)), med.get((base, metric))
        return None if a is None or b is None else "%+.0f us" % (a - b)

    parts = [("TCP throughput", ratio("tcp_bps"), " (goal >= 50%)"),
             ("UDP 64B pps", ratio("udp_pps"), ""),
             ("added ping RTT", added("ping_avg_us"), " (goal < 100 us)"),
             ("added ping p50", added("ping_p50_us"), ""),
             ("added UDP RR p50", added("udp_rr_p50_us"), ""),
             ("added TCP RR p50", added("tcp_rr_p50_us"), "")]
    return ", ".join("%s %s%s" % (name, v, goal) for name, v, goal in parts if v is not None)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "topology":
        topology(args[0])
    elif cmd == "wait-address":
        wait_address(args[0], args[1], args[2])
    elif cmd == "rr-server":
        rr_server(int(args[0]))
    elif cmd == "rr-client":
        rr_client(args[0], int(args[1]), args[2], int(args[3]))
    elif cmd == "iperf":
        iperf(args[0], args[1])
    elif cmd == "cpu":
        cpu(int(args[0]), float(args[1]), args[2:])
    elif cmd == "ping-stats":
        ping_stats(sys.stdin)
    elif cmd == "summary":
        summary(args[0])
    else:
        sys.exit("unknown subcommand " + cmd)


if __name__ == "__main__":
    main(sys.argv)
