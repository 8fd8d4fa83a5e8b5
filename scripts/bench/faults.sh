#!/usr/bin/env bash
# What each checker finds against the same broken emulator: for each fault `emulate --fault`
# injects (seventeen broken behaviours, five of them on one resource of NetApp's imported API,
# and five harmless changes), a fresh emulator with that fault, and
# against it, in turn:
#   - ontap-conform's generated checks (`run --generated --no-builtin-cases --strict`);
#   - ontap-conform's hand-written suite (`run --strict`), for what the generated checks add;
#   - Schemathesis (pinned as scripts/schemathesis/check.sh pins it, same checks, same
#     exclusions, SCHEMATHESIS_MAX_EXAMPLES per operation, default 25 as in CI).
# Prints one Markdown table: per fault and tool, whether it failed the target and how many of its
# checks (ours) or failures (Schemathesis) it reported, and each tool's wall time.
# A harmless change that a tool fails is a false alarm; a broken behaviour it passes is a miss.
# A check skipped because the target holds nothing to judge (an empty collection) is neither.
#
# Usage: scripts/bench/faults.sh        (builds what it needs; installs Schemathesis in a venv)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="4.32.5"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
faults=(error-without-message job-uuid-not-uuid password-echoed read-only-write-carried-out
  order-by-ignored next-link-loops max-records-ignored num-records-off keys-dropped-by-fields
  self-link-elsewhere head-refused options-without-allow volumes-fields-ignored
  interfaces-order-by-ignored luns-error-without-message snapshots-next-link-loops
  ldap-bind-password-returned applications-advanced-shown reordered-keys extra-field pretty-json other-message
  absolute-location)

(cd "$root" && cargo build --quiet --release -p ontap-emulator -p ontap-conform)
tdir="${CARGO_TARGET_DIR:-$root/target}/release"
source "$root/scripts/lib.sh"
emulator_setup "$tdir/ontap-emulator"
conform="$tdir/ontap-conform"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
"$work/venv/bin/python" "$root/scripts/schemathesis/prepare_spec.py" "$root/spec/openapi.yaml" "$work/spec.json"
auth='admin:Netapp1!'
export ONTAP_PASSWORD='Netapp1!'

stop_emulator() {
  kill "$emu_pid" 2>/dev/null || true
  wait "$emu_pid" 2>/dev/null || true
}

now_ms() { date +%s%3N; }

# ours FAULT ARGS...: "caught/failing checks/seconds" of one ontap-conform run
ours() {
  local fault="$1"; shift
  emulator_start --fault "$fault" || exit 1
  local t0 rc=0; t0="$(now_ms)"
  "$conform" run --target "$url" --user admin --allow-destructive --strict \
    --report-dir "$work/r-$fault" "$@" >"$work/ours.log" 2>&1 || rc=$?
  local secs; secs="$(( ($(now_ms) - t0) ))"
  stop_emulator
  local failing
  failing="$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for c in d['cases'] if c['outcome'] not in ('pass', 'skip')), len(d['cases']))" "$work/r-$fault/conformance.json")"
  echo "$rc ${failing% *} ${failing#* } $secs"
}

# theirs FAULT: "exit failures seconds" of one Schemathesis run (pass 1 of its CI check)
theirs() {
  local fault="$1"
  emulator_start --fault "$fault" || exit 1
  local t0 rc=0; t0="$(now_ms)"
  (cd "$work" && "$work/venv/bin/schemathesis" --config-file "$root/scripts/schemathesis/schemathesis.toml" run \
    "$work/spec.json" --url "$url" --auth "$auth" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --max-examples "$max_examples" --request-timeout 30 --output-sanitize true --no-color \
    --seed 1 \
    --exclude-name 'POST /api/security/authentication/password' \
    --exclude-name 'DELETE /api/security/accounts/{owner_uuid}/{name}') >"$work/st.log" 2>&1 || rc=$?
  local secs; secs="$(( ($(now_ms) - t0) ))"
  stop_emulator
  # Schemathesis numbers its distinct failures `1.`, `2.` ... under each operation.
  local n; n="$(grep -cE '^ *[0-9]+\. ' "$work/st.log" || true)"
  echo "$rc $n $secs"
}

verdict() { # kind rc
  local kind="$1" rc="$2"
  if [[ "$kind" == harmful ]]; then
    [[ "$rc" != 0 ]] && echo "caught" || echo "**missed**"
  else
    [[ "$rc" == 0 ]] && echo "passed" || echo "**false alarm**"
  fi
}

echo "| fault | kind | generated checks | hand-written suite | Schemathesis $version ($max_examples examples/op) |"
echo "|---|---|---|---|---|"
for f in "${faults[@]}"; do
  case "$f" in
    reordered-keys|extra-field|pretty-json|other-message|absolute-location) kind=harmless ;;
    *) kind=harmful ;;
  esac
  read -r grc gfail gtotal gms < <(ours "$f" --generated --no-builtin-cases)
  read -r hrc hfail htotal hms < <(ours "$f")
  read -r src sfail sms < <(theirs "$f")
  printf '| `%s` | %s | %s: %s of %s checks, %s s | %s: %s of %s cases, %s s | %s: %s failures, %s s |\n' \
    "$f" "$kind" \
    "$(verdict "$kind" "$grc")" "$gfail" "$gtotal" "$(awk "BEGIN{printf \"%.1f\", $gms/1000}")" \
    "$(verdict "$kind" "$hrc")" "$hfail" "$htotal" "$(awk "BEGIN{printf \"%.1f\", $hms/1000}")" \
    "$(verdict "$kind" "$src")" "$sfail" "$(awk "BEGIN{printf \"%.1f\", $sms/1000}")"
done
