import type { Startup } from "@/lib/core/types";

// The VM startup phases (ARCHITECTURE.md, "Startup phases"), on the host's monotonic clock:
//   qemu-up  spawn → QMP greeting (QEMU parsed its arguments, monitor is up)
//   kernel   greeting → the guest's /init started
//   ready    /init started → READY reached the host
// The guest cannot read the host clock, so "init started" is placed backwards
// from READY's arrival by the guest's own gap (uptime − init_uptime). Guest
// uptime has 10 ms resolution and a TCG guest's clock can drift from the
// host's, so the estimate is clamped into [greeting, READY]: phases never go
// negative and always add up to the total.

export interface VmStartTimes {
  spawnAt: number;
  greetingAt: number;
  readyAt: number;
  uptimeSeconds: number;
  initUptimeSeconds?: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function vmStartupPhases(t: VmStartTimes): Startup {
  const greetingAt = clamp(t.greetingAt, t.spawnAt, t.readyAt);
  if (t.initUptimeSeconds === undefined) {
    // Without init_uptime the kernel and init cannot be told apart.
    return {
      totalMs: round(t.readyAt - t.spawnAt),
      phases: [
        { name: "qemu-up", ms: round(greetingAt - t.spawnAt) },
        { name: "kernel", ms: round(t.readyAt - greetingAt) },
      ],
    };
  }
  const guestGapMs = Math.max(0, (t.uptimeSeconds - t.initUptimeSeconds) * 1000);
  const initAt = clamp(t.readyAt - guestGapMs, greetingAt, t.readyAt);
  const qemuUp = round(greetingAt - t.spawnAt);
  const kernel = round(initAt - greetingAt);
  const total = round(t.readyAt - t.spawnAt);
  // The last phase takes the rounding remainder so the sum is exact.
  return {
    totalMs: total,
    phases: [
      { name: "qemu-up", ms: qemuUp },
      { name: "kernel", ms: kernel },
      { name: "ready", ms: round(total - qemuUp - kernel) },
    ],
  };
}
