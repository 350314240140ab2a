#!/usr/bin/env bash
# npm run install-service: Isolab as a systemd service from this checkout
# (deploy/systemd/isolab.service, Delegate=yes). Sets up and builds once,
# installs the unit with this checkout's path, reloads systemd and starts it.
# Settings go in /etc/default/isolab (HOST=, PORT=, ISOLAB_*=).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(pwd -P)"
die() { printf '[isolab] install-service FAILED: %s\n' "$*" >&2; exit 1; }

# systemd as PID 1, not just systemctl on PATH (a container, WSL without systemd).
[ -d /run/systemd/system ] && command -v systemctl >/dev/null \
  || die "this host does not run systemd (no /run/systemd/system); start Isolab with \`npm start\` instead"
[ "$(id -u)" = 0 ] || die "run as root (sudo npm run install-service): the unit goes to /etc/systemd/system"
node="$(command -v node)" || die "node is not on PATH"
case "$dir" in *[[:space:]%]*) die "the checkout path \"$dir\" contains a space or %; systemd unit paths cannot" ;; esac

bash scripts/setup.sh
if [ ! -f .next/BUILD_ID ]; then
  printf '[isolab] building the dashboard…\n'
  npx next build
fi

unit=/etc/systemd/system/isolab.service
sed -e "s|@ISOLAB_DIR@|$dir|g" -e "s|@NODE@|$node|g" deploy/systemd/isolab.service >"$unit.tmp"
mv "$unit.tmp" "$unit"
[ -e /etc/default/isolab ] || printf '# Isolab settings (README "Settings"), e.g.\n# HOST=127.0.0.1\n# PORT=3000\n' >/etc/default/isolab
systemctl daemon-reload
systemctl enable --now isolab.service
printf '[isolab] installed %s (from %s); status: systemctl status isolab; logs: journalctl -u isolab\n' "$unit" "$dir"
printf '[isolab] after a code update: npm run build && systemctl restart isolab\n'
