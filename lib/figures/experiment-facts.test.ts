import { describe, expect, it } from "vitest";
import type { DensityKindResult, DensityResult } from "@/lib/experiments/density/types";
import type { ExperimentListItem } from "@/lib/experiments/types";
import type { Summary } from "@/lib/core/stats";
import recorded from "@/lib/experiments/density/recorded-run.json";
import { densityMarginals, densityTemplated, overheadFacts, pendingExperiments, startupFacts } from "./experiment-facts";

const sum = (median: number, n = 3): Summary => ({ n, min: median, median, p95: median * 1.1, max: median * 1.2, mean: median });
const env = { host: {} as never, accelerator: { accel: "tcg" as const, reason: "KVM hung" }, node: "v20", capturedAt: "2026-01-01T10:00:00Z" };

function item(over: Partial<ExperimentListItem>): ExperimentListItem {
  return {
    id: "x0000000000",
    type: "overhead",
    status: "done",
    plan: {},
    environment: env,
    result: null,
    error: null,
    progress: null,
    createdAt: "2026-01-01T10:00:00Z",
    startedAt: null,
    finishedAt: "2026-01-01T10:01:00Z",
    ...over,
  };
}

const overheadResult = (perKind: Record<string, Summary>) => ({
  type: "overhead" as const,
  rows: [
    { workload: "cpu" as const, metric: "ops_per_s", label: "", unit: "", direction: "higher" as const, perKind: { process: sum(1) }, ratio: {} },
    { workload: "syscall" as const, metric: "ns_per_call", label: "", unit: "ns/call", direction: "lower" as const, perKind, ratio: {} },
  ],
  idle: [],
  skipped: [],
  workloadArgs: { cpu: ["500"], stream: [], syscall: ["200000"], io: [] },
});

describe("overheadFacts", () => {
  it("takes the newest finished overhead run that measured syscalls", () => {
    const items = [
      item({ id: "xrunning0000", status: "running", result: null }),
      item({ id: "xnosyscall00", result: { ...overheadResult({}), rows: [] } }),
      item({ id: "xgood000000", result: overheadResult({ process: sum(52), vm: sum(1300), container: sum(55) }) }),
      item({ id: "xolder00000", result: overheadResult({ process: sum(1) }) }),
    ];
    expect(overheadFacts(items)).toEqual({
      experimentId: "xgood000000",
      at: "2026-01-01T10:01:00Z",
      syscallArgs: ["200000"],
      syscall: {
        process: { medianNs: 52, p95Ns: 52 * 1.1, n: 3 },
        container: { medianNs: 55, p95Ns: 55 * 1.1, n: 3 },
        vm: { medianNs: 1300, p95Ns: 1300 * 1.1, n: 3 },
      },
      accel: { accel: "tcg", reason: "KVM hung" },
    });
  });
  it("skips kinds with no successful repetition (NaN median) and failed runs", () => {
    const items = [
      item({ status: "failed", result: overheadResult({ process: sum(1) }) }),
      item({ result: overheadResult({ process: sum(NaN, 0), vm: sum(900) }) }),
    ];
    expect(overheadFacts(items)!.syscall).toEqual({ vm: { medianNs: 900, p95Ns: 900 * 1.1, n: 3 } });
  });
  it("is null with no experiments", () => expect(overheadFacts([])).toBeNull());
  it("carries the run's mitigations (host and guest) when its environment recorded them", () => {
    const mitigations = { host: "on" as const, hostSummary: "on: spectre_v2 (Retpolines)", guest: "auto" as const };
    const result = overheadResult({ process: sum(52), vm: sum(1300) });
    expect(overheadFacts([item({ environment: { ...env, mitigations }, result })])!.mitigations).toEqual(mitigations);
    expect(overheadFacts([item({ result })])).not.toHaveProperty("mitigations");
  });
});

describe("startupFacts", () => {
  it("takes median totals per kind of the newest finished startup run", () => {
    const result = {
      type: "startup" as const,
      kinds: [
        { kind: "vm" as const, total: sum(1234), phases: [], failures: 0 },
        { kind: "container" as const, total: sum(31), phases: [], failures: 0 },
      ],
      skipped: [],
      ratioVmToContainer: null,
      ratioVmToProcess: null,
      ratioContainerToProcess: null,
    };
    expect(startupFacts([item({ type: "startup", id: "xs", result })])).toEqual({
      experimentId: "xs",
      at: "2026-01-01T10:01:00Z",
      medianMs: { vm: 1234, container: 31 },
      accel: env.accelerator,
    });
    expect(startupFacts([item({ type: "startup", result: { ...result, kinds: [] } })])).toBeNull();
  });
});

