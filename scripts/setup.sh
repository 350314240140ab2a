#!/usr/bin/env bash
# Idempotent set-up that `npm start` and `npm test` run first. On a fresh
# Debian 12 machine (as root) it installs the host packages, the npm
# dependencies, the guest kernel and the probe image; afterwards it only
# checks, in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
changed=0

log() { printf '[isolab] %s\n' "$*"; }
die() { printf '[isolab] set-up FAILED: %s\n' "$*" >&2; exit 1; }
trap 'die "unexpected error at scripts/setup.sh line $LINENO"' ERR

# What each is for: VMs, containers (runc; crun where cgroups allow), the
# image build (busybox-static, cpio, lz4, gcc, libc6-dev, musl-tools), the e2e
# browser, promtool (prometheus) for checking /api/metrics, and the
# image/registry figure (umoci, skopeo, docker-registry), getcap (libcap2-bin: tests read
# file capabilities). Their own services
# are kept from starting during the install (policy-rc.d).
packages=(qemu-system-x86 runc crun busybox-static cpio lz4 gcc libc6-dev musl-tools chromium
  prometheus umoci skopeo docker-registry libcap2-bin)

missing=()
for p in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "packages missing (${missing[*]}); run as root or: apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || die "apt-get update failed (no network or a broken sources.list?)"
  # Isolab starts the registry itself, on 127.0.0.1, when asked; the
  # packages' own services must not start (and hold port 5000 or 9090).
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1; fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { [ $own_policy = 1 ] && rm -f "$policy"; die "apt-get install ${missing[*]} failed"; }
  [ $own_policy = 1 ] && rm -f "$policy"
  changed=1
else
  log "packages: all ${#packages[@]} present"
fi

# QEMU runs as this unprivileged system user (server/host/qemu-user.ts), a
# member of kvm where the host has that group so KVM guests still start.
qemu_user="${ISOLAB_QEMU_USER:-isolab-qemu}"
if ! getent passwd "$qemu_user" >/dev/null; then
  [ "$(id -u)" = 0 ] || die "the system user $qemu_user is missing; as root: useradd --system --user-group --no-create-home --shell /usr/sbin/nologin $qemu_user"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$qemu_user" \
    || die "could not create the system user $qemu_user"
  log "created the system user $qemu_user (QEMU runs as it)"
  changed=1
fi
if getent group kvm >/dev/null && ! id -nG "$qemu_user" | tr ' ' '\n' | grep -qx kvm; then
  usermod -aG kvm "$qemu_user" || die "could not add $qemu_user to the group kvm"
fi

command -v node >/dev/null || die "node is not installed (Isolab needs Node 20.9+ or 22+)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)' \
  || die "node $(node --version) is too old (Isolab needs 20.9+ or 22+)"

# npm ci leaves node_modules/.package-lock.json; a newer lock file means the
# dependencies changed since.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || die "npm ci failed"
  changed=1
else
  log "node_modules: up to date"
fi

data="${ISOLAB_DATA_DIR:-.isolab}"
# Whether the two build steps did anything, for the closing summary.
artifacts() { { stat -c %Y "$data/images/probe/image.json" "$data"/kernel/* "$data/v2host/base.cpio"; } 2>/dev/null | tr '\n' ' ' || true; }
before="$(artifacts)"
bash scripts/setup-kernel.sh || die "the guest kernel could not be set up (scripts/setup-kernel.sh)"
bash scripts/build-image.sh || die "the probe image could not be built (scripts/build-image.sh)"
bash scripts/build-qemu-libs.sh || die "the QEMU library stand-ins could not be built (scripts/build-qemu-libs.sh)"
bash scripts/setup-userns.sh || die "the user-namespace range could not be reserved (scripts/setup-userns.sh)"
bash scripts/setup-v2host.sh || die "the nested cgroup v2 test host could not be assembled (scripts/setup-v2host.sh)"
[ "$before" = "$(artifacts)" ] || changed=1

if [ "$changed" = 0 ]; then
  log "everything present ($((SECONDS - t0)) s)"
else
  log "set-up complete ($((SECONDS - t0)) s)"
fi
