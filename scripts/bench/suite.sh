#!/usr/bin/env bash
# The whole suite against the embedded emulator, N times (default 5): each run's wall time and
# peak RSS, then the medians. Targets: under 1 s and under 100 MB.
#
#   scripts/bench/suite.sh [RUNS]
#
# Release build, as a user runs it. /usr/bin/time (Debian's `time` package) measures the process
# from outside, so the figures include start-up, spec and case loading, and writing the reports.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
bench_runs "${1:-}" 5
bench_prepare
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "whole suite against the embedded emulator, $runs runs ($(nproc) cores)"
: >"$out/figures"
for i in $(seq 1 "$runs"); do
    bench_timed_run "$out" --report-dir "$out/reports"
    printf 'run %d: wall %s s, peak RSS %.1f MiB  (%s)\n' "$i" "$wall" "$(mib "$kib")" "$(tail -n 1 "$out/stdout")"
done
bench_medians "$out"
printf 'median: wall %s s (target < 1 s), peak RSS %.1f MiB (target < 100 MB)\n' "$wall" "$(mib "$kib")"