describe("pendingExperiments and densityMarginals", () => {
  it("lists queued and running runs", () => {
    const items = [
      item({ id: "a", status: "queued" }),
      item({ id: "b", status: "running", progress: { done: 1, total: 4, message: "vm" } }),
      item({ id: "c" }),
    ];
    expect(pendingExperiments(items).map((p) => p.id)).toEqual(["a", "b"]);
  });
  it("reads the chosen marginal memory per kind from a finished density run, and ignores results without it", () => {
    // Typed as lib/experiments/density's own result, so a change of its shape breaks this test at compile time.
    const kind = (k: DensityKindResult["kind"], chosenMiB: number | null, chosenFrom: DensityKindResult["marginal"]["chosenFrom"]): DensityKindResult => ({
      kind: k,
      reached: 10,
      stopReason: "max",
      stopText: "reached the planned maximum (10)",
      baselineAvailableBytes: 20e9,
      steps: [],
      marginal: { chosenMiB, chosenFrom, memAvailable: null, hostView: null, cpuPct: null, note: null },
      startup: { firstMs: null, lastMs: null, medianMs: null, slopeMsPerInstance: null },
      fits: { budgetBytes: 1, byMemory: null, byCpu: null, count: null, bound: null },
    });
    const density = (kinds: DensityKindResult[]): DensityResult => ({
      type: "density",
      kinds,
      ratioVmToContainer: null,
      host: { totalBytes: null, reserveBytes: null, cores: null },
      assumptions: [],
      skipped: [],
    });
    const good = item({ id: "xd", type: "density", result: density([kind("vm", 160, "host-view"), kind("container", 1.5, "memavailable")]) });
    const noVm = item({ id: "xn", type: "density", result: density([kind("vm", null, null)]) });
    const bad = item({ id: "xbad", type: "density", result: { type: "density", kinds: [{ kind: "vm" }] } as never });
    const m = densityMarginals([noVm, bad, good])!;
    expect(m.experimentId).toBe("xd");
    expect(m.vm!.value).toBe(160 * 2 ** 20);
    expect(m.vm!.source).toBe("marginal host memory per VM (summed host view per instance over 10 instances), density experiment xd");
    expect(m.container!.source).toContain("MemAvailable drop");
    expect(densityMarginals([bad, noVm])).toBeNull();
    expect(densityMarginals([item({ type: "density", status: "running", result: good.result })])).toBeNull();
    expect(densityMarginals([])).toBeNull();
  });

  it("a real run with templated VMs (recorded on this host) is still read for its cold VMs", () => {
    const run = recorded as unknown as ExperimentListItem;
    const m = densityMarginals([run])!;
    expect(m.experimentId).toBe(run.id);
    expect(m.vm!.value / 2 ** 20).toBeCloseTo((run.result as DensityResult).kinds.find((k) => k.kind === "vm")!.marginal.chosenMiB!, 10);
    expect(m.container).toBeNull();
  });
});

describe("densityTemplated", () => {
  const run = recorded as unknown as ExperimentListItem;
  const tpl = (run.result as DensityResult).kinds.find((k) => k.kind === "vm-template")!;

  it("reads the clone's marginal and the template's RAM file from a real run, each with its source", () => {
    const t = densityTemplated([run])!;
    expect(t.experimentId).toBe(run.id);
    expect(t.perClone.value).toBeCloseTo(tpl.marginal.chosenMiB! * 2 ** 20, 3);
    expect(t.perClone.source).toMatch(
      new RegExp(`^marginal host memory per templated VM \\(clone\\) \\(.+ per instance over 10 instances\\), density experiment ${run.id}$`),
    );
    expect(t.templateFile).toEqual({
      value: tpl.templateFile!.residentBytes,
      source: `the template's RAM file as tmpfs held it (st_blocks × 512, of 128 MiB) before the first clone, density experiment ${run.id}`,
      at: run.finishedAt,
    });
    const first = tpl.limits!.firstBeyondMemory!;
    expect(t.firstLimit).toEqual({ id: first.id, label: first.label, count: first.count, limit: first.limit, perInstance: first.perInstance });
  });

  it("a run from before the file was recorded has no file; runs without templated VMs, unfinished ones and none give nothing", () => {
    const older = { ...run, result: { ...(run.result as DensityResult), kinds: [{ ...tpl, templateFile: undefined }] } };
    expect(densityTemplated([older])!.templateFile).toBeNull();
    const coldOnly = { ...run, result: { ...(run.result as DensityResult), kinds: (run.result as DensityResult).kinds.filter((k) => k.kind === "vm") } };
    expect(densityTemplated([coldOnly])).toBeNull();
    expect(densityTemplated([{ ...run, status: "running" }])).toBeNull();
    expect(densityTemplated([])).toBeNull();
  });
});
