import type { ExperimentSample } from "@/lib/experiments/types";
import { MIB } from "@/lib/host/memory-guard";
import { NAMESPACE_TYPES, countUnder, firstLimit, kernelLimitUses, type HostLimits, type LimitUse, type NamespaceType } from "@/lib/host/kernel-limits";
import type { DensityLimits, Fits } from "./types";

// Which of the host's limits stops a kind first: memory (MemAvailable minus
// the reserve, at the chosen marginal), Isolab's own caps, pid_max,
// threads-max and the namespace limits, each at what one instance was
// measured to take. Pure; from the run's `limits` sample and its steps.

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function densityLimits(kindSamples: readonly ExperimentSample[], fits: Fits, marginalMiB: number | null): DensityLimits | undefined {
  const l = kindSamples.find((s) => s.sample === "limits");
  if (!l) return undefined;
  const v = l.values;
  const steps = kindSamples.filter((s) => s.sample === "step" && !s.error && s.rep > 0).sort((a, b) => a.rep - b.rep);
  const last = steps[steps.length - 1];
  const tasksPerInstance = last && last.values.tasks_sum !== undefined ? last.values.tasks_sum / last.rep : null;
  const namespaces: Partial<Record<NamespaceType, number>> = {};
  for (const t of NAMESPACE_TYPES) {
    const m = mean(steps.map((s) => s.values[`ns_${t}`]).filter((x): x is number => x !== undefined));
    if (m !== null) namespaces[t] = m;
  }
  const host: HostLimits = {
    pidMax: v.pid_max,
    threadsMax: v.threads_max,
    threadsInUse: v.host_tasks,
    namespaces: Object.fromEntries(
      NAMESPACE_TYPES.filter((t) => v[`max_${t}_namespaces`] !== undefined).map((t) => [
        t,
        { max: v[`max_${t}_namespaces`], inUse: v[`${t}_namespaces`] ?? 0 },
      ]),
    ),
  };
  const uses: LimitUse[] = [
    {
      id: "memory",
      label: "MemAvailable at the baseline minus the host's reserve (MiB), at the chosen marginal memory",
      limit: fits.budgetBytes / MIB,
      inUse: 0,
      perInstance: marginalMiB,
    },
    {
      id: "isolab-instances",
      label: "Isolab's instance cap (ISOLAB_MAX_INSTANCES; other live instances lower it)",
      limit: v.isolab_max_instances,
      inUse: 0,
      perInstance: 1,
      raise: "ISOLAB_MAX_INSTANCES",
    },
    {
      id: "isolab-memory",
      label: "Isolab's memory cap on granted memory (ISOLAB_MAX_MEMORY_MIB), at the plan's memory per instance",
      limit: v.isolab_max_memory_mib,
      inUse: 0,
      perInstance: v.memory_mib ?? null,
      raise: "ISOLAB_MAX_MEMORY_MIB",
    },
    ...kernelLimitUses(host, { tasks: tasksPerInstance, namespaces }),
  ];
  const counts = uses.filter((u) => u.limit !== undefined).map(countUnder);
  return { tasksPerInstance, counts, first: firstLimit(counts), firstBeyondMemory: firstLimit(counts.filter((c) => c.id !== "memory")) };
}
