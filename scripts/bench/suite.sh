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

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "whole suite against the embedded emulator, $runs runs ($(nproc) cores)"
: >"$out/figures"
for i in $(seq 1 "$runs"); do
    status=0
    /usr/bin/time -o "$out/time" -f "%e %M" "$bin" run --report-dir "$out/reports" >"$out/stdout" 2>"$out/stderr" || status=$?
    read -r wall kib <"$out/time"
    summary="$(tail -n 1 "$out/stdout")"
    printf 'run %d: wall %s s, peak RSS %.1f MiB  (%s)\n' "$i" "$wall" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')" "$summary"
    if [ "$status" -ne 0 ]; then
        echo "run $i exited $status; its figures are not a clean run's:" >&2
        tail -n 20 "$out/stderr" >&2
    fi
    echo "$wall $kib" >>"$out/figures"
done
wall="$(cut -d' ' -f1 "$out/figures" | median)"
kib="$(cut -d' ' -f2 "$out/figures" | median)"
mb="$(awk -v k="$kib" 'BEGIN { print k / 1024 }')"
printf 'median: wall %s s (target < 1 s), peak RSS %.1f MiB (target < 100 MB)\n' "$wall" "$mb"
