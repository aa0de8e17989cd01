#!/bin/sh
# Usage: run_fuzzer.sh FUZZER SEED_DIR SECONDS [libFuzzer flags...]
#
# Runs a libFuzzer binary for SECONDS on a scratch copy of SEED_DIR, so the
# committed seed corpus is never modified. Exits non-zero if the fuzzer finds a
# crash, leak, timeout or out-of-memory; the input that triggered it is kept in
# $FUZZ_ARTIFACT_DIR (default ./fuzz-artifacts) for replay:
#   FUZZER fuzz-artifacts/crash-<sha1>
set -eu
if [ $# -lt 3 ]; then
  echo "usage: $0 FUZZER SEED_DIR SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
fuzzer=$1
seeds=$2
seconds=$3
shift 3

artifacts=${FUZZ_ARTIFACT_DIR:-$PWD/fuzz-artifacts}
mkdir -p "$artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus"
cp "$seeds"/* "$work/corpus/"

status=0
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$work/corpus" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run_fuzzer.sh: $fuzzer failed (exit $status); reproducer in $artifacts/" >&2
fi
exit "$status"
