# Shared by the scripts that drive the emulator with an outside client (scripts/client,
# scripts/schemathesis): the emulator binary, a temp dir, and a trap that stops the emulator
# and removes the dir however the script ends.
#
# After `source scripts/lib.sh; emulator_setup "$1"`: $bin is the emulator, $work a temp dir,
# and $emu_pid (set by the caller when it starts the emulator) is stopped on exit.

emulator_setup() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  bin="${1:-}"
  if [[ -z "$bin" ]]; then
    (cd "$root" && cargo build --quiet -p ontap-emulator)
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/ontap-emulator"
  fi
  work="$(mktemp -d)"
  emu_pid=""
  trap emulator_cleanup EXIT INT TERM
}

emulator_cleanup() {
  if [[ -n "$emu_pid" ]] && kill -0 "$emu_pid" 2>/dev/null; then
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
