#!/usr/bin/env bash
# The runner with many cases (default 1,000, 10,000 and 100,000): wall time and peak RSS of
# `ontap-conform run` against the embedded emulator, and the time per case and the peak RSS per
# size, which stay flat when time grows linearly and memory does not grow with the cases.
#
#   scripts/bench/runner_scale.sh [RUNS]          # RUNS per size, default 1 (100,000 cases take
#                                                 # about 13 minutes a run here)
#   SIZES="1000 5000 10000" scripts/bench/runner_scale.sh 3
#
# The cases are the shipped suite (cases/) copied round-robin until there are SIZE of them, each
# copy with its own id, so the mix is the real one: a fifth of them are exclusive (FIPS, emulator
# conditions) and run alone, and security jobs take their 20 ms steps. A script rather than a
# criterion bench: one run at 10,000 cases takes about a minute, criterion wants at least ten
# samples per figure, and peak RSS is measured from outside the process (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes="${SIZES:-1000 10000 100000}"
source scripts/bench/common.sh
bench_runs "${1:-}" 1
bench_prepare
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# SIZE copies of cases/*/*.yaml, round-robin, into DIR/<area>/<name>-<copy>.yaml with the id
# suffixed by the copy number (the first line of every case file is its id).
generate() {
    local size="$1" dir="$2"
    mkdir -p "$dir"
    awk -v size="$size" -v dir="$dir" '
        FNR == 1 { t++; n = split(FILENAME, p, "/"); area[t] = p[n - 1]; name[t] = p[n]; sub(/\.yaml$/, "", name[t]) }
        { lines[t, FNR] = $0; count[t] = FNR }
        END {
            for (a in area) system("mkdir -p \"" dir "/" area[a] "\"")
            for (i = 0; i < size; i++) {
                k = i % t + 1; c = int(i / t)
                f = dir "/" area[k] "/" name[k] "-" c ".yaml"
                print lines[k, 1] "-" c > f
                for (l = 2; l <= count[k]; l++) print lines[k, l] > f
                close(f)
            }
        }' cases/*/*.yaml
}

echo "the runner against the embedded emulator, $runs runs per size ($(nproc) cores)"
: >"$work/figures"
for size in $sizes; do
    generate "$size" "$work/cases-$size"
    for i in $(seq 1 "$runs"); do
        bench_timed_run "$work" --no-builtin-cases --cases "$work/cases-$size" --report-dir "$work/reports"
        printf '%7d cases, run %d: wall %7.2f s, peak RSS %7.1f MiB, %.2f ms per case  (%s)\n' \
            "$size" "$i" "$wall" "$(mib "$kib")" \
            "$(awk -v w="$wall" -v n="$size" 'BEGIN { print w * 1000 / n }')" "$(tail -n 1 "$work/stdout")"
    done
    bench_medians "$work"
    printf '%7d cases, median: wall %7.2f s, peak RSS %7.1f MiB, %.2f ms per case\n' "$size" "$wall" \
        "$(mib "$kib")" "$(awk -v w="$wall" -v n="$size" 'BEGIN { print w * 1000 / n }')"
    printf '| %d | %.2f s | %.2f ms | %.1f MiB |\n' "$size" "$wall" \
        "$(awk -v w="$wall" -v n="$size" 'BEGIN { print w * 1000 / n }')" "$(mib "$kib")" >>"$work/table"
    rm -rf "$work/cases-$size"
done
echo
echo "| cases | wall (median) | time per case | peak RSS |"
echo "|---|---|---|---|"
cat "$work/table"
