#!/usr/bin/env bash
# The host ids confined containers run as (server/container/id-range.ts):
# a system account `isolab` (no login, no home) whose /etc/subuid and
# /etc/subgid lines reserve 65536 ids, so no other tool hands them out.
# The range sits above login.defs' SUB_UID_MAX (600100000), where useradd
# never allocates. Idempotent; a line for isolab that is already there wins.
set -euo pipefail
log() { printf '[isolab] %s\n' "$*"; }
start=700000000
count=65536
if [ "$(id -u)" != 0 ]; then
  log "user namespace range: not root, leaving /etc/subuid alone (containers use ${start}+${count} unless it is taken)"
  exit 0
fi
if ! getent passwd isolab >/dev/null; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin isolab
  log "created the system user isolab (owner of the confined containers' id range)"
fi
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  if ! grep -qs '^isolab:' "$f"; then
    printf 'isolab:%s:%s\n' "$start" "$count" >>"$f"
    log "reserved ids ${start}-$((start + count - 1)) for isolab in $f"
  fi
done
log "user namespace range: $(grep '^isolab:' /etc/subuid | head -1)"
