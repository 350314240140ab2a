#!/usr/bin/env bash
# Fails when a test left something running or mounted: QEMU processes, probe
# processes, terminal sessions' `runc exec -t` (or crun's), runc containers
# under any Isolab runtime root, Isolab cgroups, registries and Prometheus
# servers Isolab started, KSM settings a run did not put back, templates' RAM files on /dev/shm.
set -u
leaks=0
if pgrep -x qemu-system-x86 >/dev/null || pgrep -f '^qemu-system-x86_64' >/dev/null; then
  echo "leak: QEMU still runs:"; pgrep -af '^qemu-system-x86_64' | cut -c1-200; leaks=1
fi
if pgrep -f '/bin/probe (serve|agent)' >/dev/null; then
  echo "leak: probe processes still run:"; pgrep -af '/bin/probe (serve|agent)'; leaks=1
fi
# A terminal session's shell runs under `<runtime> --root … exec -t …`
# (server/container/terminal.ts); the shell inside dies with the container.
if pgrep -f '(runc|crun) --root \S+ exec -t ' >/dev/null; then
  echo "leak: a terminal session's runtime exec still runs:"; pgrep -af '(runc|crun) --root \S+ exec -t ' | cut -c1-200; leaks=1
fi
if pgrep -f '^/usr/bin/docker-registry serve .*/registry/config\.yml$' >/dev/null; then
  echo "leak: a registry Isolab started still runs:"; pgrep -af '^/usr/bin/docker-registry serve'; leaks=1
fi
if pgrep -f '^/usr/bin/prometheus --config.file=.*/prometheus/prometheus\.yml' >/dev/null; then
  echo "leak: a Prometheus Isolab started still runs:"; pgrep -af '^/usr/bin/prometheus --config.file='; leaks=1
fi
for root in /run/runc "${TMPDIR:-/tmp}"/isolab-*/runc; do
  [ -d "$root" ] || continue
  n=$(runc --root "$root" list -q 2>/dev/null | wc -l)
  [ "$n" -gt 0 ] && { echo "leak: $n runc container(s) under $root"; leaks=1; }
done
for d in /sys/fs/cgroup/*/isolab /sys/fs/cgroup/isolab /sys/fs/cgroup/unified/isolab; do
  [ -d "$d" ] || continue
  n=$(find "$d" -mindepth 1 -maxdepth 1 -type d | wc -l)
  [ "$n" -gt 0 ] && { echo "leak: $n cgroup(s) under $d"; leaks=1; }
done
# A KSM run keeps the host's own KSM settings in ksm-saved.json until it has put them back.
for f in "${TMPDIR:-/tmp}"/isolab-*/ksm-saved.json .isolab/state/ksm-saved.json; do
  [ -f "$f" ] && { echo "leak: $f remains: a KSM run did not put the host's KSM settings back (the next start restores them)"; leaks=1; }
done
# Templated VMs keep their template's guest RAM on tmpfs, isolab-<tag>-<key>.ram (server/vm/vm-templates.ts;
# <tag>: the first 10 hex digits of the SHA-256 of the state directory's absolute path), after the clones end.
# This checkout's own state directories keep theirs for their next templated start, by design; any other is
# a test's, the e2e server's or a bench's that its cleanup missed (scripts/testing/template-ram.ts removes them).
root=$(cd "$(dirname "$0")/.." && pwd)
tag_of() { printf '%s' "$(realpath -sm "$1")" | sha256sum | cut -c1-10; }
state=$(realpath -sm "${ISOLAB_STATE_DIR:-${ISOLAB_DATA_DIR:-$root/.isolab}/state}")
for f in "${ISOLAB_SHM_DIR:-/dev/shm}"/isolab-*.ram; do
  [ -f "$f" ] || continue
  tag=$(basename "$f" | cut -d- -f2)
  held="$(( $(stat -c '%b * %B' "$f") / 1048576 )) MiB held"
  if [ "$tag" = "$(tag_of "$state")" ] || [ "$tag" = "$(tag_of "$state/cli")" ]; then
    echo "kept: $f ($held): a template of this checkout's state directory ($state), for its next templated start"
    continue
  fi
  owner="a state directory that no longer exists"
  for d in "${TMPDIR:-/tmp}"/isolab-*/; do
    [ -d "$d" ] && [ "$(tag_of "$d")" = "$tag" ] && owner="$(realpath -sm "$d")"
  done
  echo "leak: $f ($held) remains: a template's RAM file of $owner (a test, the e2e server or a bench did not remove it)"; leaks=1
done
[ $leaks -eq 0 ] && echo "no leftovers: no QEMU, probe, terminal exec, runc container, Isolab cgroup, registry, Prometheus, unrestored KSM settings or template RAM file of a test remain"
exit $leaks
