#!/usr/bin/env bash
# Installs the Debian packages minivpc needs to build, test and benchmark.
# Idempotent: only missing packages are installed. Needs root (or sudo) when
# something is missing. See README "Dependencies" for why each one is here.
set -euo pipefail

PKGS=(
  cmake ninja-build g++ pkg-config
  libboost-dev            # Boost.Beast/Asio: HTTP server
  libsqlite3-dev sqlite3  # embedded durable state
  nlohmann-json3-dev      # JSON documents for state rows and the API model
  libcli11-dev            # command line parsing
  libfmt-dev              # formatting
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and benchmarks
  awscli python3-boto3    # the real clients the end-to-end tests drive
  wrk                     # HTTP load generator for the API benchmark
  clang-format clang-tidy # style
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for the packet parser fuzz test
  iproute2 udhcpc busybox   # live mode: namespaces, TAP devices, the instances' DHCP client
  iputils-ping netcat-openbsd curl iperf3 nftables  # live-mode tests and the kernel baseline
  libdpdk-dev pkg-config  # dataplane_bench baseline (rte_acl, rte_lpm, rte_hash)
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
