#!/usr/bin/env bash
# What the generated checks add to the suite against the embedded emulator: N rounds (default 7)
# of the built-in suite alone and of the suite with `--generated`, alternating so that both see
# the same machine, then both medians, their difference and the number of generated checks.
# Target: the generated checks add under 1 s.
#
#   scripts/bench/generated.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
bench_runs "${1:-}" 7
bench_prepare
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/plain" "$out/gen"

echo "built-in suite alone and with --generated, $runs alternating rounds ($(nproc) cores)"
for i in $(seq 1 "$runs"); do
    bench_timed_run "$out/plain" --report-dir "$out/plain/reports"
    a="$wall"
    bench_timed_run "$out/gen" --generated --report-dir "$out/gen/reports"
    printf 'round %d: suite %s s, suite + generated %s s  (%s)\n' "$i" "$a" "$wall" "$(tail -n 1 "$out/gen/stdout")"
done
bench_medians "$out/plain"
plain="$wall"
bench_medians "$out/gen"
count="$(python3 -c "import json,sys; print(sum(1 for c in json.load(open(sys.argv[1]))['cases'] if c['area']=='generated'))" "$out/gen/reports/conformance.json")"
printf 'median: suite %s s, suite + %s generated checks %s s: the generated checks add %s s (target < 1 s), peak RSS %.1f MiB\n' \
    "$plain" "$count" "$wall" "$(awk -v a="$wall" -v b="$plain" 'BEGIN { printf "%.2f", a - b }')" "$(mib "$kib")"
