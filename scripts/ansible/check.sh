#!/usr/bin/env bash
# Runs NetApp's own Ansible modules (the netapp.ontap collection inside the `ansible` package
# from PyPI, pinned below) unchanged against the emulator over HTTPS, with use_rest: always and
# validate_certs: false. Creates a throwaway venv in a temp dir, starts the emulator through its
# `ontap-emulator` binary (a fresh one per playbook, so each starts from the same cluster), runs
# the playbooks in scripts/ansible/playbooks/, and cleans up its processes. Any failed task,
# including an assert on `changed`, fails the script. See scripts/ansible/README.md.
#
# Usage: scripts/ansible/check.sh [PATH_TO_EMULATOR_BINARY]
#   default: builds and uses target/debug/ontap-emulator
set -euo pipefail

# ansible 12.3.0 is the newest release that installs on Python 3.11 (13 and later need 3.12);
# it carries netapp.ontap 23.2.0. requests is the collection's HTTP client.
ANSIBLE_VERSION=12.3.0
REQUESTS_VERSION=2.34.2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/scripts/lib.sh"
emulator_setup "${1:-}"
started=$SECONDS

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  "ansible==$ANSIBLE_VERSION" "requests==$REQUESTS_VERSION"
collection="$("$work/venv/bin/python" - <<'PY'
import json, pathlib, ansible_collections
manifest = pathlib.Path(ansible_collections.__path__[0]) / "netapp/ontap/MANIFEST.json"
print(json.loads(manifest.read_text())["collection_info"]["version"])
PY
)"
echo "ansible $ANSIBLE_VERSION, netapp.ontap $collection"

printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' \
  "$work/venv/bin/python" >"$work/inventory"
export ANSIBLE_COLLECTIONS_PATH="$work/none" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
  ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0 PYTHONWARNINGS=ignore
# The admin password reaches the modules only through the environment; no task prints it.
export ONTAP_PASSWORD='Netapp1!'

# play VERSION PLAYBOOK: a fresh emulator of that ONTAP version, the playbook against it.
play() {
  local version="$1" book="$2"
  emulator_start --tls --ontap-version "$version" || return 1
  echo "== $book against $url (ONTAP $version)"
  if ! ONTAP_HOST="${url#https://}" "$work/venv/bin/ansible-playbook" -i "$work/inventory" \
      "$here/playbooks/$book" >"$work/play.log" 2>&1; then
    cat "$work/play.log"
    echo "--- emulator log"; tail -n 40 "$work/emulator.log"
    return 1
  fi
  grep -A1 '^PLAY RECAP' "$work/play.log" | tail -n1
  kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
  emu_pid=""
}

for book in rest_info.yml iscsi_security.yml security_config.yml user.yml ndmp.yml restit.yml; do
  play 9.14.1 "$book"
done
play 9.8.0 version_9_8.yml
# The everyday storage modules against the release whose definition the engine serves (NetApp's
# 9.8 file): told 9.14.1, the modules ask for fields and subsets 9.8 does not have.
for book in rest_info_all.yml volume.yml snapshot.yml nfs.yml admin.yml network.yml san.yml \
  qtree.yml snapshot_policy.yml export_rule.yml user_role.yml svm.yml; do
  play 9.8.0 "$book"
done
# The UNIX users and groups modules refuse REST before 9.9.0 / 9.9.1; the engine serves those 9.9
# paths from that release on (engine/later.json).
play 9.9.1 unix.yml
echo "ansible check passed: netapp.ontap $collection, $((SECONDS - started)) s"
