#!/usr/bin/env bash
# Builds the container image (Dockerfile) and runs the suite inside it against its embedded
# emulator, where a container builder works (docker or podman with its daemon, and the base
# images' registry in reach); elsewhere says so and succeeds, since a machine without one
# cannot check it.
set -euo pipefail
cd "$(dirname "$0")/../.."
builder="$(command -v docker || command -v podman || true)"
if [[ -z "$builder" ]] || ! timeout 20 "$builder" info >/dev/null 2>&1; then
    echo "container check: no working docker or podman here (no client, or no daemon); the image was not built"
    exit 0
fi
"$builder" build -t ontap-conform:check .
out="$("$builder" run --rm ontap-conform:check run --report-dir /tmp/reports)"
echo "$out" | tail -n 1
echo "$out" | tail -n 1 | grep -q " 0 failed" || { echo "$out"; exit 1; }
echo "container check passed"
