import { describe, expect, it } from "vitest";
import type { ExperimentSample } from "@/lib/experiments/types";
import { GIB, MIB } from "@/lib/host/memory-guard";
import { chooseMarginal, extrapolate, summarizeDensity } from "./summary";
import { STOP_REASONS } from "./types";

type Step = { availMiB: number; sumMiB: number; cpu: number; startup?: number };

function run(
  kind: "container" | "vm" | "vm-template",
  steps: Step[],
  stop: { reason: (typeof STOP_REASONS)[number]; error?: string } = { reason: "max" },
): ExperimentSample[] {
  const base = 20 * GIB;
  const out: ExperimentSample[] = steps.map((s, n) => ({
    seq: n + 1,
    kind,
    sample: "step",
    rep: n,
    warmup: false,
    accel: kind !== "container" && n > 0 ? "tcg" : undefined,
    values: {
      instances: n,
      available_bytes: base - s.availMiB * MIB,
      total_bytes: 24 * GIB,
      sum_host_bytes: s.sumMiB * MIB,
      sum_cpu_pct: s.cpu,
      cores: 2,
      ...(n > 0 ? { instance_host_bytes: (s.sumMiB / n) * MIB, instance_cpu_pct: s.cpu / n, startup_ms: s.startup ?? 0 } : {}),
    },
    takenAt: "",
  }));
  out.push({
    seq: 99,
    kind,
    sample: "stop",
    rep: steps.length - 1,
    warmup: false,
    values: { reason_code: STOP_REASONS.indexOf(stop.reason), instances: steps.length - 1 },
    error: stop.error,
    takenAt: "",
  });
  return out;
}

const line = (n: number, per: number, extra = 0) => Array.from({ length: n + 1 }, (_, i) => i * per + (i % 2 ? extra : 0));

describe("chooseMarginal", () => {
  const fit = (slope: number, r2: number | null) => ({ slope, intercept: 0, r2, n: 5 });
  it.each([
    ["both good: the larger, MemAvailable", fit(2, 0.99), fit(1, 1), 2, "memavailable", null],
    ["both good: the larger, host view", fit(1, 0.99), fit(1.5, 1), 1.5, "host-view", null],
    ["noisy MemAvailable is set aside with a note", fit(5, 0.2), fit(1, 1), 1, "host-view", /did not follow the instance count \(slope 5.0 MiB, R² 0.20\)/],
    ["a falling MemAvailable drop is noise", fit(-3, 0.95), fit(1, 1), 1, "host-view", /slope -3.0/],
    ["host view alone", null, fit(0.5, 1), 0.5, "host-view", null],
    ["MemAvailable alone", fit(2, 0.9), null, 2, "memavailable", null],
    ["nothing usable", null, null, null, null, /too few steps/],
    ["flat MemAvailable (no R²) and no host view", fit(0, null), fit(0, null), null, null, /did not follow/],
  ] as const)("%s", (_name, mem, view, chosen, from, note) => {
    const r = chooseMarginal(mem, view);
    expect(r.chosenMiB).toBe(chosen);
    expect(r.chosenFrom).toBe(from);
    if (note === null) expect(r.note).toBeNull();
    else expect(r.note).toMatch(note);
  });
});

describe("chooseMarginal with the kernel structures", () => {
  const fit = (slope: number, r2: number | null) => ({ slope, intercept: 0, r2, n: 5 });
  it.each([
    ["noisy MemAvailable: the larger partial measure, called a lower bound", fit(0.1, 0.01), fit(0.23, 1), fit(0.65, 0.99), 0.65, "kernel", /lower bound/],
    [
      "good MemAvailable above both: MemAvailable, because it counts everything",
      fit(2.37, 0.96),
      fit(0.23, 1),
      fit(0.73, 1),
      2.37,
      "memavailable",
      /counts everything the host lost/,
    ],
    [
      "good MemAvailable below the kernel slope: the larger, so plans err low",
      fit(0.5, 0.9),
      fit(0.23, 1),
      fit(0.73, 1),
      0.73,
      "kernel",
      /larger than the MemAvailable slope/,
    ],
  ] as const)("%s", (_name, mem, view, kernel, chosen, from, why) => {
    const r = chooseMarginal(mem, view, kernel);
    expect(r).toMatchObject({ chosenMiB: chosen, chosenFrom: from });
    expect(r.why).toMatch(why);
  });
});

