import type { ExperimentSample } from "@/lib/experiments/types";
import { howManyFit } from "@/lib/core/linear-fit";
import { MIB } from "@/lib/host/memory-guard";
import { MARGINAL_SOURCES, type DensityVerify, type StopReason } from "./types";

// A density run with a memory budget checks its own prediction: once the
// marginal measured so far says half the budget is used (and at least 10
// instances run), it predicts how many instances the whole budget holds
// (budget ÷ that marginal), then starts instances until the budget — counted
// by the same measure: MemAvailable less the rest of the host, the kernel
// structures or the host views — is used. Pure.

/** Instances a memory budget holds at a marginal cost; null without a usable marginal. */
export function predictCount(budgetBytes: number, marginalMiB: number | null): number | null {
  return marginalMiB === null ? null : howManyFit(budgetBytes / MIB, marginalMiB);
}

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;

export function densityVerify(kindSamples: readonly ExperimentSample[], reached: number, stopReason: StopReason | null): DensityVerify | null {
  const s = kindSamples.find((x) => x.sample === "verify");
  if (!s) return null;
  const v = s.values;
  const predicted = v.predicted_count;
  const budgetUsed = stopReason === "budget";
  const error = predicted > 0 ? (reached - predicted) / predicted : null;
  const from = MARGINAL_SOURCES[v.from_code] ?? null;
  const budgetMiB = Math.round(v.budget_bytes / MIB);
  const basis = `${v.marginal_bytes / MIB >= 10 ? (v.marginal_bytes / MIB).toFixed(1) : (v.marginal_bytes / MIB).toFixed(2)} MiB each (${from ?? "?"}, measured over ${s.rep} instances)`;
  const outcome = budgetUsed
    ? `reached ${reached} when the budget, counted by the same measure, was used${error === null ? "" : ` (${pct(error)})`}`
    : `reached ${reached}, but the run stopped (${stopReason ?? "unfinished"}) before the budget was used: not a check`;
  return {
    budgetBytes: v.budget_bytes,
    calibratedOn: s.rep,
    marginalMiB: v.marginal_bytes / MIB,
    from,
    predicted,
    reached,
    budgetUsed,
    error,
    text: `predicted ${predicted} in ${budgetMiB} MiB from ${basis}; ${outcome}`,
  };
}
