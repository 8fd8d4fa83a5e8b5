#!/usr/bin/env bash
# What carrying NetApp's whole API costs: the built-in spec (the 9.8 import with the curated spec
# on top) against the curated spec alone (`--spec spec/openapi.yaml`, what the binary carried
# before), on the same release binary, with farm-bench (runs alternating, the ratio pair by
# pair). Three pairs: a run of one case against the embedded emulator (the start-up a run adds),
# `spec check`, and `spec table`. Then the binary's size.
#
#   scripts/bench/layers.sh [RUNS]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
bench_runs "${1:-}" 10
cargo build --release --quiet
bin=target/release/ontap-conform
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
command -v farm-bench >/dev/null || { echo "farm-bench is not on PATH" >&2; exit 2; }

pair() {
    local what="$1"; shift
    echo "== $what: built-in (A) against the curated spec alone (B)"
    farm-bench -n "$runs" --vs "$bin $* --spec spec/openapi.yaml" -- "$bin" "$@" 2>&1 |
        grep -E '^(A|B) (wall s|peak MiB)|^A/B wall'
}
pair "a run of one case" run --filter iscsi-create-none --report-dir "$out/reports"
pair "spec check" spec check
pair "spec table" spec table
printf '== binary: %.1f MB\n' "$(($(stat -c %s "$bin") / 1000))e-3"
