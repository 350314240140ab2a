#!/usr/bin/env bash
# Puts a guest kernel in ${ISOLAB_DATA_DIR:-.isolab}/kernel/:
#   bzImage  Debian's linux-image-cloud-amd64 as shipped (untuned benchmark)
#   vmlinux  the same kernel uncompressed: QEMU boots an ELF with a PVH note
#            directly, skipping firmware real mode and the in-guest LZ4
#            decompression, which is slow under TCG
#   release  its release string
# A fast no-op once all three exist. With $ISOLAB_KERNEL set, only checks it.
set -euo pipefail

log() { printf '[isolab] kernel: %s\n' "$*"; }
die() { printf '[isolab] kernel: ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "unexpected error at scripts/setup-kernel.sh line $LINENO"' ERR

is_elf() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; }

if [ -n "${ISOLAB_KERNEL:-}" ]; then
  [ -r "$ISOLAB_KERNEL" ] || die "ISOLAB_KERNEL=$ISOLAB_KERNEL is not a readable file"
  log "using ISOLAB_KERNEL=$ISOLAB_KERNEL"
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${ISOLAB_DATA_DIR:-$root/.isolab}"
dir="$data/kernel"

if [ -s "$dir/vmlinux" ] && [ -s "$dir/bzImage" ] && [ -s "$dir/release" ]; then
  log "$(cat "$dir/release") present"
  exit 0
fi

for tool in apt-get dpkg-deb lz4 grep od; do
  command -v "$tool" >/dev/null || die "missing tool: $tool (apt-get install lz4 dpkg)"
done

mkdir -p "$dir"
tmp="$(mktemp -d "$dir/.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

log "downloading linux-image-cloud-amd64"
# apt drops to the _apt user, which cannot write into a root-owned checkout;
# downloading as root avoids a warning per file.
(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root linux-image-cloud-amd64 >/dev/null) \
  || die "apt-get download linux-image-cloud-amd64 failed (run apt-get update?)"
meta="$(ls "$tmp"/linux-image-cloud-amd64_*.deb)"
# The metapackage depends on exactly one versioned image package.
dep="$(dpkg-deb -f "$meta" Depends | tr ',' '\n' | grep -o 'linux-image-[0-9][^ ]*-cloud-amd64' | head -n1)"
[ -n "$dep" ] || die "cannot find the versioned kernel package in Depends of $meta"
log "downloading $dep"
(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$dep" >/dev/null) || die "apt-get download $dep failed"

mkdir "$tmp/x"
dpkg-deb -x "$tmp/${dep}"_*.deb "$tmp/x"
vmlinuz="$(ls "$tmp"/x/boot/vmlinuz-* | head -n1)"
[ -f "$vmlinuz" ] || die "no boot/vmlinuz-* in $dep"
release="${vmlinuz##*/vmlinuz-}"

# The bzImage payload is LZ4 "legacy" frames (magic 02 21 4c 18). lz4 stops
# at the trailing non-LZ4 bytes with an error, after writing the full ELF.
offset="$(grep -obUaP '\x02\x21\x4c\x18' "$vmlinuz" | head -n1 | cut -d: -f1)"
[ -n "$offset" ] || die "no LZ4 payload in $vmlinuz (kernel not LZ4-compressed?)"
tail -c "+$((offset + 1))" "$vmlinuz" | lz4 -dc > "$tmp/vmlinux" 2>/dev/null || true
is_elf "$tmp/vmlinux" || die "decompressed payload of $vmlinuz is not an ELF"
if command -v readelf >/dev/null; then
  # Note type 0x12 is XEN_ELFNOTE_PHYS32_ENTRY, the PVH entry QEMU looks for.
  readelf -n "$tmp/vmlinux" | grep -q "(0x00000012)" \
    || die "vmlinux has no PVH entry note; QEMU could not boot it directly"
fi

cp "$vmlinuz" "$tmp/bzImage"
printf '%s\n' "$release" > "$tmp/release"
# Rename each file into place; vmlinux last, since its presence (with the
# other two) is what marks the step as done.
mv -f "$tmp/bzImage" "$dir/bzImage"
mv -f "$tmp/release" "$dir/release"
mv -f "$tmp/vmlinux" "$dir/vmlinux"
log "$release ready in $dir ($(du -h "$dir/vmlinux" | cut -f1) vmlinux)"
