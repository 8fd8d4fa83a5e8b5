# Shared by the bench scripts. suite.sh and runner_scale.sh measure `ontap-conform run` from
# outside with /usr/bin/time (the RUNS argument, /usr/bin/time itself, the release binary, one
# timed run, the medians of the runs); load.sh shares the median.

# Sets $runs from "$1" (or the default "$2"); exits 2 with a usage line unless it is a positive
# integer.
bench_runs() {
    runs="${1:-$2}"
    case "$runs" in '' | *[!0-9]* | 0) echo "usage: $0 [RUNS]  (RUNS a positive integer)" >&2; exit 2 ;; esac
}

# Installs Debian's `time` package when /usr/bin/time is missing, builds the release binary, and
# sets $bin to it.
bench_prepare() {
    if [ ! -x /usr/bin/time ]; then
        echo "installing Debian's time package for /usr/bin/time" >&2
        apt-get install -y -qq time >/dev/null
    fi
    cargo build --release --quiet
    bin=target/release/ontap-conform
}

# Sets $bin to an absolute path of the ontap-conform binary: $ONTAP_CONFORM_BIN when set (a
# release build made elsewhere, so that a bench need not build in a tree someone is working in),
# else the release build, built here (peers.sh).
bench_binary() {
    if [ -n "${ONTAP_CONFORM_BIN:-}" ]; then
        [ -x "$ONTAP_CONFORM_BIN" ] || { echo "ONTAP_CONFORM_BIN=$ONTAP_CONFORM_BIN is not an executable" >&2; exit 2; }
        bin="$(cd "$(dirname "$ONTAP_CONFORM_BIN")" && pwd)/$(basename "$ONTAP_CONFORM_BIN")"
    else
        cargo build --release --quiet
        bin="$(pwd)/target/release/ontap-conform"
    fi
}

# Installs the Debian packages named (e.g. `wrk`) whose command is missing.
bench_debian() {
    local need=() p
    for p in "$@"; do command -v "$p" >/dev/null || need+=("$p"); done
    [ "${#need[@]}" -eq 0 ] && return 0
    echo "installing ${need[*]} from Debian" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

# The median of the numbers on stdin, one a line (the mean of the middle two for an even count).
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Kibibytes as mebibytes, for printing.
mib() { awk -v k="$1" 'BEGIN { print k / 1024 }'; }

# One `$bin run "${@:2}"` under /usr/bin/time, its output in DIR/stdout and DIR/stderr ($1 is
# DIR). Sets $wall (seconds) and $kib (peak RSS), appends both to DIR/figures, and when the run
# exited non-zero says so with the tail of its stderr (its figures are not a clean run's).
bench_timed_run() {
    local dir="$1" status=0
    shift
    /usr/bin/time -o "$dir/time" -f "%e %M" "$bin" run "$@" >"$dir/stdout" 2>"$dir/stderr" || status=$?
    read -r wall kib <"$dir/time"
    echo "$wall $kib" >>"$dir/figures"
    if [ "$status" -ne 0 ]; then
        echo "run exited $status; its figures are not a clean run's:" >&2
        tail -n 20 "$dir/stderr" >&2
    fi
}

# Sets $wall and $kib to the medians of DIR/figures ($1), then empties it for the next series.
bench_medians() {
    wall="$(cut -d' ' -f1 "$1/figures" | median)"
    kib="$(cut -d' ' -f2 "$1/figures" | median)"
    : >"$1/figures"
}

# `wrk_rate URL`: requests per second and requests sent by one wrk run of $threads threads,
# $connections connections and $duration against URL$path with the header $auth (load.sh and
# peers.sh). A run with non-2xx answers or socket errors is refused: a 401 is fast and proves
# nothing.
wrk_rate() {
    local out
    out="$(wrk -t"$threads" -c"$connections" -d"$duration" -H "$auth" ${wrk_script:+-s "$wrk_script"} "$1$path")"
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        echo "wrk saw errors against $1:" >&2
        echo "$out" >&2
        exit 2
    fi
    awk '/^Requests\/sec:/ { r = $2 } / requests in / { n = $1 } END { print r, n }' <<<"$out"
}

# `wrk_alternate LABEL_A URL_A LABEL_B URL_B FILE`: one 1 s warm-up run against each, then
# $rounds rounds of `wrk_rate` against A then B, each round printed; FILE gets one line per
# round: "A's rate, A's requests, B's rate, B's requests, A / B" (load.sh and peers.sh).
wrk_alternate() {
    local label_a="$1" a="$2" label_b="$3" b="$4" file="$5" r got ra na rb nb ratio
    wrk -t"$threads" -c"$connections" -d1s -H "$auth" ${wrk_script:+-s "$wrk_script"} "$a$path" >/dev/null
    wrk -t"$threads" -c"$connections" -d1s -H "$auth" ${wrk_script:+-s "$wrk_script"} "$b$path" >/dev/null
    : >"$file"
    for r in $(seq 1 "$rounds"); do
        # Through a variable, not a here-string of the substitution: a failing wrk_rate stops
        # the script.
        got="$(wrk_rate "$a")"
        read -r ra na <<<"$got"
        got="$(wrk_rate "$b")"
        read -r rb nb <<<"$got"
        ratio="$(awk -v a="$ra" -v b="$rb" 'BEGIN { print a / b }')"
        printf 'round %d: %s %10.0f req/s, %s %10.0f req/s, ratio %.2f\n' \
            "$r" "$label_a" "$ra" "$label_b" "$rb" "$ratio"
        echo "$ra $na $rb $nb $ratio" >>"$file"
    done
}
