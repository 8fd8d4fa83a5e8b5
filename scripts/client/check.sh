#!/usr/bin/env bash
# Runs NetApp's own Python client (netapp-ontap from PyPI) unchanged against the emulator, over
# http and then https (verify=False). Creates a throwaway venv in a temp dir, starts the
# emulator through its `ontap-emulator` binary, runs drive.py, and cleans up its processes.
#
# Usage: scripts/client/check.sh [PATH_TO_EMULATE_BINARY]
#   default: builds and uses target/debug/ontap-emulator
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/scripts/lib.sh"
emulator_setup "${1:-}"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check netapp-ontap
echo "netapp-ontap $("$work/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("netapp-ontap"))')"

run_one() {
  emulator_start "$@" || return 1
  echo "== netapp-ontap against $url"
  if ! "$work/venv/bin/python" "$here/drive.py" "$url"; then
    echo "--- emulator log"; tail -n 50 "$work/emulator.log"; return 1
  fi
  kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
  emu_pid=""
}

run_one
run_one --tls
echo "client check passed (http and https)"
