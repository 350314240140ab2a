import { buildQemuArgs, escapeOptionValue, type QemuSpec } from "@/lib/vm/qemu-args";
import type { SnapshotBinding } from "@/lib/schemas/snapshot";
import type { Startup } from "@/lib/core/types";

// Pure parts of VM snapshots: the argument array a snapshot is bound to, the
// reasons a restore is refused, the stream header and the restore phases.

/** Per-instance values a restored VM gets anew; the snapshot stores these placeholders instead. */
export const ARG_PLACEHOLDERS = {
  consoleLog: "@@console@@",
  qmpSocket: "@@qmp@@",
  agentSocket: "@@agent@@",
  pidfile: "@@pidfile@@",
} as const;

export type InstancePaths = { [K in keyof typeof ARG_PLACEHOLDERS]: string };

/** The machine part of a QEMU spec: what must be equal for a snapshot to load. */
export type MachineSpec = Omit<QemuSpec, keyof InstancePaths | "name" | "hostname" | "incoming">;

/**
 * The argument array with placeholders for the per-instance paths and no
 * `-name` or hostname: equal for every VM a snapshot can be restored into.
 * (The kernel command line only mattered at boot; a restored guest keeps
 * the one it booted with.)
 */
export function machineArgs(spec: MachineSpec): string[] {
  return buildQemuArgs({ ...spec, ...ARG_PLACEHOLDERS });
}

/** Fills a new instance's paths (and `-name`) into machineArgs' output. */
export function instantiateArgs(template: readonly string[], paths: InstancePaths, name?: string): string[] {
  const args = template.map((a) => {
    if (a === ARG_PLACEHOLDERS.pidfile) return paths.pidfile;
    let out = a;
    for (const key of ["consoleLog", "qmpSocket", "agentSocket"] as const) out = out.replace(ARG_PLACEHOLDERS[key], escapeOptionValue(paths[key]));
    return out;
  });
  return name ? ["-name", escapeOptionValue(name), ...args] : args;
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * Why a snapshot bound to `saved` cannot be restored where `current` holds,
 * in words; empty when it can. Specific reasons first; a different argument
 * hash alone means some other argument changed.
 */
export function compareBinding(saved: SnapshotBinding, current: SnapshotBinding): string[] {
  const reasons: string[] = [];
  if (saved.qemuVersion !== current.qemuVersion) reasons.push(`it was saved by ${saved.qemuVersion}; this host runs ${current.qemuVersion}`);
  const m = saved.machine;
  const c = current.machine;
  if (m.memoryMiB !== c.memoryMiB) reasons.push(`it was saved with ${m.memoryMiB} MiB of memory, not ${c.memoryMiB} MiB`);
  if (m.cpus !== c.cpus) reasons.push(`it was saved with ${m.cpus} vCPU${m.cpus === 1 ? "" : "s"}, not ${c.cpus}`);
  if (m.accel !== c.accel) reasons.push(`it was saved under ${m.accel.toUpperCase()}, not ${c.accel.toUpperCase()}`);
  if (saved.kernel.sha256 !== current.kernel.sha256) {
    reasons.push(`the guest kernel changed (${short(saved.kernel.sha256)} → ${short(current.kernel.sha256)})`);
  }
  if (saved.image.name !== current.image.name) reasons.push(`it is of image "${saved.image.name}", not "${current.image.name}"`);
  else if (saved.image.initramfs.sha256 !== current.image.initramfs.sha256) {
    reasons.push(`image "${saved.image.name}" was rebuilt since (initramfs ${short(saved.image.initramfs.sha256)} → ${short(current.image.initramfs.sha256)})`);
  }
  if ((saved.bios?.sha256 ?? null) !== (current.bios?.sha256 ?? null)) reasons.push("the VM firmware (BIOS) changed");
  if (reasons.length === 0 && saved.argsHash !== current.argsHash) reasons.push("it was saved with other QEMU arguments");
  return reasons;
}

/** A QEMU migration stream starts with "QEVM" and format version 3 (migration/savevm.c). */
export function isMigrationStreamHeader(head: Uint8Array): boolean {
  return (
    head.length >= 8 &&
    head[0] === 0x51 &&
    head[1] === 0x45 &&
    head[2] === 0x56 &&
    head[3] === 0x4d &&
    head[4] === 0 &&
    head[5] === 0 &&
    head[6] === 0 &&
    head[7] === 3
  );
}

export interface RestoreTimes {
  /** performance.now() when the start was asked for. */
  askedAt: number;
  /** When the restoring QEMU was spawned; later than askedAt by the template build when there was one. */
  spawnAt: number;
  greetingAt: number;
  /** The incoming migration completed: guest memory and devices are loaded. */
  loadedAt: number;
  /** The guest's agent answered `ping`. */
  readyAt: number;
  /** The template had to be booted and saved first (the first warm start of its kind). */
  builtTemplate?: boolean;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Startup of a restored VM (host monotonic clock, from the moment Isolab asks):
 *   template      the template's cold boot and save, only when this start made it
 *   qemu-up       → QMP greeting (includes the snapshot's checks before the spawn)
 *   state-loaded  → the saved memory and device state are loaded
 *   ready         → `cont`, and the guest's agent answers ping
 * Times are clamped to be monotonic so phases never go negative and add up.
 */
export function restoreStartupPhases(t: RestoreTimes): Startup {
  const spawnAt = Math.max(t.askedAt, t.spawnAt);
  const greetingAt = Math.max(spawnAt, t.greetingAt);
  const loadedAt = Math.max(greetingAt, t.loadedAt);
  const readyAt = Math.max(loadedAt, t.readyAt);
  const total = round(readyAt - t.askedAt);
  const phases = t.builtTemplate
    ? [
        { name: "template", ms: round(spawnAt - t.askedAt) },
        { name: "qemu-up", ms: round(greetingAt - spawnAt) },
      ]
    : [{ name: "qemu-up", ms: round(greetingAt - t.askedAt) }];
  phases.push({ name: "state-loaded", ms: round(loadedAt - greetingAt) });
  const sum = phases.reduce((s, p) => s + p.ms, 0);
  phases.push({ name: "ready", ms: round(total - sum) });
  return { totalMs: total, phases };
}

/**
 * Startup of a pooled VM (host monotonic clock, from the moment Isolab asks):
 *   pool   → a waiting clone was handed over (0 when one was waiting; the
 *            start of a clone when the pool had to make one first)
 *   ready  → `cont`, the clone's hostname and seed, and the agent's ping
 * The QEMU was spawned and loaded before it was asked for: that time is the
 * pool's, not this start's, and the pool's standing memory is its price.
 */
export function pooledStartupPhases(t: { askedAt: number; takenAt: number; readyAt: number }): Startup {
  const takenAt = Math.max(t.askedAt, t.takenAt);
  const readyAt = Math.max(takenAt, t.readyAt);
  const total = round(readyAt - t.askedAt);
  const pool = round(takenAt - t.askedAt);
  return {
    totalMs: total,
    phases: [
      { name: "pool", ms: pool },
      { name: "ready", ms: round(total - pool) },
    ],
  };
}
