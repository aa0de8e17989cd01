#!/usr/bin/env bash
# Live-mode data-plane benchmark: real packets between instance namespaces
# through minivpc's user-space switch, side by side with a kernel baseline
# (two namespaces on a Linux bridge with an nftables "security group").
#
#   bash bench/live_bench.sh [BUILD_DIR]     # default build; needs root
#
# For each setup it runs, 3 times each: iperf3 TCP throughput, iperf3 UDP
# with 64-byte datagrams at an unlimited rate (packets/s the receiver got),
# ping (200 x 5 ms), and 1-byte UDP/TCP request/response round trips
# (bench/live_bench.py). It prints the medians, the ratios minivpc/kernel
# (goal: TCP >= 50%) and the RTT minivpc adds (goal: < 100 us).
#
# Setups: minivpc-same (two instances in one subnet), minivpc-xsub (two
# subnets: route table and both NACLs apply), kernel (bridge + nftables with
# the veths' default offloads) and, when ethtool is present, kernel-1500 (TCP
# only, TSO/GSO/GRO off so the kernel moves MTU-sized frames; minivpc's TAPs
# have offloads, so kernel is the comparison that counts).
#
# Safety: traffic flows only between namespaces this script (mvb-*) or
# minivpc (mv-<tag>-*) creates; nothing is configured in the host's namespace.
# Skips (exit 0) without root, /dev/net/tun, network namespaces or the
# tools. Another live-mode minivpc may run meanwhile (its namespaces carry
# another tag and are left alone), though it competes for the CPUs.
# LIVE_BENCH_SECONDS (TCP, default 5) and
# LIVE_BENCH_UDP_SECONDS (default 3) bound the runtime (~2 min).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/minivpc"
PY=/usr/bin/python3
HELPER="$ROOT/bench/live_bench.py"
TCP_SECS=${LIVE_BENCH_SECONDS:-5}
UDP_SECS=${LIVE_BENCH_UDP_SECONDS:-3}
RUNS=3
RR_PORT=7777
RR_COUNT=2000
SERVER=""
WORK=""

skip() {
  echo "live bench: skipped: $*"
  exit 0
}

[ "$(id -u)" -eq 0 ] || skip "needs root (it creates network namespaces)"
if ! [ -c /dev/net/tun ] || ! [ -r /dev/net/tun ] || ! [ -w /dev/net/tun ]; then
  skip "no usable /dev/net/tun"
fi
for tool in ip iperf3 ping udhcpc nft; do
  command -v "$tool" >/dev/null || skip "missing tool: $tool (scripts/setup.sh installs it)"
done
"$PY" -c 'import boto3' 2>/dev/null || skip "$PY has no boto3"
[ -x "$BIN" ] || skip "no $BIN (build it first)"
probe="mvb-probe-$$"
ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces"
ip netns del "$probe"

# Removes every mvb-* namespace (and so its veths and bridge), killing what
# runs inside first.
remove_baseline() {
  local ns
  for ns in $(ip netns list | awk '$1 ~ /^mvb-/ {print $1}'); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}

stop_server() {
  [ -n "$SERVER" ] || return 0
  kill -TERM "$SERVER" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}

cleanup() {
  set +e
  stop_server
  remove_baseline
  [ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

remove_baseline
WORK=$(mktemp -d /tmp/minivpc-live-bench.XXXXXX)
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

# Runs a command in a setup's host: an instance id (minivpc exec) or an
# mvb-* namespace.
run_in() {
  local where=$1
  shift
  case "$where" in
    mvb-*) ip netns exec "$where" "$@" ;;
    *) "$BIN" exec "$where" -- "$@" ;;
  esac
}

record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS"; }

# Samples the switch (the busiest thread of minivpc, pid $1) from 1 s after
# start for $2 s, with the frames the two instances $3 $4 sent, into $WORK/cpu
# as "busiest% total% ns-per-frame". Runs in the background.
sample_switch() {
  (sleep 1; "$PY" "$HELPER" cpu "$1" "$2" "$(ns_of "$3")" "$(ns_of "$4")" > "$WORK/cpu") &
}

# The namespace of live instance $1: mv-<tag>-<instance-id>.
ns_of() {
  ip netns list | awk -v id="$1" '$1 ~ /^mv-/ && substr($1, length($1) - length(id)) == "-" id {
    print $1 }'
}

