// One line describing an isolation or density plan, for the run page and
// the experiments list. Plans arrive as stored JSON, so every field is read
// defensively. Pure.

export function capacityPlanLine(type: string, p: Record<string, unknown>): string {
  const n = (k: string) => (typeof p[k] === "number" ? (p[k] as number) : undefined);
  const list = (k: string) => (Array.isArray(p[k]) ? (p[k] as string[]) : []);
  if (type === "isolation") {
    const hogs = list("hogs").map((h) =>
      h === "container-limited" ? `a container limited to ${n("limitMiB")} MiB` : h === "vm" ? `a ${n("vmMiB")} MiB VM` : `an unlimited container (up to ${n("unlimitedMiB")} MiB)`,
    );
    return `hogs: ${hogs.join(", ") || "none"}; neighbours measure latency every ${n("latencyIntervalMs")} ms`;
  }
  if (type === "density") {
    const vm = n("maxVm");
    const budget = n("budgetMiB");
    return `up to ${n("max")} per kind${vm !== undefined ? ` (VMs ${vm})` : ""}${budget !== undefined ? `, budget ${budget} MiB` : ""}`;
  }
  return type;
}
