#!/usr/bin/env bash
# Builds the container image (Dockerfile) and runs the suite inside it, as its non-root user,
# against its embedded emulator: the three reports must be written and the run must pass. Prints
# the image's size, on disk and compressed.
#
# The builder is the first that works of docker (its daemon answers), podman and buildah; podman
# and buildah build with chroot isolation, which needs neither an OCI runtime nor cgroups. When the
# official base images cannot be pulled (no Docker Hub), it builds on local ones that
# scripts/container/base-images.sh makes with debootstrap (cached in ~/.cache/ontap-conform/
# container). CONTAINER_BUILDER (docker, podman or buildah) chooses the builder; BUILDER_IMAGE and
# RUNTIME_IMAGE, when set, choose the base images.
#
# Where no builder works, or the base images can be neither pulled nor made, it prints a SKIP line
# saying why and succeeds: such a machine cannot check the image. CI runs it only with
# CONTAINER_CHECK=1 (.ci/run), since a cold build takes longer than the rest of CI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
image=localhost/ontap-conform:check

skip() {
  echo "SKIP container check: $*"
  exit 0
}

works() { command -v "$1" >/dev/null && timeout 20 "$1" info >/dev/null 2>&1; }
tool="${CONTAINER_BUILDER:-}"
if [[ -n "$tool" ]]; then
  [[ "$tool" =~ ^(docker|podman|buildah)$ ]] || { echo "CONTAINER_BUILDER: '$tool' is not docker, podman or buildah"; exit 2; }
  works "$tool" || skip "CONTAINER_BUILDER=$tool does not work here ('$tool info' fails)"
elif works docker; then
  tool=docker
elif works podman; then
  tool=podman
elif works buildah; then
  tool=buildah
else
  skip "no working docker (client and daemon), podman or buildah here; the image was not built"
fi
source "$here/tool.sh"
echo "container check: building with $tool ($("$tool" --version | head -n 1))"

pulls() { timeout 120 "$tool" pull -q "$1" >/dev/null 2>&1; }

# The base images: the caller's, else the official ones, else local ones made with debootstrap.
if [[ -z "${BUILDER_IMAGE:-}" || -z "${RUNTIME_IMAGE:-}" ]]; then
  if pulls docker.io/library/debian:bookworm-slim && pulls docker.io/library/rust:1-slim-bookworm; then
    BUILDER_IMAGE=docker.io/library/rust:1-slim-bookworm
    RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim
  elif [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
    skip "the official base images cannot be pulled, and making local ones needs root and apt (debootstrap)"
  else
    echo "container check: Docker Hub is out of reach; local base images (scripts/container/base-images.sh)"
    images="$(bash "$here/base-images.sh" "$tool")" ||
      skip "the official base images cannot be pulled and local ones could not be made (above)"
    eval "$images"
  fi
fi
echo "container check: base images $BUILDER_IMAGE and $RUNTIME_IMAGE"

# podman and buildah keep the build stage as an unnamed image (about 1 GB) after each build; the
# ones this build left are removed, so that a CI machine does not fill up. Dependencies stay
# compiled in the build's cache mount, which is what makes the next build quick.
dangling() {
  case "$tool" in
    docker) ;;
    buildah) buildah images --quiet --filter dangling=true ;;
    *) "$tool" images --quiet --filter dangling=true ;;
  esac | sort
}
before="$(dangling)"
start=$SECONDS
tool_build --build-arg "BUILDER_IMAGE=$BUILDER_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" -t "$image" .
echo "container check: built in $((SECONDS - start)) s"
comm -13 <(echo "$before") <(dangling) | while read -r id; do
  [[ -z "$id" ]] || "$tool" rmi "$id" >/dev/null 2>&1 || true
done

user="$(tool_user "$image")"
[[ -n "$user" && "$user" != root && "$user" != 0 && "$user" != 0:* ]] || {
  echo "container check: the image runs as '${user:-root}', not as a non-root user"
  exit 1
}

# The suite in the image, its reports written to a host directory. A container run where the OCI
# runtime can start one; buildah's chroot isolation otherwise (inside a sandbox that may not raise
# rlimits or use cgroups), which runs the same image as the same user. Exit codes 125 to 127 are
# the runtime's own (the binary's are 0 to 2): the container did not start.
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
chmod 777 "$out"
args=(run --report-dir /reports)
status=0
how=""
if [[ "$tool" != buildah ]]; then
  "$tool" run --rm --network none -v "$out:/reports" "$image" "${args[@]}" >"$out/run.log" 2>&1 || status=$?
  how="$tool run"
  if [[ $status -ge 125 ]]; then
    echo "container check: '$tool run' cannot start a container here: $(tail -n 1 "$out/run.log")"
    how=""
    status=0
  fi
fi
if [[ -z "$how" ]]; then
  command -v buildah >/dev/null || { echo "container check: the image was built but not run (no buildah to run it with chroot isolation)"; exit 1; }
  ctr="$(buildah from --quiet "$image")"
  buildah run --isolation chroot -v "$out:/reports" "$ctr" -- ontap-conform "${args[@]}" >"$out/run.log" 2>&1 || status=$?
  buildah rm "$ctr" >/dev/null
  how="buildah run --isolation chroot"
fi
tail -n 1 "$out/run.log"
for f in conformance.json junit.xml conformance.html; do
  [[ -s "$out/$f" ]] || { cat "$out/run.log"; echo "container check: $f was not written"; exit 1; }
done
owner="$(stat -c %u "$out/conformance.json")"
if [[ $EUID -eq 0 && "$owner" == 0 ]]; then
  echo "container check: the reports were written by root, not by the image's user"
  exit 1
fi
if [[ $status -ne 0 ]] || ! tail -n 1 "$out/run.log" | grep -q " 0 failed"; then
  cat "$out/run.log"
  echo "container check: the suite failed in the image (exit $status)"
  exit 1
fi

size="$(tool_size "$image")"
tool_save "$image" "$out/image.tar"
compressed="$(gzip -c "$out/image.tar" | wc -c)"
echo "container check: image $image: $size on disk, $((compressed / 1000000)) MB compressed (its saved archive gzipped, about what a registry stores)"
echo "container check passed: the suite ran in the image as '$user' (uid $owner) with $how and wrote the three reports"
