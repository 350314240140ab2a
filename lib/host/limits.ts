// Caps that keep an experiment from taking the host down. Pure, so the
// refusal wording and arithmetic are table-tested.

export interface InstanceLimits {
  maxInstances: number;
  /** Sum of the memory granted to live instances, MiB. */
  maxMemoryMiB: number;
}

export interface LiveUsage {
  instances: number;
  memoryMiB: number;
}

/** Defaults sized from the host: half its memory, and a count a 2-core box survives. */
export function defaultLimits(hostMemoryMiB: number, cpus: number): InstanceLimits {
  return {
    maxInstances: Math.max(8, Math.min(64, cpus * 16)),
    maxMemoryMiB: Math.max(256, Math.floor(hostMemoryMiB / 2)),
  };
}

/** null when the request fits; otherwise a sentence naming the cap and the numbers. */
export function limitRefusal(usage: LiveUsage, requestMiB: number, limits: InstanceLimits): string | null {
  if (usage.instances + 1 > limits.maxInstances) {
    return `Instance cap reached: ${usage.instances} of ${limits.maxInstances} instances are live. Stop one, or raise ISOLAB_MAX_INSTANCES.`;
  }
  if (usage.memoryMiB + requestMiB > limits.maxMemoryMiB) {
    const free = limits.maxMemoryMiB - usage.memoryMiB;
    return `Memory cap reached: ${requestMiB} MiB asked, ${free} MiB of the ${limits.maxMemoryMiB} MiB budget left. Ask for less, stop an instance, or raise ISOLAB_MAX_MEMORY_MIB.`;
  }
  return null;
}