# measure SETUP CLIENT SERVER SERVER_IP WHAT [SWITCH_PID]
# WHAT is "all" or "tcp". With SWITCH_PID (minivpc), the switch thread's CPU
# is sampled during the TCP and UDP runs.
measure() {
  local setup=$1 client=$2 server=$3 ip=$4 what=$5 pid=${6:-}
  local r out bps retrans pps loss avg p50 mdev lost busiest per_frame job servers=()
  echo "== $setup: $client -> $server ($ip)"
  run_in "$server" iperf3 -s -p 5201 >/dev/null 2>&1 &
  servers+=($!)
  if [ "$what" = all ]; then
    run_in "$server" "$PY" "$HELPER" rr-server "$RR_PORT" >/dev/null 2>&1 &
    servers+=($!)
  fi
  for _ in $(seq 50); do
    run_in "$server" ss -Hltn 'sport = :5201' | grep -q . && break
    sleep 0.1
  done
  run_in "$client" ping -c 3 -i 0.2 -W 2 -q "$ip" >/dev/null ||
    { echo "live bench: $setup: no ping reply from $ip" >&2; return 1; }
  for r in $(seq "$RUNS"); do
    [ -z "$pid" ] || { sample_switch "$pid" "$((TCP_SECS - 2))" "$client" "$server"; job=$!; }
    run_in "$client" iperf3 -c "$ip" -p 5201 -t "$TCP_SECS" -J > "$WORK/tcp.json" || true
    read -r bps retrans < <("$PY" "$HELPER" iperf "$WORK/tcp.json" tcp)
    record "$setup" tcp_bps "$bps"
    record "$setup" tcp_retrans "$retrans"
    out="TCP $(awk '{printf "%.2f Gbit/s", $1 / 1e9}' <<< "$bps") ($retrans retransmits)"
    if [ -n "$pid" ]; then
      wait "$job"
      read -r busiest _ per_frame < "$WORK/cpu"
      record "$setup" switch_cpu "$busiest"
      record "$setup" switch_ns_frame "$per_frame"
      out+=" [switch thread $busiest% CPU, $per_frame ns/frame]"
    fi
    if [ "$what" = all ]; then
      [ -z "$pid" ] || { sample_switch "$pid" "$((UDP_SECS - 1))" "$client" "$server"; job=$!; }
      run_in "$client" iperf3 -c "$ip" -p 5201 -u -l 64 -b 0 -t "$UDP_SECS" -J \
        > "$WORK/udp.json" || true
      read -r pps loss < <("$PY" "$HELPER" iperf "$WORK/udp.json" udp)
      record "$setup" udp_pps "$pps"
      record "$setup" udp_loss "$loss"
      out+=", UDP64 $(awk '{printf "%.1f", $1 / 1e3}' <<< "$pps") kpps ($loss% lost)"
      if [ -n "$pid" ]; then
        wait "$job"
        read -r busiest _ per_frame < "$WORK/cpu"
        record "$setup" switch_cpu_udp "$busiest"
        record "$setup" switch_ns_frame_udp "$per_frame"
        out+=" [switch $busiest%, $per_frame ns/frame]"
      fi
      read -r avg p50 mdev lost < <(run_in "$client" ping -c 200 -i 0.005 "$ip" |
        "$PY" "$HELPER" ping-stats)
      record "$setup" ping_avg_us "$avg"
      record "$setup" ping_p50_us "$p50"
      record "$setup" ping_mdev_us "$mdev"
      out+=", ping avg/p50 ${avg}/${p50}us ($lost lost)"
      for proto in udp tcp; do
        run_in "$client" "$PY" "$HELPER" rr-client "$ip" "$RR_PORT" "$proto" "$RR_COUNT" \
          > "$WORK/rr.json"
        for k in p50_us p99_us tps; do
          record "$setup" "${proto}_rr_$k" "$("$PY" -c \
            'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
            "$WORK/rr.json" "$k")"
        done
        out+=", $proto RR p50 $("$PY" -c \
          'import json, sys; print("%.0f" % json.load(open(sys.argv[1]))["p50_us"])' \
          "$WORK/rr.json")us"
      done
    fi
    echo "  run $r: $out"
  done
  kill "${servers[@]}" 2>/dev/null || true
  wait "${servers[@]}" 2>/dev/null || true
}

# --- minivpc ---------------------------------------------------------------
echo "live bench: minivpc $BIN (work dir $WORK)"
# --in-memory keeps its run files in ./var/live: run it from the work dir.
(cd "$WORK" && exec "$BIN" serve --live --in-memory --listen 127.0.0.1:0 \
  --port-file "$WORK/port") > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do
  [ -s "$WORK/port" ] && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.1
