import { describe, expect, it } from "vitest";
import { GIB, MIB } from "@/lib/host/memory-guard";
import { ISOLATION_HOGS } from "./schema";
import { latencyStats, summarizeIsolation } from "./summary";
import { isolationRun } from "./test-fixtures";

const plan = { hogs: [...ISOLATION_HOGS], neighbours: ["process", "container", "vm"] as const };

describe("summarizeIsolation", () => {
  const r = summarizeIsolation(isolationRun(), plan, []);

  it("reads the host, its reserve and its swap from the first host reading", () => {
    expect(r.host).toEqual({
      totalBytes: 24 * GIB,
      reserveBytes: Math.round(24 * GIB * 0.2),
      swapTotalBytes: 0,
      swapFreeBytes: 0,
      availableStartBytes: 22 * GIB,
    });
    expect(r.phases.map((p) => p.id)).toEqual(["before", "container-limited", "vm", "container-unlimited", "after"]);
  });

  it("credits the limited container's kill to its cgroup, with the kernel's peak", () => {
    expect(r.hogs[0]).toMatchObject({
      hog: "container-limited",
      killedBy: "cgroup",
      oomKills: 1,
      touchedMiB: 60,
      askedMiB: 128,
      limitBytes: 64 * MIB,
      hostPeakBytes: 64 * MIB,
      exitCode: 137,
    });
  });

  it("credits the VM hog's kill to the guest kernel, splits QEMU's memory and keeps the VM's survival", () => {
    expect(r.hogs[1]).toMatchObject({
      hog: "vm",
      kind: "vm",
      accel: "tcg",
      killedBy: "guest-kernel",
      guestOomKills: 1,
      runningAfter: true,
      pingMs: 13,
      hostStartBytes: 205 * MIB,
      hostPeakBytes: 258 * MIB,
      guestRamPeakBytes: 128 * MIB,
      qemuOwnPeakBytes: 130 * MIB,
    });
  });

  it("shows the unlimited container's effect on the host's available memory", () => {
    expect(r.hogs[2]).toMatchObject({
      killedBy: null,
      exitCode: 0,
      capBytes: 1024 * MIB,
      capBound: "requested",
      availableStartBytes: 22 * GIB,
      availableMinBytes: 21 * GIB,
      availableEndBytes: 22 * GIB,
      guardStopped: false,
    });
  });

  it("summarizes each neighbour's latency per phase", () => {
    expect(r.neighbours.map((n) => n.kind)).toEqual(["process", "container", "vm"]);
    expect(r.neighbours[0].perPhase.before).toEqual({ n: 30, p50Us: 100, p99Us: 100, maxUs: 100 });
    expect(r.neighbours[0].perPhase["container-unlimited"]?.p99Us).toBe(400);
    expect(r.neighbours[2].accel).toBe("tcg");
  });

  it("marks the events on the time axis in order", () => {
    expect(r.events.map((e) => [e.tMs, e.hog, e.label])).toEqual([
      [4250, "container-limited", "OOM kill by its cgroup (1 in all)"],
      [7100, "vm", "OOM kill by the guest's own kernel"],
      [15_000, "container-unlimited", "hog released its 1024 MiB"],
    ]);
  });

  it("records the guard's stop with its reason", () => {
    const g = summarizeIsolation(isolationRun({ guard: true }), plan, []).hogs[2];
    expect(g).toMatchObject({ killedBy: "isolab-guard", guardStopped: true });
    expect(g.guardReason).toMatch(/held 1200 MiB, over its hard cap of 1024 MiB/);
  });

  it("reports a hog that could not run with its reason and no numbers", () => {
    const samples = isolationRun().filter((s) => !(s.rep === 3 && s.kind === "container"));
    samples.push({
      seq: 999,
      kind: "container",
      sample: "hog-result",
      rep: 3,
      warmup: false,
      values: { start_ms: 10_000, end_ms: 10_000, asked_mib: 0 },
      error: "Refused the unlimited hog: only 12 MiB could be taken",
      takenAt: "",
    });
    const h = summarizeIsolation(samples, plan, []).hogs[2];
    expect(h).toMatchObject({ error: "Refused the unlimited hog: only 12 MiB could be taken", hostPeakBytes: null, killedBy: null });
  });

  it("copes with no samples at all", () => {
    const empty = summarizeIsolation([], plan, [{ kind: "vm", reason: "no qemu" }]);
    expect(empty).toMatchObject({ hogs: [], neighbours: [], events: [], verdicts: [], phases: [], skipped: [{ kind: "vm", reason: "no qemu" }] });
    expect(empty.host.totalBytes).toBeNull();
  });
});

describe("latencyStats", () => {
  it("is undefined without ticks and leaves non-finite ones out", () => {
    expect(latencyStats([])).toBeUndefined();
    expect(latencyStats([NaN])).toBeUndefined();
    expect(latencyStats([100, NaN, 300])).toEqual({ n: 2, p50Us: 200, p99Us: 298, maxUs: 300 });
  });
});
