# Shared by scripts/bench/suite.sh and runner_scale.sh, which measure `ontap-conform run` from
# outside with /usr/bin/time: the RUNS argument, /usr/bin/time itself and the release binary.

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

