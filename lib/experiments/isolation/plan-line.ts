import { storedPlan } from "@/lib/experiments/stored-plan";

/** One line describing an isolation plan, for the run page and the experiments list. Pure. */
export function isolationPlanLine(p: Record<string, unknown>): string {
  const { n, list } = storedPlan(p);
  const hogs = list("hogs").map((h) =>
    h === "container-limited"
      ? `a container limited to ${n("limitMiB")} MiB`
      : h === "vm"
        ? `a ${n("vmMiB")} MiB VM`
        : `an unlimited container (up to ${n("unlimitedMiB")} MiB)`,
  );
  return `hogs: ${hogs.join(", ") || "none"}; neighbours measure latency every ${n("latencyIntervalMs")} ms`;
}
