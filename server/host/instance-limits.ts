import "server-only";
import os from "node:os";
import { defaultLimits, type InstanceLimits } from "@/lib/host/limits";
import type { IsolabConfig } from "@/server/config";

/** Isolab's caps on this host: the environment's (ISOLAB_MAX_INSTANCES, ISOLAB_MAX_MEMORY_MIB), else defaults sized from the host. */
export function instanceLimits(config: Pick<IsolabConfig, "maxInstances" | "maxMemoryMiB">): InstanceLimits {
  const defaults = defaultLimits(Math.floor(os.totalmem() / 2 ** 20), os.cpus().length);
  return {
    maxInstances: config.maxInstances ?? defaults.maxInstances,
    maxMemoryMiB: config.maxMemoryMiB ?? defaults.maxMemoryMiB,
  };
}