done
if [ ! -s "$WORK/port" ]; then
  echo "live bench: minivpc serve --live did not start:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi
EP="http://127.0.0.1:$(cat "$WORK/port")"
eval "$("$PY" "$HELPER" topology "$EP")"
for x in A B C; do
  ip_var=${x}_IP
  "$PY" "$HELPER" wait-address "$BIN" "${!x}" "${!ip_var}"
done
echo "instances: A=$A ($A_IP) B=$B ($B_IP) in one subnet, C=$C ($C_IP) in another"
# Statistics of the instances' eth0 (TAP) before the traffic, to report drops.
for x in A B; do run_in "${!x}" ip -s link show eth0 > "$WORK/link-$x.before"; done

measure minivpc-same "$A" "$B" "$B_IP" all "$SERVER"
measure minivpc-xsub "$A" "$C" "$C_IP" all "$SERVER"

echo "== minivpc TAP counters (instance side; tx_dropped on A = frames the switch did not read in time)"
for x in A B; do
  echo "-- $x eth0 before / after"
  grep -A1 -E 'RX:|TX:' "$WORK/link-$x.before" | grep -v -- '--' | sed 's/^/   /'
  run_in "${!x}" ip -s link show eth0 | grep -A1 -E 'RX:|TX:' | grep -v -- '--' | sed 's/^/   /'
done
stop_server

# --- kernel baseline -------------------------------------------------------
# mvb-a and mvb-b on a bridge in mvb-br; every device is created inside
# those namespaces, never in the host's.
for ns in mvb-br mvb-a mvb-b; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n mvb-br link add br0 type bridge
ip -n mvb-br link set br0 up
n=1
for x in a b; do
  ip -n mvb-br link add "v$x" type veth peer name eth0 netns "mvb-$x"
  ip -n mvb-br link set "v$x" master br0 up
  ip -n "mvb-$x" addr add "10.250.0.$n/24" dev eth0
  ip -n "mvb-$x" link set eth0 up
  n=$((n + 1))
done
# A security group's worth of rules with conntrack. Bridged IPv4 reaches the
# inet forward hook through br_netfilter (bridge-nf-call-iptables, per
# namespace, 1 by default); the bridge family has no conntrack on kernels
# without nf_conntrack_bridge.
if ip netns exec mvb-br nft -f - 2>/dev/null <<EOF; then
table inet mvb {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related counter accept
    ct state invalid counter drop
    ip saddr 10.250.0.0/24 ip protocol tcp counter accept
    ip saddr 10.250.0.0/24 ip protocol udp counter accept
    ip saddr 10.250.0.0/24 ip protocol icmp counter accept
  }
}
EOF
  NFT_MODE="inet forward + conntrack (via br_netfilter)"
else
  ip netns exec mvb-br nft -f - <<EOF
table bridge mvb {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr 10.250.0.0/24 ip protocol tcp counter accept
    ip saddr 10.250.0.0/24 ip protocol udp counter accept
    ip saddr 10.250.0.0/24 ip protocol icmp counter accept
  }
}
EOF
  NFT_MODE="bridge forward, stateless (no conntrack in this kernel)"
fi
echo "kernel baseline: mvb-a (10.250.0.1) -- br0 in mvb-br -- mvb-b (10.250.0.2); nftables: $NFT_MODE"

measure kernel mvb-a mvb-b 10.250.0.2 all
pkts=$(ip netns exec mvb-br nft list ruleset | awk '/counter packets/ {for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1)} END {print s + 0}')
echo "  nftables rules matched $pkts packets"
[ "$pkts" -gt 0 ] || echo "  WARNING: the nftables rules saw no packets: the baseline ran unfiltered"

if command -v ethtool >/dev/null; then
  for dev in mvb-a:eth0 mvb-b:eth0 mvb-br:va mvb-br:vb; do
    ip netns exec "${dev%%:*}" ethtool -K "${dev#*:}" tso off gso off gro off >/dev/null 2>&1 ||
      true
  done
  measure kernel-1500 mvb-a mvb-b 10.250.0.2 tcp
fi
remove_baseline

# --- summary ---------------------------------------------------------------
echo
echo "== live data plane: minivpc vs kernel (median of $RUNS runs; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
"$PY" "$HELPER" summary "$RESULTS"
