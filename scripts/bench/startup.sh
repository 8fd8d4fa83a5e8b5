#!/usr/bin/env bash
# How long the emulator takes to start with its spec-driven engine (NetApp's 9.8 definition read,
# the resources found, the seeded cluster made), and how much memory it then holds: the release
# `ontap-emulator --listen 127.0.0.1:0`, from its start until it prints its URL, then its VmRSS
# (/proc/PID/status) at that moment, and the engine's own share from its debug log line. Medians
# of RUNS starts (default 10).
#
#   scripts/bench/startup.sh [RUNS]
#   scripts/bench/startup.sh --once     one start, for timing the whole process from outside:
#                                       prints "SECONDS KIB ENGINE_MS" and stops the emulator
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
bin=target/release/ontap-emulator

# One start: the emulator's stdout through a FIFO, so the first line (the URL) is read the moment
# it is written; then its resident memory, then it is stopped and reaped.
once() {
    local dir fifo pid url started ended kib engine_ms
    dir="$(mktemp -d)"
    fifo="$dir/out"
    mkfifo "$fifo"
    started="$EPOCHREALTIME"
    RUST_LOG=ontap_emulator=debug "$bin" --listen 127.0.0.1:0 >"$fifo" 2>"$dir/log" &
    pid=$!
    read -r url <"$fifo"
    ended="$EPOCHREALTIME"
    kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    engine_ms="$(sed -n 's/.*engine built.* ms=\([0-9]*\).*/\1/p' "$dir/log" | head -n 1)"
    rm -rf "$dir"
    [ -n "$url" ] || { echo "the emulator printed no URL" >&2; exit 2; }
    awk -v a="$started" -v b="$ended" -v k="$kib" -v e="${engine_ms:-?}" \
        'BEGIN { printf "%.4f %d %s\n", b - a, k, e }'
}

if [ "${1:-}" = "--once" ]; then
    once
    exit 0
fi
bench_runs "${1:-}" 10
cargo build --release --quiet -p ontap-emulator
figures="$(mktemp)"
trap 'rm -f "$figures"' EXIT
once >/dev/null  # warm the page cache
for _ in $(seq 1 "$runs"); do once >>"$figures"; done
printf 'start-up to URL: %s s (median of %d; min %s, max %s)\n' \
    "$(cut -d' ' -f1 "$figures" | median)" "$runs" \
    "$(cut -d' ' -f1 "$figures" | sort -g | head -n 1)" "$(cut -d' ' -f1 "$figures" | sort -g | tail -n 1)"
printf 'VmRSS once listening: %s MiB (median)\n' "$(mib "$(cut -d' ' -f2 "$figures" | median)")"
printf 'the engine built in: %s ms (median)\n' "$(cut -d' ' -f3 "$figures" | median)"
