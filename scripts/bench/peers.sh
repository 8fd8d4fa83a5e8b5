#!/usr/bin/env bash
# This suite beside the tools a user would pick instead, on this machine, against the same
# emulator and spec/openapi.yaml, in one run: one table of wall time, requests sent, requests per
# second and what each tool checks, with the ratios between them; then a second table over the
# whole API (the curated spec over NetApp's imported layer), with the failures each found.
#
#   scripts/bench/peers.sh
#   MAX_EXAMPLES=25 WHOLE_MAX_EXAMPLES=5 DURATION=5s CONNECTIONS=16 THREADS=1 ROUNDS=3 scripts/bench/peers.sh
#   ONTAP_CONFORM_BIN=path/to/release/ontap-conform scripts/bench/peers.sh   # no cargo build
#
# - ontap-conform: `ontap-conform run --target URL --strict --allow-destructive` (release build, default --jobs),
#   the shipped cases against an `ontap-conform emulate` process.
# - Schemathesis, pinned as scripts/schemathesis/check.sh pins it (from PyPI into a throwaway
#   venv), against the same process: the same spec copy (prepare_spec.py), the same settings file,
#   the same three checks (no 5xx, a documented status, a body matching the schema), admin's
#   credentials (`--auth`), MAX_EXAMPLES generated cases per operation (25 by default, as CI runs
#   it), every phase (examples, coverage, fuzzing, stateful), its default of one worker, and
#   check.sh's first pass (the two operations that can lock admin out are left out). The emulator
#   is reset between the two tools, so each starts from the same state.
# - For the emulator: Prism (`@stoplight/prism-cli` from npm, into a temp dir) in mock mode on
#   spec/openapi.yaml, the mock a user would stand up instead, under the same `wrk` load as the
#   emulator (threads, connections, duration, request and credentials), rounds alternating.
# - The whole API, against the same process: `ontap-conform run --generated --strict
#   --allow-destructive` (the shipped cases and the checks generated for every operation of the
#   built-in spec), and Schemathesis over the same spec written as one file (whole_spec.py: the
#   curated spec over NetApp's 9.8 import, as the binary layers them; the binary prints no such
#   file), with the same three checks and exclusions, the pins of schemathesis-whole.toml (none
#   on a DELETE), every phase, and WHOLE_MAX_EXAMPLES generated cases per operation (5 by default:
#   about 110,000 requests in five to seven minutes on 2 cores, most of them the coverage phase's,
#   which --max-examples does not bound). No --max-failures (a cap would cut the count of failures
#   the table reports) and no --max-time (in 4.32.5 a budget the fuzzing fills, not a cap). Its
#   failures are printed by check and operation, with the reproduction Schemathesis gives for
#   each. The emulator is reset before and after each.
#
# Requests sent by the two testers are counted from the emulator's request log (one line per
# request), so both are counted the same way. Installs what it misses (wrk from Debian, Node's
# npm package is assumed present with node); removes every process and directory it made, also
# on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
source scripts/bench/common.sh
schemathesis_version="4.32.5" # as scripts/schemathesis/check.sh
prism_version="5.16.0"
max_examples="${MAX_EXAMPLES:-25}"
whole_max_examples="${WHOLE_MAX_EXAMPLES:-5}"
duration="${DURATION:-5s}"
connections="${CONNECTIONS:-16}"
threads="${THREADS:-1}"
rounds="${ROUNDS:-3}"
path='/api/protocols/san/iscsi/credentials?fields=*'
user=admin password='Netapp1!' # the emulator's documented starting admin, not a secret
auth="Authorization: Basic $(printf '%s' "$user:$password" | base64)"

work="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        # Prism runs under npx-like wrappers: stop the whole group it leads.
        kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_debian wrk
command -v npm >/dev/null || bench_debian npm
bench_binary

echo "installing schemathesis $schemathesis_version (PyPI) and @stoplight/prism-cli $prism_version (npm) into $work" >&2
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
npm install --silent --no-audit --no-fund --prefix "$work/prism" "@stoplight/prism-cli@$prism_version" >/dev/null
"$work/venv/bin/python" scripts/schemathesis/prepare_spec.py spec/openapi.yaml "$work/spec.json"
# The whole API as the binary holds it: its own import of NetApp's 9.8 file is the layer it
# carries (tests/import_layer.rs holds the two equal), whatever the work tree's copy is.
"$bin" spec import spec/sources/ontap-api/swagger-9.8.yaml.gz --output "$work/imported.json" 2>/dev/null
"$work/venv/bin/python" scripts/bench/whole_spec.py spec/openapi.yaml "$work/imported.json" "$work/whole-merged.json"
"$work/venv/bin/python" scripts/schemathesis/prepare_spec.py "$work/whole-merged.json" "$work/whole.json"

free_port() {
    local p="$1"
    while [ -n "$(ss -Hltn "sport = :$p")" ]; do p=$((p + 1)); done
    echo "$p"
}

