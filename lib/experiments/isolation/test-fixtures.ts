import type { ExperimentSample } from "@/lib/experiments/types";
import { GIB, MIB } from "@/lib/host/memory-guard";

// A synthetic isolation run as its raw samples, shaped like the one measured
// on this host: a 64 MiB container killed by its cgroup, a 128 MiB TCG VM
// whose kernel killed the hog, a 1 GiB unlimited container. For the summary,
// verdict and series tests.

type S = Omit<ExperimentSample, "seq" | "takenAt">;

export function isolationRun(over: { vmKilled?: boolean; guard?: boolean; limitedNotKilled?: boolean } = {}): ExperimentSample[] {
  const out: S[] = [];
  const host = (t: number, availGiB: number) =>
    out.push({
      kind: "host",
      sample: "host",
      rep: 0,
      warmup: false,
      values: { t_ms: t, available_bytes: availGiB * GIB, total_bytes: 24 * GIB, swap_total_bytes: 0, swap_free_bytes: 0 },
    });
  const phase = (rep: number, start: number, end: number) =>
    out.push({ kind: "host", sample: "phase", rep, warmup: false, values: { start_ms: start, end_ms: end } });
  const latency = (kind: "process" | "container" | "vm", t: number, us: number, tick: number) =>
    out.push({ kind, sample: "latency", rep: tick, warmup: false, accel: kind === "vm" ? "tcg" : undefined, values: { t_ms: t, oversleep_us: us } });

  for (let t = 0; t <= 20_000; t += 500) host(t, t >= 12_000 && t <= 15_000 ? 21 : 22);
  // before 0–3 s, limited 3–6 s, vm 6–10 s, unlimited 10–16 s, after 16–19 s
  phase(0, 0, 3000);
  phase(1, 3000, 6000);
  phase(2, 6000, 10_000);
  phase(3, 10_000, 16_000);
  phase(4, 16_000, 19_000);
  let tick = 0;
  for (let t = 0; t < 19_000; t += 100) {
    const busy = t >= 10_000 && t < 16_000;
    latency("process", t, busy ? 400 : 100, tick);
    latency("container", t, busy ? 500 : 120, tick);
    latency("vm", t, busy ? 3000 : 2000, tick);
    tick++;
  }
  // The limited container: climbs to 64 MiB, killed at 4.2 s.
  for (let t = 3000; t <= 6000; t += 250) {
    const mib = Math.min(64, (t - 3000) / 20);
    out.push({
      kind: "container",
      sample: "hog",
      rep: 1,
      warmup: false,
      values: {
        t_ms: t,
        host_bytes: (over.limitedNotKilled ? mib * 2 : t > 4200 ? 0.4 : mib) * MIB,
        limit_bytes: 64 * MIB,
        oom_kills: t > 4200 && !over.limitedNotKilled ? 1 : 0,
        peak_bytes: 64 * MIB,
      },
    });
  }
  if (!over.limitedNotKilled)
    out.push({ kind: "container", sample: "oom-kill", rep: 1, warmup: false, values: { t_ms: 4250, oom_kills: 1, host_bytes: 0.4 * MIB } });
  out.push({ kind: "container", sample: "touched", rep: 1, warmup: false, values: { t_ms: 4100, touched_mib: 60 } });
  out.push({
    kind: "container",
    sample: "hog-result",
    rep: 1,
    warmup: false,
    values: over.limitedNotKilled
      ? {
          start_ms: 3000,
          end_ms: 6000,
          exit_ms: 5000,
          asked_mib: 128,
          exit_code: 0,
          touched_mib: 128,
          limit_bytes: 64 * MIB,
          oom_kills_before: 0,
          oom_kills_after: 0,
        }
      : {
          start_ms: 3000,
          end_ms: 6000,
          exit_ms: 4200,
          asked_mib: 128,
          exit_code: 137,
          touched_mib: 60,
          limit_bytes: 64 * MIB,
          oom_kills_before: 0,
          oom_kills_after: 1,
        },
  });
  // The VM: QEMU RSS 205 → 258 MiB, guest RAM 59 → 128 MiB.
  for (let t = 6000; t <= 10_000; t += 250) {
    const grown = t > 7000;
    out.push({
      kind: "vm",
      sample: "hog",
      rep: 2,
      warmup: false,
      accel: "tcg",
      values: { t_ms: t, host_bytes: (grown ? 258 : 205) * MIB, guest_ram_bytes: (grown ? 128 : 59) * MIB, qemu_own_bytes: 130 * MIB },
    });
  }
  out.push({
    kind: "vm",
    sample: "hog-result",
    rep: 2,
    warmup: false,
    accel: "tcg",
    values: {
      start_ms: 6000,
      end_ms: 10_000,
      exit_ms: 7100,
      asked_mib: 256,
      exit_code: over.vmKilled === false ? 0 : 137,
      touched_mib: 64,
      limit_bytes: 128 * MIB,
      guest_oom_kills: over.vmKilled === false ? 0 : 1,
      running_after: 1,
      ping_ms: 13,
    },
  });
  // The unlimited container: 1 GiB held 12–15 s.
  for (let t = 10_000; t <= 16_000; t += 250) {
    out.push({
      kind: "container",
      sample: "hog",
      rep: 3,
      warmup: false,
      values: { t_ms: t, host_bytes: (t >= 12_000 && t <= 15_000 ? 1026 : 1) * MIB, oom_kills: 0 },
    });
  }
  if (over.guard)
    out.push({
      kind: "container",
      sample: "guard",
      rep: 3,
      warmup: false,
      values: { t_ms: 13_000, usage_bytes: 1200 * MIB, cap_bytes: 1024 * MIB, available_bytes: 21 * GIB, total_bytes: 24 * GIB },
    });
  out.push({
    kind: "container",
    sample: "hog-result",
    rep: 3,
    warmup: false,
    values: {
      start_ms: 10_000,
      end_ms: 16_000,
      exit_ms: 15_000,
      asked_mib: 1024,
      cap_bytes: 1024 * MIB,
      cap_bound: 1,
      touched_mib: 1024,
      oom_kills_before: 0,
      oom_kills_after: 0,
      ...(over.guard ? { guard_stopped: 1 } : { exit_code: 0 }),
    },
  });
  return out.map((s, i) => ({ ...s, seq: i + 1, takenAt: "2025-01-01T00:00:00.000Z" }));
}
