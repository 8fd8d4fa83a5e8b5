# Shared by the scripts that drive the emulator with an outside client (scripts/client,
# scripts/ansible, scripts/schemathesis): the emulator binary, a temp dir, starting the emulator,
# and a trap that stops it and removes the dir however the script ends.
#
# After `source scripts/lib.sh; emulator_setup "$1"`: $bin is the emulator, $work a temp dir;
# `emulator_start ARGS...` starts one (its pid in $emu_pid, stopped on exit, its URL in $url).

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

# Starts the emulator with ARGS on a free port and waits for the URL it prints; sets $emu_pid and
# $url, or prints its log and fails.
emulator_start() {
  : >"$work/url"
  "$bin" --listen 127.0.0.1:0 "$@" >"$work/url" 2>"$work/emulator.log" &
  emu_pid=$!
  for _ in $(seq 1 100); do
    [[ -s "$work/url" ]] && break
    sleep 0.1
  done
  url="$(head -n1 "$work/url")"
  if [[ -z "$url" ]]; then
    echo "emulator did not start"; cat "$work/emulator.log"; return 1
  fi
}
