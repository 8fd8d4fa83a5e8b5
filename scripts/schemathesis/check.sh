#!/usr/bin/env bash
# Schemathesis (pinned, from PyPI, in a throwaway venv) against the emulator: generated requests
# for every operation of spec/openapi.yaml, each response checked for no 5xx, a documented
# status, and a body that matches the spec's schema for that status.
#
# Usage: scripts/schemathesis/check.sh [PATH_TO_EMULATE_BINARY]
#   default: builds and uses target/debug/ontap-emulator (already built by `cargo test`)
# Env:
#   SCHEMATHESIS_MAX_EXAMPLES  generated cases per operation (default 25: about a minute, for CI).
#                              A longer hunt: SCHEMATHESIS_MAX_EXAMPLES=1000 (tens of minutes).
#   SCHEMATHESIS_SEED          fixed seed to replay a run (default: random, printed at the end).
#
# Two operations are kept out of the main pass, because one generated request can lock the
# run's own account out and turn every later request into a 401 that tests nothing:
#   - POST /api/security/authentication/password: a generated body can change admin's password;
#   - DELETE /api/security/accounts/{owner.uuid}/{name}: the stateful phase follows the links
#     it infers from GET /api/security/accounts (owner uuid and name) and deletes `admin`.
# Both still get the coverage and fuzzing phases in a second pass, where names and uuids are
# random and stateful links are off; the emulator is reset between passes, and after each pass
# admin must still log in (a pass that locked itself out met only 401s and proved nothing).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="4.32.5"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
source "$root/scripts/lib.sh"
emulator_setup "${1:-}"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
echo "schemathesis $version, $max_examples examples per operation"
"$work/venv/bin/python" "$here/prepare_spec.py" "$root/spec/openapi.yaml" "$work/spec.json"

emulator_start || exit 1
# The emulator's starting admin: a documented fixture, not a secret.
auth='admin:Netapp1!'

seed_args=()
if [[ -n "${SCHEMATHESIS_SEED:-}" ]]; then
  seed_args=(--seed "$SCHEMATHESIS_SEED")
fi

st() {
  # --output-sanitize hides the Authorization header in what it prints; no report is written.
  (cd "$work" && "$work/venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run \
    "$work/spec.json" --url "$url" --auth "$auth" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --max-examples "$max_examples" --request-timeout 30 --output-sanitize true \
    --no-color "${seed_args[@]}" "$@")
}

# A pass that locked admin out would have met a wall of 401s and tested nothing, yet pass:
# after each one, admin must still log in.
admin_still_works() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' -u "$auth" "$url/api/cluster")"
  if [[ "$code" != "200" ]]; then
    echo "after $1, GET /api/cluster as admin answers $code: the pass locked itself out"
    status=1
    return 1
  fi
}

status=0
echo "== pass 1: every operation but the two that can lock the run out"
st --exclude-name 'POST /api/security/authentication/password' \
  --exclude-name 'DELETE /api/security/accounts/{owner_uuid}/{name}' || status=1
if admin_still_works "pass 1"; then
  curl -fsS -u "$auth" -X POST "$url/emulator/reset" -o /dev/null
  echo "== pass 2: password change and account delete, without stateful links"
  st --include-name 'POST /api/security/authentication/password' \
    --include-name 'DELETE /api/security/accounts/{owner_uuid}/{name}' \
    --phases coverage,fuzzing || status=1
  admin_still_works "pass 2" || true
fi

if [[ $status -ne 0 ]]; then
  echo "--- emulator log (last 50 lines)"; tail -n 50 "$work/emulator.log"
  echo "schemathesis check failed"
  exit 1
fi
echo "schemathesis check passed"
