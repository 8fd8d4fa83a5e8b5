#!/usr/bin/env bash
# The whole suite against a slow target: the emulator in its own process with `latency_ms` 0, 20,
# 100 and 300 (every /api request waits that long, as a cluster's answers take tens to hundreds
# of milliseconds), each run's wall time beside the critical path the scheduler computed (the
# longest chain of requests that must follow one another, x the latency): the floor no
# concurrency can go under. Targets at 100 ms: within 1.5 x the critical path, under 4 s.
#
#   scripts/bench/latency.sh [RUNS]     (default 3 runs per latency; LATENCIES="0 100" to choose;
#                                        RUN_ARGS="--generated" adds the generated checks)
#
# Default flags (`--jobs` as shipped), release build, destructive cases included (the emulator is
# throwaway), strict mode as against the embedded emulator.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
bench_runs "${1:-}" 3
bench_prepare
cargo build --release --quiet -p ontap-emulator
emu=target/release/ontap-emulator
out="$(mktemp -d)"
emu_pid=""
cleanup() {
    [[ -n "$emu_pid" ]] && kill "$emu_pid" 2>/dev/null || true
    rm -rf "$out"
}
trap cleanup EXIT INT TERM

"$emu" --listen 127.0.0.1:0 >"$out/url" 2>/dev/null &
emu_pid=$!
for _ in $(seq 1 100); do [[ -s "$out/url" ]] && break; sleep 0.1; done
url="$(head -n1 "$out/url")"
[[ -n "$url" ]] || { echo "the emulator did not start" >&2; exit 2; }

echo "whole suite${RUN_ARGS:+ ($RUN_ARGS)} against the emulator with latency, $runs runs each ($(nproc) cores)"
printf '%8s %10s %14s %8s\n' latency "wall (s)" "bound (s)" ratio
for lat in ${LATENCIES:-0 20 100 300}; do
    curl -s -u 'admin:Netapp1!' -X PATCH "$url/emulator/conditions" -d "{\"latency_ms\": $lat}" >/dev/null
    : >"$out/walls"
    for _ in $(seq 1 "$runs"); do
        start=$(date +%s.%N)
        ONTAP_PASSWORD='Netapp1!' "$bin" run --target "$url" --allow-destructive --strict \
            --report-dir "$out/reports" ${RUN_ARGS:-} >"$out/stdout" 2>&1 || { tail -n 20 "$out/stdout"; exit 1; }
        end=$(date +%s.%N)
        awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }' >>"$out/walls"
    done
    wall="$(median <"$out/walls")"
    # The bound: the critical path, or every planned request spread over the jobs, whichever
    # is longer (thousands of short reads are bound by the jobs, not by a chain).
    chain="$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["schedule"]; print(max(s["critical_path_requests"], -(-s.get("planned_requests", 0) // s["jobs"])))' "$out/reports/conformance.json")"
    critical="$(awk -v n="$chain" -v l="$lat" 'BEGIN { printf "%.2f", n * l / 1000 }')"
    ratio="$(awk -v w="$wall" -v c="$critical" 'BEGIN { if (c > 0) printf "%.2f", w / c; else print "-" }')"
    printf '%6s ms %10s %9s (%3s req) %8s\n' "$lat" "$wall" "$critical" "$chain" "$ratio"
done
