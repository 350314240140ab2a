import { z } from "zod";
import type { ExperimentListItem } from "@/lib/experiments/types";
import type { OverheadResult } from "@/lib/experiments/overhead/types";
import type { StartupResult } from "@/lib/experiments/startup/types";
import { RoomLimitSchema, type Fig21FirstLimits, type Fig21Templated, type Fig22Data, type MeasuredBytes } from "@/lib/schemas/figures";
import { INSTANCE_KINDS } from "@/lib/core/types";
import { formatBytes } from "@/lib/core/format";
import { MARGINAL_WORDS } from "@/lib/experiments/density/types";
import { DENSITY_KINDS } from "@/lib/experiments/density/schema";

// Stored experiments → the numbers Figures 2.1 and 2.2 carry. Pure: takes
// the runner's list (newest first) and picks the newest finished run that
// has what a figure needs.

const done = (e: ExperimentListItem) => e.status === "done" && e.result !== null;
const accelOf = (e: ExperimentListItem) => e.environment?.accelerator ?? null;
const when = (e: ExperimentListItem) => e.finishedAt ?? e.createdAt;
/** Runs recorded before mitigations were have none. */
const mitigationsOf = (e: ExperimentListItem) => (e.environment?.mitigations ? { mitigations: e.environment.mitigations } : {});

export function overheadFacts(items: readonly ExperimentListItem[]): Fig22Data["overhead"] {
  for (const e of items) {
    if (e.type !== "overhead" || !done(e)) continue;
    const result = e.result as OverheadResult;
    const row = result.rows?.find((r) => r.workload === "syscall" && r.metric === "ns_per_call");
    if (!row) continue;
    const syscall: NonNullable<Fig22Data["overhead"]>["syscall"] = {};
    for (const k of INSTANCE_KINDS) {
      const s = row.perKind[k];
      if (s && s.n > 0 && Number.isFinite(s.median)) syscall[k] = { medianNs: s.median, p95Ns: Number.isFinite(s.p95) ? s.p95 : s.median, n: s.n };
    }
    if (Object.keys(syscall).length === 0) continue;
    return { experimentId: e.id, at: when(e), syscallArgs: result.workloadArgs?.syscall ?? [], syscall, accel: accelOf(e), ...mitigationsOf(e) };
  }
  return null;
}

export function startupFacts(items: readonly ExperimentListItem[]): Fig22Data["startup"] {
  for (const e of items) {
    if (e.type !== "startup" || !done(e)) continue;
    const result = e.result as StartupResult;
    const medianMs: NonNullable<Fig22Data["startup"]>["medianMs"] = {};
    for (const k of result.kinds ?? []) {
      const kind = k.kind;
      if ((kind === "process" || kind === "container" || kind === "vm") && k.total.n > 0 && Number.isFinite(k.total.median)) medianMs[kind] = k.total.median;
    }
    if (Object.keys(medianMs).length === 0) continue;
    return { experimentId: e.id, at: when(e), medianMs, accel: accelOf(e) };
  }
  return null;
}

export function pendingExperiments(items: readonly ExperimentListItem[]): Fig22Data["pending"] {
  return items.filter((e) => e.status === "queued" || e.status === "running").map((e) => ({ id: e.id, type: e.type, status: e.status, progress: e.progress }));
}

/**
 * The density experiment's marginal memory per kind (lib/experiments/density: each
 * kind's `marginal.chosenMiB`, the larger of the MemAvailable-drop and the
 * summed-host-view fits). Read through a loose schema, so a run without
 * those numbers is simply not used.
 */
const DensityResultSchema = z.object({
  type: z.literal("density"),
  kinds: z.array(
    z.object({
      // Every kind a run may hold: a run with templated VMs is still a run with VMs and containers.
      kind: z.enum(DENSITY_KINDS),
      reached: z.number().optional(),
      marginal: z.object({
        chosenMiB: z.number().finite().positive().nullable(),
        chosenFrom: z.string().nullable(),
      }),
      limits: z.object({ firstBeyondMemory: RoomLimitSchema.extend({ count: z.number().int().nonnegative() }).nullable().optional() }).optional(),
      templateFile: z.object({ residentBytes: z.number().finite().nonnegative(), sizeBytes: z.number().finite().nonnegative() }).nullable().optional(),
    }),
  ),
});

const FIT_WORDS: Record<string, string> = MARGINAL_WORDS;
const NOUN = { vm: "VM", container: "container", "vm-template": "templated VM (clone)" } as const;
const MIB = 2 ** 20;

type ParsedDensity = z.infer<typeof DensityResultSchema>;

function marginalOf(e: ExperimentListItem, result: ParsedDensity, kind: keyof typeof NOUN): MeasuredBytes | null {
  const k = result.kinds.find((x) => x.kind === kind);
  if (!k || k.marginal.chosenMiB === null) return null;
  const fit = FIT_WORDS[k.marginal.chosenFrom ?? ""] ?? "fit";
  const steps = k.reached !== undefined ? ` over ${k.reached} instances` : "";
  return {
    value: k.marginal.chosenMiB * MIB,
    source: `marginal host memory per ${NOUN[kind]} (${fit} per instance${steps}), density experiment ${e.id}`,
    at: when(e),
  };
}

export function densityMarginals(
  items: readonly ExperimentListItem[],
): { experimentId: string; vm: MeasuredBytes | null; container: MeasuredBytes | null; firstLimit: Fig21FirstLimits } | null {
  for (const e of items) {
    if (e.type !== "density" || e.status !== "done") continue;
    const parsed = DensityResultSchema.safeParse(e.result);
    if (!parsed.success) continue;
    const pick = (kind: "vm" | "container") => marginalOf(e, parsed.data, kind);
    const vm = pick("vm");
    const container = pick("container");
    const limit = (kind: "vm" | "container") => parsed.data.kinds.find((x) => x.kind === kind)?.limits?.firstBeyondMemory ?? null;
    if (vm || container) return { experimentId: e.id, vm, container, firstLimit: { vm: limit("vm"), container: limit("container") } };
  }
  return null;
}

/**
 * Templated VMs as the newest density run that measured them: the marginal
 * per clone, the template's RAM file it found before the baseline (null in
 * runs from before that was recorded), and the first limit beyond memory.
 */
export function densityTemplated(items: readonly ExperimentListItem[]): Fig21Templated["density"] {
  for (const e of items) {
    if (e.type !== "density" || e.status !== "done") continue;
    const parsed = DensityResultSchema.safeParse(e.result);
    if (!parsed.success) continue;
    const perClone = marginalOf(e, parsed.data, "vm-template");
    if (!perClone) continue;
    const k = parsed.data.kinds.find((x) => x.kind === "vm-template")!;
    const file = k.templateFile;
    return {
      experimentId: e.id,
      perClone,
      templateFile: file
        ? {
            value: file.residentBytes,
            source: `the template's RAM file as tmpfs held it (st_blocks × 512, of ${formatBytes(file.sizeBytes)}) before the first clone, density experiment ${e.id}`,
            at: when(e),
          }
        : null,
      firstLimit: k.limits?.firstBeyondMemory ?? null,
    };
  }
  return null;
}
