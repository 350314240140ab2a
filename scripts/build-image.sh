#!/usr/bin/env bash
# Builds the `probe` image under ${ISOLAB_DATA_DIR:-.isolab}/images/probe/:
#   rootfs/          busybox + /bin/probe + /init (containers use it read-only)
#   initramfs.cpio   the same tree, newc, uncompressed (TCG decompresses slowly)
#   image.json       what guest/README.md lists, plus the hash of the inputs
# and the host-side helpers isolab-shim, isolab-cgexec and isolab-nothp in ${ISOLAB_DATA_DIR:-.isolab}/bin/.
# Rebuilds only when the inputs (guest sources, this script, busybox, the
# compiler) change. `probe/` stays a real directory (runc refuses a rootfs
# path through a symlink): a rebuild renames the old one aside and the new one
# in, so a running container keeps its (moved) rootfs; old builds are removed
# once no process has its root there.
set -euo pipefail

log() { printf '[isolab] image: %s\n' "$*"; }
die() { printf '[isolab] image: ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "unexpected error at scripts/build-image.sh line $LINENO"' ERR

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${ISOLAB_DATA_DIR:-$root/.isolab}"
images="$data/images"
name=probe
out="$images/$name"
busybox="${ISOLAB_BUSYBOX:-/bin/busybox}"

[ -x "$busybox" ] || die "no static busybox at $busybox (apt-get install busybox-static)"
command -v cpio >/dev/null || die "cpio is missing (apt-get install cpio)"
command -v sha256sum >/dev/null || die "sha256sum is missing (coreutils)"
# musl makes a ~90 KB probe instead of ~800 KB with static glibc.
if command -v musl-gcc >/dev/null; then cc=musl-gcc; else cc=gcc; fi
command -v "$cc" >/dev/null || die "no C compiler (apt-get install gcc libc6-dev)"

busybox_banner="$("$busybox" 2>&1 | head -n1 || true)"
busybox_version="$(printf '%s' "$busybox_banner" | sed -n 's/^BusyBox v\([^ ]*\).*/\1/p')"
[ -n "$busybox_version" ] || die "cannot read the version of $busybox"

inputs="$(
  cd "$root"
  sha256sum guest/init guest/probe/*.c guest/probe/*.h scripts/build-image.sh
  printf '%s\n' "$busybox_banner" "$(sha256sum <"$busybox")" "$cc $("$cc" -dumpversion)"
)"
inputs_hash="$(printf '%s' "$inputs" | sha256sum | cut -d' ' -f1)"

mkdir -p "$images"
# One build at a time: npm start and npm test may both run the set-up.
exec 9>"$images/.$name.lock"
flock 9

# Host-side helpers run on the host, not in the image: built beside it into
# $data/bin, only when their source or the compiler changed, so a change to
# one does not rebuild the image. isolab-shim (guest/shim) adopts a
# container's init; isolab-cgexec (guest/cgexec) puts the bare process and
# its commands into their cgroup before they run; isolab-nothp (guest/nothp)
# starts a templated VM clone's QEMU without transparent huge pages.
build_host_helper() {
  local name=$1 src=$2 out="$data/bin/$1" hash
  hash="$( (sha256sum <"$src"; printf '%s\n' "$cc $("$cc" -dumpversion)") | sha256sum | cut -d' ' -f1)"
  if [ -x "$out" ] && grep -qsx "$hash" "$out.inputs"; then return; fi
  log "compiling $name with $cc"
  mkdir -p "$data/bin"
  "$cc" -static -O2 -Wall -Wextra -Werror -o "$out.tmp" "$src" || die "compiling $src failed"
  strip "$out.tmp" 2>/dev/null || true
  mv -f "$out.tmp" "$out"
  printf '%s\n' "$hash" >"$out.inputs"
}
build_host_helper isolab-shim "$root/guest/shim/isolab-shim.c"
build_host_helper isolab-cgexec "$root/guest/cgexec/isolab-cgexec.c"
build_host_helper isolab-nothp "$root/guest/nothp/isolab-nothp.c"

# Removes builds renamed aside (and temp dirs of killed builds) that no
# process uses as its root. A container's /proc/PID/root reads "/", but its
# mountinfo line for "/" carries the source path of the bind mount (field 4),
# which names the directory even after the rename.
collect_old() {
  local roots d
  roots="$( (cat /proc/[0-9]*/mountinfo 2>/dev/null || true) | awk '$5 == "/" { print $4 }' | sort -u)"
  for d in "$images"/."$name"-* "$images"/."$name".tmp.*; do
    [ -d "$d" ] || continue
    if grep -qF "/${d##*/}/" <<<"$roots"; then log "keeping ${d##*/}: a running instance uses it"; continue; fi
    rm -rf "$d"
  done
}

if [ -d "$out" ] && [ ! -L "$out" ] && [ -s "$out/initramfs.cpio" ] && [ -x "$out/rootfs/bin/probe" ] \
  && grep -qs "\"inputsHash\": \"$inputs_hash\"" "$out/image.json"; then
  collect_old
  log "$name up to date"
  exit 0
fi

collect_old
tmp="$(mktemp -d "$images/.$name.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
rootfs="$tmp/rootfs"

log "compiling the probe with $cc"
mkdir -p "$rootfs/bin"
"$cc" -static -O2 -Wall -Wextra -Werror -o "$rootfs/bin/probe" "$root"/guest/probe/*.c \
  || die "compiling guest/probe failed"
strip "$rootfs/bin/probe" 2>/dev/null || true

log "assembling the root filesystem (busybox $busybox_version)"
# Empty mount points must exist in the image: the container's rootfs is
# shared and read-only, so the runtime cannot create them there.
for d in proc sys dev tmp etc run root sbin usr/bin usr/sbin; do mkdir -p "$rootfs/$d"; done
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# --list-full gives each applet's install path (bin/sh, usr/bin/awk, ...).
while read -r applet; do
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done < <("$busybox" --list-full)
install -m 0755 "$root/guest/init" "$rootfs/init"
# The kernel opens /dev/console for /init's stdio before /init mounts devtmpfs.
mknod -m 600 "$rootfs/dev/console" c 5 1
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
printf '%s\n' "$name" >"$rootfs/etc/hostname"
printf '127.0.0.1 localhost\n' >"$rootfs/etc/hosts"

log "packing initramfs.cpio"
(cd "$rootfs" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initramfs.cpio" \
  || die "cpio failed"
size="$(stat -c %s "$tmp/initramfs.cpio")"
files="$(cd "$rootfs" && find . -mindepth 1 | wc -l)"
sha="$(sha256sum "$tmp/initramfs.cpio" | cut -d' ' -f1)"
cat >"$tmp/image.json" <<EOF
{
  "name": "$name",
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "sizeBytes": $size,
  "files": $files,
  "sha256": "$sha",
  "busyboxVersion": "$busybox_version",
  "inputsHash": "$inputs_hash"
}
EOF

# Two renames: the image is absent only between them, never half-written.
if [ -L "$out" ]; then
  rm -f "$out" # left by an earlier layout that used a symlink
elif [ -e "$out" ]; then
  mv -T "$out" "$images/.$name-old-$(date +%s%N)"
fi
mv -T "$tmp" "$out"
collect_old
log "$name built: $((size / 1024)) KiB cpio, $files files, in $out"