describe("extrapolate", () => {
  it.each([
    ["memory-bound", 1000 * MIB, 10, 0.1, 2, 100, 1600, 100, "memory"],
    ["cpu-bound", 100_000 * MIB, 10, 2, 2, 10_000, 80, 80, "cpu"],
    ["idle CPU below resolution", 1000 * MIB, 10, 0.01, 2, 100, null, 100, "memory"],
    ["no CPU measure", 1000 * MIB, 10, null, 2, 100, null, 100, "memory"],
    ["no memory measure, CPU only", 1000 * MIB, null, 4, 2, null, 40, 40, "cpu"],
    ["nothing measured", 1000 * MIB, null, null, 2, null, null, null, null],
    ["empty budget", 0, 10, null, 2, 0, null, 0, "memory"],
  ] as const)("%s", (_name, budget, mem, cpu, cores, byMemory, byCpu, count, bound) => {
    expect(extrapolate(budget, mem, cpu, cores)).toEqual({ budgetBytes: budget, byMemory, byCpu, count, bound });
  });
});

describe("summarizeDensity", () => {
  const containers = run(
    "container",
    line(10, 1.5, 0.2).map((avail, i) => ({ availMiB: avail, sumMiB: i * 0.6, cpu: 0, startup: 40 + i })),
  );
  const vms = run(
    "vm",
    line(3, 180).map((avail, i) => ({ availMiB: avail, sumMiB: i * 150, cpu: i * 1.5, startup: 2000 + 100 * i })),
    { reason: "reserve", error: "Refused vm #4: it needs about 400 MiB" },
  );
  const r = summarizeDensity([...containers, ...vms], { kinds: ["container", "vm"] }, []);

  it("fits the marginal memory per kind and takes the larger estimate", () => {
    const [c, v] = r.kinds;
    expect(c.reached).toBe(10);
    expect(c.marginal.memAvailable!.slope).toBeCloseTo(1.5, 1);
    expect(c.marginal.hostView!.slope).toBeCloseTo(0.6, 10);
    expect(c.marginal.chosenFrom).toBe("memavailable");
    expect(v.reached).toBe(3);
    expect(v.accel).toBe("tcg");
    expect(v.marginal.chosenMiB).toBeCloseTo(180, 10);
    expect(r.ratioVmToContainer).toBeCloseTo(180 / c.marginal.chosenMiB!, 10);
  });

  it("extrapolates from the memory available at the kind's start minus the reserve", () => {
    const budget = 20 * GIB - Math.round(24 * GIB * 0.2);
    const [c, v] = r.kinds;
    expect(c.fits).toMatchObject({ budgetBytes: budget, byCpu: null, bound: "memory" });
    expect(c.fits.count).toBe(Math.floor(budget / MIB / c.marginal.chosenMiB!));
    // 1.5 % of a core per VM into 80 % of 2 cores: 106; memory allows 85.
    expect(v.fits).toMatchObject({ byMemory: Math.floor(budget / MIB / 180), byCpu: 106, bound: "memory" });
  });

  it("says why each kind stopped and how startup moved with density", () => {
    expect(r.kinds[0].stopText).toBe("reached the planned maximum (10)");
    expect(r.kinds[1].stopText).toBe("the next instance would have taken the host into its memory reserve: Refused vm #4: it needs about 400 MiB");
    expect(r.kinds[1].startup).toMatchObject({ firstMs: 2100, lastMs: 2300, medianMs: 2200 });
    expect(r.kinds[1].startup.slopeMsPerInstance).toBeCloseTo(100, 10);
  });

  it("keeps within a run's memory budget when one was set", () => {
    expect(summarizeDensity(vms, { kinds: ["vm"], budgetMiB: 1024 }, []).kinds[0].fits).toMatchObject({ budgetBytes: 1024 * MIB, byMemory: 5 });
  });

  it.each([
    ["no samples", [], 0],
    ["only a baseline", run("container", [{ availMiB: 0, sumMiB: 0, cpu: 0 }]), 1],
  ])("copes with %s", (_name, samples, kinds) => {
    const d = summarizeDensity(samples, { kinds: ["container"] }, []);
    expect(d.kinds).toHaveLength(kinds);
    expect(d.ratioVmToContainer).toBeNull();
    if (kinds) expect(d.kinds[0]).toMatchObject({ reached: 0, marginal: { chosenMiB: null }, fits: { count: null } });
  });

  it("with one instance, still fits a line through the baseline", () => {
    const d = summarizeDensity(
      run("container", [
        { availMiB: 0, sumMiB: 0, cpu: 0 },
        { availMiB: 2, sumMiB: 1, cpu: 0 },
      ]),
      { kinds: ["container"] },
      [],
    );
    expect(d.kinds[0].marginal.memAvailable).toMatchObject({ slope: 2, n: 2 });
  });

  it("takes what the rest of the host allocated out of the MemAvailable drop, and keeps the raw fit beside it", () => {
    const samples = run(
      "container",
      [0, 1, 2, 3, 4].map((i) => ({ availMiB: i * 2 + (i === 3 ? 300 : 0), sumMiB: i * 0.25, cpu: 0 })),
    );
    // Someone else allocated 300 MiB at step 3 (and kept it): their RssAnon says so.
    for (const s of samples) if (s.sample === "step") s.values.others_anon_bytes = (1000 + (s.rep === 3 ? 300 : 0)) * MIB;
    for (const s of samples) if (s.sample === "step") s.values.slab_bytes = (100 + s.rep * 0.5) * MIB;
    const k = summarizeDensity(samples, { kinds: ["container"] }, []).kinds[0];
    expect(k.marginal.memAvailable!.slope).toBeCloseTo(2, 10);
    expect(k.marginal.memAvailable!.r2).toBeCloseTo(1, 10);
    expect(k.marginal.memAvailableRaw!.r2).toBeLessThan(0.5);
    expect(k.marginal.kernel!.slope).toBeCloseTo(0.5, 10);
    expect(k.marginal).toMatchObject({ chosenFrom: "memavailable", why: expect.stringMatching(/^MemAvailable \(2.00 MiB, R² 1.00\): it counts everything/) });
    expect(k.steps[3].othersDeltaBytes).toBe(300 * MIB);
  });

  it("templated VMs: the template's RAM file is the run's reading before the baseline, apart from the clones' slope", () => {
    const clones = run(
      "vm-template",
      line(3, 12).map((avail, i) => ({ availMiB: avail, sumMiB: i * 30, cpu: 0 })),
    );
    const file = { kind: "vm-template" as const, sample: "template" as const, rep: 0, warmup: false, takenAt: "" };
    const measured = summarizeDensity(
      [...vms, { ...file, seq: 0, values: { resident_bytes: 80 * MIB, size_bytes: 128 * MIB } }, ...clones],
      { kinds: ["vm", "vm-template"] },
      [],
    );
    const [vm, tpl] = measured.kinds;
    expect(vm.templateFile).toBeUndefined();
    expect(tpl.templateFile).toEqual({ residentBytes: 80 * MIB, sizeBytes: 128 * MIB });
    // The clones' own slope (the larger of MemAvailable and the host view): the file is not in it.
    expect(tpl.marginal.chosenMiB).toBeCloseTo(30, 10);
    expect(measured.ratioTemplateToVm).toBeCloseTo(30 / 180, 10);
    const missing = summarizeDensity(
      [{ ...file, seq: 0, values: {}, error: "the clone mapped no RAM file of its guest's size" }, ...clones],
      { kinds: ["vm-template"] },
      [],
    );
    expect(missing.kinds[0].templateFile).toBeNull();
  });

  it("has no ratio without both kinds", () => {
    expect(summarizeDensity(vms, { kinds: ["container", "vm"] }, []).ratioVmToContainer).toBeNull();
  });
});
