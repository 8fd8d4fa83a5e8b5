#!/usr/bin/env bash
# Emulator throughput under a standard load generator (wrk), side by side with nginx serving the
# same bytes as a static file: both rates and their ratio. Target: the emulator at least 0.90 of
# nginx.
#
#   scripts/bench/load.sh            # ROUNDS=5 DURATION=5s CONNECTIONS=16 THREADS=1 WORKERS=nproc
#   QUIET=1 scripts/bench/load.sh    # neither server logs each request
#   ENGINE=1 scripts/bench/load.sh   # records the spec-driven engine serves, a different one
#                                    # each request (see below)
#
# ENGINE=1: instead of one path, the records the engine serves for NetApp's imported API (the
# first records of the volumes, aggregates, nodes, qtrees, LUNs, snapshot and export policies,
# job schedules, IP interfaces, broadcast domains and more, each by its own `_links.self.href`),
# a wrk script sending each in turn, so no two requests in a row ask for the same record; nginx
# serves each record's bytes at the same path.
#
# The request is `GET /api/protocols/san/iscsi/credentials?fields=*` as admin/Netapp1! (the
# emulator's well-known starting password). nginx answers the file the emulator sent once,
# without checking credentials: it is the floor of what serving those bytes over HTTP costs on
# this machine, so the ratio says how much the emulator's own work (auth, routing, state, JSON)
# costs on top. Both servers log one line per request to a file, as each does by default (QUIET=1:
# neither does, to see what the log line costs each). Both get the same number of threads,
# WORKERS: the emulator's tokio worker threads (TOKIO_WORKER_THREADS) and nginx's
# `worker_processes`; wrk drives both with the same THREADS and CONNECTIONS and shares the cores
# with the server it drives, the same way for both. Rounds alternate the two servers; the ratio
# printed is the median of each round's ratio, since a round's pair runs seconds apart while
# whatever else the machine does changes between rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
rounds="${ROUNDS:-5}"
duration="${DURATION:-5s}"
connections="${CONNECTIONS:-16}"
threads="${THREADS:-1}"
workers="${WORKERS:-$(nproc)}"
quiet="${QUIET:-0}"
path='/api/protocols/san/iscsi/credentials?fields=*'
auth="Authorization: Basic $(printf '%s' 'admin:Netapp1!' | base64)"

need=()
command -v wrk >/dev/null || need+=(wrk)
[ -x /usr/sbin/nginx ] || need+=(nginx)
if [ "${#need[@]}" -gt 0 ]; then
    echo "installing ${need[*]} from Debian" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    # Where no policy-rc.d stops it, the package starts the system's nginx on port 80; only
    # ours should run.
    if [[ " ${need[*]} " == *" nginx "* ]] && [ -s /run/nginx.pid ]; then
        /usr/sbin/nginx -s quit || true
    fi
fi
cargo build --release --quiet
bin=target/release/ontap-conform

work="$(mktemp -d)"
if [ "$quiet" = 1 ]; then
    logs=off emulator_log=warn access_log=off
else
    logs=on emulator_log=info access_log="$work/nginx-access.log"
fi
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    local p="$1"
    while [ -n "$(ss -Hltn "sport = :$p")" ]; do p=$((p + 1)); done
    echo "$p"
}

# The emulator, on a free port it picks and prints.
TOKIO_WORKER_THREADS="$workers" ONTAP_CONFORM_LOG="$emulator_log" "$bin" emulate --listen 127.0.0.1:0 >"$work/emulator.out" 2>"$work/emulator.log" &
pids+=($!)
for _ in $(seq 100); do
    grep -q '^ONTAP emulator listening on ' "$work/emulator.out" && break
    sleep 0.1
done
emulator="$(sed -n 's/^ONTAP emulator listening on //p' "$work/emulator.out")"
[ -n "$emulator" ] || { echo "the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 2; }

# nginx: the emulator's answer, byte for byte, at the same path.
mkdir -p "$work/www/api/protocols/san/iscsi"
curl -fsS -H "$auth" "$emulator$path" -o "$work/www/api/protocols/san/iscsi/credentials"
paths=("$path")
if [ "${ENGINE:-0}" = 1 ]; then
    paths=()
    for c in storage/volumes storage/aggregates cluster/nodes storage/qtrees storage/luns \
        storage/snapshot-policies protocols/nfs/export-policies cluster/schedules \
        network/ip/interfaces network/ethernet/broadcast-domains network/ethernet/ports \
        storage/disks name-services/dns protocols/san/igroups storage/qos/policies; do
        while read -r href; do
            [ -n "$href" ] && paths+=("$href")
        done < <(curl -fsS -H "$auth" "$emulator/api/$c?max_records=4" |
            python3 -c 'import json,sys; [print(r["_links"]["self"]["href"]) for r in json.load(sys.stdin).get("records", []) if "_links" in r]')
    done
    for p in "${paths[@]}"; do
        mkdir -p "$work/www$(dirname "$p")"
        curl -fsS -H "$auth" "$emulator$p" -o "$work/www$p"
    done
    path="${paths[0]}"
    wrk_script="$work/paths.lua"
    {
        echo "paths = {"
        printf '  "%s",\n' "${paths[@]}"
        echo "}"
        echo 'i = 0'
        echo 'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end'
    } >"$wrk_script"
fi
chmod -R a+rX "$work"
port="$(free_port 18480)"
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes $workers;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log $access_log;
    client_body_temp_path $work/tmp;
    proxy_temp_path $work/tmp;
    fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp;
    scgi_temp_path $work/tmp;
    default_type application/hal+json;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port;
        root $work/www;
    }
}
CONF
mkdir -p "$work/tmp"
/usr/sbin/nginx -e "$work/nginx-error.log" -c "$work/nginx.conf" &
pids+=($!)
nginx="http://127.0.0.1:$port"
for _ in $(seq 100); do
    curl -fsS -o /dev/null "$nginx$path" 2>/dev/null && break
    sleep 0.1
done
for p in "${paths[@]}"; do
    curl -fsS "$nginx$p" -o "$work/from-nginx"
    file="$work/www$p"
    [ "$p" = "${paths[0]}" ] && [ "${ENGINE:-0}" != 1 ] && file="$work/www/api/protocols/san/iscsi/credentials"
    cmp -s "$work/from-nginx" "$file" ||
        { echo "nginx does not serve the emulator's bytes for $p" >&2; exit 2; }
done
size="$(wc -c <"$work/from-nginx")"

if [ "${ENGINE:-0}" = 1 ]; then
    echo "GET ${#paths[@]} different records the engine serves, in turn (e.g. ${paths[0]}, $size bytes for the last), wrk -t$threads -c$connections -d$duration, $rounds rounds, $(nproc) cores, request logs $logs"
else
    echo "GET $path ($size bytes), wrk -t$threads -c$connections -d$duration, $rounds rounds, $(nproc) cores, request logs $logs"
fi
echo "threads: emulator $workers tokio workers, nginx $workers worker processes; wrk $threads threads, $connections connections for both"
wrk_alternate emulator "$emulator" nginx "$nginx" "$work/rates"
e="$(cut -d' ' -f1 "$work/rates" | median)"
n="$(cut -d' ' -f3 "$work/rates" | median)"
ratio="$(cut -d' ' -f5 "$work/rates" | median)"
printf 'median: emulator %.0f req/s, nginx %.0f req/s; ratio (median of the rounds) %.2f (target >= 0.90)\n' \
    "$e" "$n" "$ratio"