# The emulator, logging one line per request (its default) to a file.
set -m
ONTAP_CONFORM_LOG=info NO_COLOR=1 "$bin" emulate --listen 127.0.0.1:0 >"$work/emulator.out" 2>"$work/emulator.log" &
pids+=($!)
port="$(free_port 18580)"
"$work/prism/node_modules/.bin/prism" mock --host 127.0.0.1 --port "$port" spec/openapi.yaml >"$work/prism.log" 2>&1 &
pids+=($!)
set +m
for _ in $(seq 100); do
    grep -q '^ONTAP emulator listening on ' "$work/emulator.out" && break
    sleep 0.1
done
emulator="$(sed -n 's/^ONTAP emulator listening on //p' "$work/emulator.out")"
[ -n "$emulator" ] || { echo "the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 2; }
prism="http://127.0.0.1:$port"
for _ in $(seq 300); do
    curl -s -o /dev/null "$prism/api/cluster" 2>/dev/null && break
    sleep 0.1
done
code="$(curl -s -o "$work/prism-body" -w '%{http_code}' -H "$auth" "$prism$path" || true)"
[ "$code" = 200 ] || { echo "Prism answers $code to GET $path:" >&2; cat "$work/prism-body" "$work/prism.log" >&2; exit 2; }

# Lines of the emulator's request log so far: `GET /api/cluster 200 0 ms`.
requests() { grep -cE ' (GET|POST|PATCH|PUT|DELETE|HEAD|OPTIONS) /[^ ]* [0-9]{3} ' "$work/emulator.log" || true; }
seconds() { date +%s.%N; }
reset() { curl -fsS -u "$user:$password" -X POST "$emulator/emulator/reset" -o /dev/null; }

echo "on $(nproc) cores; the emulator at $emulator, Prism $prism_version at $prism"

# This suite.
before="$(requests)"
t0="$(seconds)"
status=0
ONTAP_PASSWORD="$password" "$bin" run --target "$emulator" --user "$user" --strict --allow-destructive \
    --report-dir "$work/reports" >"$work/suite.out" 2>&1 || status=$?
suite_wall="$(awk -v a="$t0" -v b="$(seconds)" 'BEGIN { print b - a }')"
suite_requests=$(($(requests) - before))
echo "ontap-conform: $(tail -n 1 "$work/suite.out") (exit $status)"
reset

# Schemathesis, as check.sh's first pass.
before="$(requests)"
t0="$(seconds)"
status=0
(cd "$work" && "$work/venv/bin/schemathesis" --config-file "$root/scripts/schemathesis/schemathesis.toml" \
    run "$work/spec.json" --url "$emulator" --auth "$user:$password" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --max-examples "$max_examples" --request-timeout 30 --output-sanitize true --no-color \
    --exclude-name 'POST /api/security/authentication/password' \
    --exclude-name 'DELETE /api/security/accounts/{owner_uuid}/{name}') >"$work/st.out" 2>&1 || status=$?
st_wall="$(awk -v a="$t0" -v b="$(seconds)" 'BEGIN { print b - a }')"
st_requests=$(($(requests) - before))
echo "schemathesis: $(grep -E 'passed|failed' "$work/st.out" | tail -n 1) (exit $status)"
reset

# The whole API: this suite with the generated checks, then Schemathesis over the whole spec.
before="$(requests)"
t0="$(seconds)"
status=0
ONTAP_PASSWORD="$password" "$bin" run --target "$emulator" --user "$user" --strict --allow-destructive \
    --generated --report-dir "$work/reports-whole" >"$work/whole-suite.out" 2>&1 || status=$?
whole_suite_wall="$(awk -v a="$t0" -v b="$(seconds)" 'BEGIN { print b - a }')"
whole_suite_requests=$(($(requests) - before))
whole_suite_tally="$(tail -n 1 "$work/whole-suite.out")" # "6396 passed, 0 failed, 8 skipped"
echo "ontap-conform --generated: $whole_suite_tally (exit $status)"
reset

echo "schemathesis over the whole API ($whole_max_examples examples/op): a few minutes" >&2
before="$(requests)"
t0="$(seconds)"
status=0
(cd "$work" && "$work/venv/bin/schemathesis" --config-file "$root/scripts/bench/schemathesis-whole.toml" \
    run "$work/whole.json" --url "$emulator" --auth "$user:$password" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --max-examples "$whole_max_examples" --request-timeout 30 --output-sanitize true --no-color \
    --report json --report-json-path "$work/st-whole.json" \
    --exclude-name 'POST /api/security/authentication/password' \
    --exclude-name 'DELETE /api/security/accounts/{owner_uuid}/{name}') >"$work/st-whole.out" 2>&1 || status=$?
st_whole_wall="$(awk -v a="$t0" -v b="$(seconds)" 'BEGIN { print b - a }')"
st_whole_requests=$(($(requests) - before))
# Its closing line: "===== 3 failures, 2 warnings in 396.99s =====".
echo "schemathesis over the whole API: $(tail -n 1 "$work/st-whole.out" | tr -d '=' | sed 's/^ *//; s/ *$//') (exit $status)"
[ -s "$work/st-whole.json" ] || { echo "Schemathesis wrote no report:" >&2; tail -n 40 "$work/st-whole.out" >&2; exit 2; }
# A run that locked admin out met only 401s and proved nothing (check.sh's rule).
code="$(curl -s -o /dev/null -w '%{http_code}' -u "$user:$password" "$emulator/api/cluster")"
[ "$code" = 200 ] || echo "after Schemathesis over the whole API, GET /api/cluster as admin answers $code: its figures are a locked-out run's" >&2
"$work/venv/bin/python" scripts/bench/st_failures.py "$work/st-whole.json" >"$work/st-whole.summary"
read -r st_whole_tested st_whole_total st_whole_failures <"$work/st-whole.summary"
reset

# The emulator and Prism under the same wrk load, alternating.
wrk_alternate emulator "$emulator" Prism "$prism" "$work/rates"
emu_rate="$(cut -d' ' -f1 "$work/rates" | median)"
emu_n="$(cut -d' ' -f2 "$work/rates" | median)"
prism_rate="$(cut -d' ' -f3 "$work/rates" | median)"
prism_n="$(cut -d' ' -f4 "$work/rates" | median)"
ratio="$(cut -d' ' -f5 "$work/rates" | median)"
secs="${duration%s}"

echo
echo "| tool | wall | requests | req/s | what it checks |"
echo "|---|---|---|---|---|"
row() { printf '| %s | %.2f s | %d | %.0f | %s |\n' "$1" "$2" "$3" "$(awk -v n="$3" -v w="$2" 'BEGIN { print n / w }')" "$4"; }
row "ontap-conform run (release, --strict --allow-destructive)" "$suite_wall" "$suite_requests" \
    "hand-written cases: statuses, ONTAP error codes, fields and values, schemas, jobs, flows with captures and teardown"
row "Schemathesis $schemathesis_version ($max_examples examples/op)" "$st_wall" "$st_requests" \
    "generated requests per operation: no 5xx, a documented status, a body matching the schema"
printf '| ontap-conform emulate under wrk (median of %d) | %s s | %d | %.0f | %s |\n' "$rounds" "$secs" "$emu_n" "$emu_rate" \
    "auth on every request, state, ONTAP errors, the request log"
printf '| Prism %s mock under wrk (median of %d) | %s s | %d | %.0f | %s |\n' "$prism_version" "$rounds" "$secs" "$prism_n" "$prism_rate" \
    "the spec's example or schema-built answer; the request checked against the spec; no state"
echo
printf 'ratios, this run: Schemathesis wall / ontap-conform wall %.2f; ontap-conform req/s / Schemathesis req/s %.2f; emulator / Prism req/s %.2f (median of the rounds'"'"' ratios)\n' \
    "$(awk -v a="$st_wall" -v b="$suite_wall" 'BEGIN { print a / b }')" \
    "$(awk -v a="$suite_requests" -v b="$suite_wall" -v c="$st_requests" -v d="$st_wall" 'BEGIN { print (a / b) / (c / d) }')" \
    "$ratio"
echo "wrk -t$threads -c$connections -d$duration, GET $path as $user, $(nproc) cores"

echo
echo "the whole API ($st_whole_total operations: the curated spec over NetApp's 9.8 import), against the same emulator:"
echo
echo "| tool | wall | requests | req/s | failures | what it checks |"
echo "|---|---|---|---|---|---|"
row6() { printf '| %s | %.2f s | %d | %.0f | %s | %s |\n' "$1" "$2" "$3" "$(awk -v n="$3" -v w="$2" 'BEGIN { print n / w }')" "$4" "$5"; }
row6 "ontap-conform run --generated (release, --strict --allow-destructive)" "$whole_suite_wall" "$whole_suite_requests" \
    "$(awk -F', ' '{ print $2 " checks (" $1 ", " $3 ")" }' <<<"$whole_suite_tally")" \
    "the hand-written cases and the checks generated from the spec for every operation"
row6 "Schemathesis $schemathesis_version ($whole_max_examples examples/op, $st_whole_tested operations)" "$st_whole_wall" "$st_whole_requests" \
    "$st_whole_failures unique (check and operation)" \
    "generated requests per operation: no 5xx, a documented status, a body matching the schema"
echo
printf 'ratios, this run: Schemathesis wall / ontap-conform wall %.1f; requests %.1f\n' \
    "$(awk -v a="$st_whole_wall" -v b="$whole_suite_wall" 'BEGIN { print a / b }')" \
    "$(awk -v a="$st_whole_requests" -v b="$whole_suite_requests" 'BEGIN { print a / b }')"
echo "Schemathesis' failures over the whole API, by check (seed $(sed -n 's/^Seed: //p' "$work/st-whole.out")):"
tail -n +2 "$work/st-whole.summary"
if [ "$st_whole_failures" -gt 0 ]; then
    echo
    echo "each with the reproduction Schemathesis gives (the first 300 lines):"
    sed -n '/^=* FAILURES =*$/,/^=* \(WARNINGS\|SUMMARY\) =*$/p' "$work/st-whole.out" | head -n 300
fi
