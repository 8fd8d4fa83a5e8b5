#!/usr/bin/env bash
# `spec import` of NetApp's 9.8 definition (spec/sources/ontap-api/swagger-9.8.yaml.gz: 3.2 MB of
# YAML, gzipped), N times (default 5): each run's wall time and peak RSS, then the medians; then
# one run's stages (unpacking, reading the YAML, converting: the importer's own debug lines) and,
# for scale, `spec check` of what it wrote. Target: the import under 2 s.
#
#   scripts/bench/import.sh [RUNS]
#
# Release build, as a user runs it. /usr/bin/time (Debian's `time` package) measures the process
# from outside, so the figures include start-up and writing the 4.3 MB of JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
bench_runs "${1:-}" 5
bench_prepare
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
src=spec/sources/ontap-api/swagger-9.8.yaml.gz

# One `$bin "$@"` under /usr/bin/time; appends "wall kib" to $out/figures and says when it failed.
timed() {
    local status=0
    /usr/bin/time -o "$out/time" -f "%e %M" "$bin" "$@" >"$out/stdout" 2>"$out/stderr" || status=$?
    cat "$out/time" >>"$out/figures"
    if [ "$status" -ne 0 ]; then
        echo "$* exited $status; its figures are not a clean run's:" >&2
        tail -n 20 "$out/stderr" >&2
    fi
}

echo "spec import of $src, $runs runs ($(nproc) cores)"
: >"$out/figures"
for i in $(seq 1 "$runs"); do
    timed spec import "$src" --output "$out/ontap-9.8.json"
    read -r wall kib <"$out/time"
    printf 'run %d: wall %s s, peak RSS %.1f MiB\n' "$i" "$wall" "$(mib "$kib")"
done
tail -n 1 "$out/stderr"
bench_medians "$out"
printf 'median: wall %s s (target < 2 s), peak RSS %.1f MiB\n' "$wall" "$(mib "$kib")"

echo "stages of one run:"
ONTAP_CONFORM_LOG=ontap_conform=debug "$bin" spec import "$src" --output "$out/ontap-9.8.json" 2>&1 |
    grep ' DEBUG ' | sed 's/^.* DEBUG /  /'

: >"$out/figures"
for i in $(seq 1 "$runs"); do
    timed spec check --no-builtin-cases --spec "$out/ontap-9.8.json"
done
bench_medians "$out"
printf 'spec check of the import (565 operations, every schema compiled), median of %d: wall %s s, peak RSS %.1f MiB\n' \
    "$runs" "$wall" "$(mib "$kib")"
