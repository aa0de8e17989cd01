#!/usr/bin/env bash
# make bench: API throughput through real HTTP with keep-alive (wrk replaying
# SigV4-signed requests against the real server on a real SQLite file), then
# the Google Benchmark binaries. Each wrk case runs 3 times; the median is
# reported because this machine is shared and noisy. Usage:
#   bench/run.sh [BUILD_DIR]            (BENCH_ONLY=api: the wrk cases only)
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/minivpc"
WORK=$(mktemp -d /tmp/minivpc-bench.XXXXXX)
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
trap 'kill $SERVER 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" serve --listen 127.0.0.1:0 --state "$WORK/state.db" --port-file "$WORK/port" \
  > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
EP="http://127.0.0.1:$(cat "$WORK/port")"
echo "server: $EP (state $WORK/state.db)"

median_rps() {  # runs wrk 3 times with a Lua script; prints the median req/s
  local script=$1 out=() errors=0 res
  for _ in 1 2 3; do
    res=$(wrk -t1 -c"$CONNS" -d"$DURATION" -s "$script" "$EP/")
    out+=("$(awk '/Requests\/sec/ {print $2}' <<<"$res")")
    # Error answers are fast: a run with any would overstate the throughput.
    errors=$((errors + $(awk '/Non-2xx/ {n += $NF} END {print n + 0}' <<<"$res")))
  done
  printf '%s\n' "${out[@]}" | sort -n | sed -n 2p | tr '\n' ' '
  echo "(runs: ${out[*]})"
  if [ "$errors" -gt 0 ]; then echo "  INVALID: $errors non-2xx responses" >&2; fi
}

/usr/bin/python3 "$ROOT/bench/sign_request.py" "$EP" DescribeVpcs > "$WORK/describe.lua"
echo "DescribeVpcs req/s (median of 3, $CONNS connections, $DURATION): $(median_rps "$WORK/describe.lua")"

/usr/bin/python3 "$ROOT/bench/sign_request.py" "$EP" DescribeSubnets > "$WORK/subnets.lua"
SUBNET=$(AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1 \
  /usr/bin/aws --endpoint-url "$EP" ec2 describe-subnets \
  --filters Name=default-for-az,Values=true --query 'Subnets[0].SubnetId' --output text)
AUTH=$(grep -o '"Authorization"\] = "[^"]*"' "$WORK/subnets.lua" | sed 's/.*= "//; s/"$//')
DATE=$(grep -o '"X-Amz-Date"\] = "[^"]*"' "$WORK/subnets.lua" | sed 's/.*= "//; s/"$//')
sed -e "s|@AUTH@|$AUTH|" -e "s|@DATE@|$DATE|" -e "s|@SUBNET@|$SUBNET|" \
  "$ROOT/bench/eni_churn.lua.in" > "$WORK/churn.lua"
echo "CreateNetworkInterface+DeleteNetworkInterface req/s, durable (median of 3): $(median_rps "$WORK/churn.lua")"

kill $SERVER; wait $SERVER 2>/dev/null || true
# BENCH_ONLY=api: stop after the HTTP cases (the Google Benchmark binaries
# and the live benchmark take much longer).
[ "${BENCH_ONLY:-}" = api ] && exit 0

for b in "$ROOT/$BUILD"/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  flags=(--benchmark_repetitions=${BENCH_REPETITIONS:-1})
  # dataplane_bench prints minivpc/DPDK ratios of medians: 9 runs of each
  # case by default, interleaved in random order (Google Benchmark's random
  # interleaving), so that a phase of load on this shared host falls on
  # every case, minivpc's and the baseline's alike, instead of on whichever
  # case's runs happened to be under way.
  if [ "$(basename "$b")" = dataplane_bench ]; then
    flags=(--benchmark_repetitions=${BENCH_REPETITIONS:-9} --benchmark_enable_random_interleaving=true
      --benchmark_report_aggregates_only=true)
  fi
  "$b" "${flags[@]}"
done

# Where the established-flow time goes: the same case with fewer tracked
# flows (512: everything in cache; 8,192), next to the 65,536 above.
if [ -x "$ROOT/$BUILD/bench/dataplane_bench" ]; then
  for flows in 512 8192; do
    echo "== dataplane_bench, established flows only, DATAPLANE_BENCH_FLOWS=$flows"
    DATAPLANE_BENCH_FLOWS=$flows "$ROOT/$BUILD/bench/dataplane_bench" \
      --benchmark_filter='^BM_EstablishedFlow(_Single)?$' --benchmark_repetitions=3 \
      --benchmark_report_aggregates_only=true | grep -E '^  EstablishedFlow|_median'
  done
fi

# Live mode: real packets between instance namespaces vs a kernel bridge (root only; skips otherwise).
bash "$ROOT/bench/live_bench.sh" "$BUILD"
