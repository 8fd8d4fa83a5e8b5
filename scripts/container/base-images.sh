#!/usr/bin/env bash
# Makes, locally, the two base images the Dockerfile builds on, for a machine where a container
# builder works but Docker Hub (the official `rust` and `debian` images) is out of reach:
#
#   localhost/ontap-conform-base/debian:bookworm-slim
#       Debian 12 minbase from debootstrap, trimmed as the official slim image is (no docs, man
#       pages, locales, apt lists or caches)
#   localhost/ontap-conform-base/rust:1-slim-bookworm
#       that image plus the official rust slim image's recipe (scripts/container/rust.Containerfile)
#
# Usage: scripts/container/base-images.sh TOOL   (docker, podman or buildah; run as root, since
# debootstrap is). Prints BUILDER_IMAGE=... and RUNTIME_IMAGE=... for the Dockerfile's build
# arguments; its progress goes to stderr. Both are cached in $CONTAINER_CACHE (default ~/.cache/ontap-conform/container:
# the rootfs as a tar, the builder image as a saved archive), so that a machine that loses its
# container storage but keeps that directory (a CI cache) makes neither again; an image already in
# the builder's storage is kept as it is. The Debian mirror is $DEBIAN_MIRROR (default
# deb.debian.org).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tool="${1:?usage: base-images.sh docker|podman|buildah}"
cache="${CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ontap-conform/container}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
runtime_image=localhost/ontap-conform-base/debian:bookworm-slim
builder_image=localhost/ontap-conform-base/rust:1-slim-bookworm
mkdir -p "$cache"
source "$here/tool.sh"

# A rootfs tar as an image: `import` for docker and podman; buildah has none, so a scratch
# container with the tar added and committed.
import_rootfs() {
  local tar="$1" name="$2" ctr
  case "$tool" in
    docker | podman) "$tool" import --change 'CMD ["bash"]' "$tar" "$name" >/dev/null ;;
    buildah)
      ctr="$(buildah from scratch)"
      buildah add "$ctr" "$tar" / >/dev/null
      buildah config --cmd bash "$ctr"
      buildah commit --quiet "$ctr" "$name" >/dev/null
      buildah rm "$ctr" >/dev/null
      ;;
  esac
}

# Debian 12 minbase, trimmed as debian:bookworm-slim is: dpkg told to leave out docs, man pages
# and locales from now on, apt told to keep no caches, and what is already there removed.
make_rootfs_tar() {
  local tar="$1" root
  command -v debootstrap >/dev/null || {
    echo "installing debootstrap (Debian package)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  root="$(mktemp -d)"
  echo "debootstrap: bookworm minbase from $mirror" >&2
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    tail -n 20 "$cache/debootstrap.log" >&2
    rm -rf "$root"
    return 1
  }
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  # apt as in the official image: no package caches or downloaded .debs kept, no translations
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/* \
    "$root"/etc/resolv.conf "$root"/etc/hostname
  tar -C "$root" --numeric-owner -cf "$tar.part" .
  mv "$tar.part" "$tar"
  rm -rf "$root"
}

if ! tool_has "$runtime_image"; then
  tar="$cache/debian-bookworm-minbase.tar"
  [[ -s "$tar" ]] || make_rootfs_tar "$tar"
  import_rootfs "$tar" "$runtime_image"
  echo "made $runtime_image" >&2
fi

if ! tool_has "$builder_image"; then
  saved="$cache/rust-1-slim-bookworm.tar"
  if [[ -s "$saved" ]]; then
    tool_load "$saved"
    echo "loaded $builder_image from $saved" >&2
  else
    ctx="$(mktemp -d)"
    mkdir "$ctx/local-ca"
    cp "$here/rust.Containerfile" "$ctx/"
    find /usr/local/share/ca-certificates -name '*.crt' -exec cp {} "$ctx/local-ca/" \; 2>/dev/null || true
    tool_build --build-arg "BASE=$runtime_image" -t "$builder_image" -f "$ctx/rust.Containerfile" "$ctx" >&2
    rm -rf "$ctx"
    tool_save "$builder_image" "$saved.part" && mv "$saved.part" "$saved"
    echo "made $builder_image" >&2
  fi
fi

echo "BUILDER_IMAGE=$builder_image"
echo "RUNTIME_IMAGE=$runtime_image"
