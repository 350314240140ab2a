#!/usr/bin/env bash
# Builds the base initramfs of the nested cgroup v2 test host
# (ARCHITECTURE.md, "The nested cgroup v2 host") at
#   ${ISOLAB_DATA_DIR:-.isolab}/v2host/base.cpio
# busybox, Node, runc and crun from this host's Debian packages, each with
# the shared libraries ldd names, at the same paths. The guest boots the
# kernel scripts/setup-kernel.sh fetched; what changes with the checkout
# (its /init, the bundled tests, the probe image) is a second cpio the test
# appends at boot. Rebuilt only when one of the binaries or this script
# changes; otherwise a check of about a second.
set -euo pipefail

log() { printf '[isolab] v2host: %s\n' "$*"; }
die() { printf '[isolab] v2host: ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "unexpected error at scripts/setup-v2host.sh line $LINENO"' ERR

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${ISOLAB_DATA_DIR:-$root/.isolab}"
dir="$data/v2host"
busybox="${ISOLAB_BUSYBOX:-/bin/busybox}"

bins=()
for tool in node runc crun; do
  p="$(command -v "$tool")" || die "$tool is not installed (scripts/setup.sh installs runc and crun)"
  bins+=("$(readlink -f "$p")")
done
[ -x "$busybox" ] || die "no static busybox at $busybox (apt-get install busybox-static)"
for tool in ldd cpio sha256sum; do command -v "$tool" >/dev/null || die "missing tool: $tool"; done

# Each binary and library by path, size and modification time: a package
# upgrade changes them, and reading 100 MB of Node to hash it would not be quick.
libs() { ldd "$1" | grep -o '/[^ ]*' | sort -u; }
# Containers are confined by default with this profile (server/container/seccomp-profile.ts).
seccomp_profile=/usr/share/containers/seccomp.json
inputs="$(
  sha256sum "$root/scripts/setup-v2host.sh"
  sha256sum "$seccomp_profile" 2>/dev/null || true
  for b in "$busybox" "${bins[@]}"; do
    stat -L -c '%n %s %Y' "$b"
    for l in $(libs "$b" 2>/dev/null || true); do stat -L -c '%n %s %Y' "$l"; done
  done
)"
hash="$(printf '%s' "$inputs" | sha256sum | cut -d' ' -f1)"

if [ -s "$dir/base.cpio" ] && grep -qsx "$hash" "$dir/base.inputs"; then
  log "base initramfs up to date"
  exit 0
fi

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
tmp="$(mktemp -d "$dir/.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
rootfs="$tmp/rootfs"

log "assembling the base initramfs (busybox, node, runc, crun and their libraries)"
for d in bin sbin usr/bin usr/sbin proc sys dev tmp run etc root var/tmp; do mkdir -p "$rootfs/$d"; done
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
cp "$busybox" "$rootfs/bin/busybox"
while read -r applet; do
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done < <("$busybox" --list-full)
for b in "${bins[@]}"; do
  # Where PATH finds it on this host (/usr/bin/node, /usr/sbin/runc, /usr/bin/crun).
  name="$(basename "$b")"
  dest="$(command -v "$name")"
  mkdir -p "$rootfs$(dirname "$dest")"
  rm -f "$rootfs$dest"
  cp "$b" "$rootfs$dest"
  for l in $(libs "$b"); do
    mkdir -p "$rootfs$(dirname "$l")"
    cp -L "$l" "$rootfs$l"
  done
done
mknod -m 600 "$rootfs/dev/console" c 5 1
mkdir -p "$rootfs$(dirname "$seccomp_profile")"
cp "$seccomp_profile" "$rootfs$seccomp_profile" || die "$seccomp_profile is missing (Debian's golang-github-containers-common, installed with skopeo)"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
printf '127.0.0.1 localhost\n' >"$rootfs/etc/hosts"

(cd "$rootfs" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/base.cpio" || die "cpio failed"
mv -f "$tmp/base.cpio" "$dir/base.cpio"
printf '%s\n' "$hash" >"$dir/base.inputs"
log "base initramfs built: $(($(stat -c %s "$dir/base.cpio") / 1048576)) MiB in $dir"
