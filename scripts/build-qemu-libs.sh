#!/usr/bin/env bash
# Builds Isolab's stand-ins for two libraries Debian's QEMU links but Isolab's
# VMs never use (guest/qemu-libs: libcapstone, a disassembler; libpmem,
# persistent memory) into ${ISOLAB_DATA_DIR:-.isolab}/lib/qemu/, and checks
# them against the installed QEMU. QEMU is linked with BIND_NOW, so
# `qemu -version` with them first on LD_LIBRARY_PATH resolves every symbol it
# imports from them, or fails. A QEMU that needs more (a newer build) fails
# that check: the directory is removed and VMs load Debian's libraries, which
# the doctor reports. `verified` names the QEMU checked (path, size, mtime);
# Isolab uses the directory for that QEMU only (server/vm/qemu-libs.ts).
# Rebuilt only when the sources, this script, the compiler or QEMU change.
set -euo pipefail

log() { printf '[isolab] qemu-libs: %s\n' "$*"; }
die() { printf '[isolab] qemu-libs: ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "unexpected error at scripts/build-qemu-libs.sh line $LINENO"' ERR

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${ISOLAB_DATA_DIR:-$root/.isolab}"
out="$data/lib/qemu"
src="$root/guest/qemu-libs"

qemu="$(command -v "${ISOLAB_QEMU:-qemu-system-x86_64}")" || die "QEMU (${ISOLAB_QEMU:-qemu-system-x86_64}) is not installed"
qemu="$(readlink -f "$qemu")"
command -v gcc >/dev/null || die "gcc is missing (apt-get install gcc libc6-dev)"
command -v readelf >/dev/null || die "readelf is missing (apt-get install binutils)"

read -r size mtime < <(stat -c '%s %Y' "$qemu")
hash="$( (cd "$root" && sha256sum guest/qemu-libs/* scripts/build-qemu-libs.sh; printf '%s\n' "gcc $(gcc -dumpversion)" "$qemu $size $mtime") | sha256sum | cut -d' ' -f1)"
if [ -f "$out/verified" ] && grep -qsx "$hash" "$out/.inputs"; then
  log "up to date"
  exit 0
fi

mkdir -p "$data/lib"
tmp="$(mktemp -d "$data/lib/.qemu.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# Only the libraries this QEMU names, under the soname it names.
needed="$(readelf -d "$qemu" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')"
built=()
if grep -qx libcapstone.so.4 <<<"$needed"; then
  gcc -O2 -Wall -Wextra -Werror -shared -fPIC -Wl,-soname,libcapstone.so.4 -o "$tmp/libcapstone.so.4" "$src/capstone.c"
  built+=(libcapstone.so.4)
fi
if grep -qx libpmem.so.1 <<<"$needed"; then
  gcc -O2 -Wall -Wextra -Werror -shared -fPIC -Wl,-soname,libpmem.so.1 -Wl,--version-script="$src/pmem.map" -o "$tmp/libpmem.so.1" "$src/pmem.c"
  built+=(libpmem.so.1)
fi
if [ ${#built[@]} -eq 0 ]; then
  log "$qemu links neither libcapstone.so.4 nor libpmem.so.1: nothing to stand in for"
  rm -rf "$out"
  exit 0
fi

# The check: QEMU starts with the stand-ins, and loads them rather than Debian's.
if ! err="$(LD_LIBRARY_PATH="$tmp" "$qemu" -version 2>&1 >/dev/null)"; then
  log "WARNING: $qemu needs more than the stand-ins give (${err:-no message}); its VMs load Debian's libraries"
  rm -rf "$out"
  exit 0
fi
for lib in "${built[@]}"; do
  LD_LIBRARY_PATH="$tmp" ldd "$qemu" | grep -qF "$tmp/$lib" || die "$qemu did not load $tmp/$lib"
done

printf '{"qemu":"%s","size":%s,"mtimeSec":%s,"libraries":["%s"]}\n' "$qemu" "$size" "$mtime" "$(printf '%s' "${built[*]}" | sed 's/ /","/g')" >"$tmp/verified"
# QEMU runs as its own user: it reads these, and nobody but root writes them.
chmod 755 "$tmp"
chmod 644 "$tmp"/*
rm -rf "$out"
mv "$tmp" "$out"
printf '%s\n' "$hash" >"$out/.inputs"
log "stand-ins for ${built[*]} checked against $qemu, in $out"
