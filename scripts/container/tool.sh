# The few commands where docker, podman and buildah differ, in one place for check.sh and
# base-images.sh. Source it with $tool set to one of the three.

# Builds with chroot isolation under podman and buildah: it needs neither an OCI runtime nor
# cgroups, which is what lets it work inside a sandbox (a CI container) too.
tool_build() {
  case "$tool" in
    docker) docker build "$@" ;;
    podman) podman build --isolation chroot --network host "$@" ;;
    buildah) buildah build --isolation chroot --network host "$@" ;;
  esac
}

# Whether IMAGE is in the builder's storage; its user; its size on disk, in MB. buildah's inspect
# has its own shape (the OCI config under .OCIv1) and no size, which its image list gives.
tool_has() {
  case "$tool" in
    buildah) buildah inspect --type image "$1" >/dev/null 2>&1 ;;
    *) "$tool" image inspect "$1" >/dev/null 2>&1 ;;
  esac
}
tool_user() {
  case "$tool" in
    buildah) buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$1" ;;
    *) "$tool" image inspect --format '{{.Config.User}}' "$1" ;;
  esac
}
tool_size() {
  case "$tool" in
    buildah) buildah images --format '{{.Size}}' "$1" ;;
    *) echo "$(($("$tool" image inspect --format '{{.Size}}' "$1") / 1000000)) MB" ;;
  esac
}

# An image to and from one archive file (buildah has push and pull for that, not save and load);
# a docker-archive keeps the image's name.
tool_save() {
  case "$tool" in
    buildah) buildah push --quiet "$1" "docker-archive:$2:$1" ;;
    docker) docker save -o "$2" "$1" ;;
    *) "$tool" save --quiet -o "$2" "$1" ;;
  esac
}
tool_load() {
  case "$tool" in
    buildah) buildah pull --quiet "docker-archive:$1" >/dev/null ;;
    *) "$tool" load -i "$1" >/dev/null ;;
  esac
}
