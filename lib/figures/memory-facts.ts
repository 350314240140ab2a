import type { InstanceSample } from "@/lib/metrics/samples";
import type { Fig21Data, FigureInstance, MeasuredBytes } from "@/lib/schemas/figures";
import type { Instance, InstanceKind } from "@/lib/core/types";
import { liveFootprint } from "./room";
import { isClone } from "./templated-facts";

// Sampler readings → measured values with their source, and the per-kind
// footprints Figure 2.1 divides free memory by when no density experiment
// exists. Pure.

const HOST_VIEW: Record<InstanceKind, string> = {
  process: "PSS of the probe",
  container: "cgroup memory usage",
  vm: "PSS of QEMU",
};

export function hostMemoryFact(instance: Pick<Instance, "kind" | "pid">, sample: InstanceSample | undefined): MeasuredBytes | null {
  if (!sample || !Number.isFinite(sample.memoryHostBytes) || sample.memoryHostBytes < 0) return null;
  const pid = instance.pid ? ` (pid ${instance.pid})` : "";
  return {
    value: sample.memoryHostBytes,
    source: `${HOST_VIEW[instance.kind]}${instance.kind === "container" ? "" : pid}, sampler`,
    at: new Date(sample.t).toISOString(),
  };
}

const oldestAt = (xs: FigureInstance[]) => xs.map((i) => i.hostMemory!.at).sort()[0];

function footprintOf(instances: FigureInstance[], kind: InstanceKind, noun: [string, string]): MeasuredBytes | null {
  // A templated clone's PSS holds a share of its template's file: it is drawn on a host of its own, not priced as a VM.
  const mine = instances.filter((i) => i.kind === kind && !isClone(i) && i.state === "running" && i.hostMemory && i.hostMemory.value > 0);
  const f = liveFootprint(mine.map((i) => i.hostMemory!.value));
  if (!f) return null;
  const names = mine.map((i) => i.name);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(", ")}, …` : names.join(", ");
  return {
    value: f.bytes,
    source: `median host view (${HOST_VIEW[kind]}) of ${f.n} live ${noun[f.n === 1 ? 0 : 1]} (${shown}), no density experiment`,
    at: oldestAt(mine),
  };
}

/** Per-kind footprint from the live instances. */
export function liveMarginals(instances: FigureInstance[]): Fig21Data["marginal"] {
  const vm = footprintOf(instances, "vm", ["VM", "VMs"]);
  const container = footprintOf(instances, "container", ["container", "containers"]);
  return { basis: vm || container ? "live" : "none", vm, container };
}

/** The app alone: the probe as a bare process (PSS), else in a container (cgroup usage). */
export function appFootprint(instances: FigureInstance[]): MeasuredBytes | null {
  const f = footprintOf(instances, "process", ["bare process", "bare processes"]) ?? footprintOf(instances, "container", ["container", "containers"]);
  return f ? { ...f, source: `the app alone: ${f.source.replace(/, no density experiment$/, "")}` } : null;
}
