import "server-only";
import os from "node:os";
import { defaultLimits } from "@/lib/host/limits";
import { config } from "@/server/config";
import { createContainerEngine } from "@/server/container/engine";
import { resolveImage } from "@/server/images";
import { createVmEngine } from "@/server/vm/engine";
import { startSampler } from "@/server/metrics/registry";
import { createProcessEngine } from "../process/engine";
import { Supervisor } from "./supervisor";

// The registry lives on globalThis so a dev-server reload re-uses it instead
// of orphaning the QEMU and runc children it owns.
const globalKey = Symbol.for("isolab.supervisor");
type Holder = { [globalKey]?: { supervisor: Supervisor; ready: Promise<string[]> } };

function build() {
  const defaults = defaultLimits(Math.floor(os.totalmem() / 2 ** 20), os.cpus().length);
  const supervisor = new Supervisor({
    engines: {
      process: createProcessEngine(),
      container: createContainerEngine(),
      vm: createVmEngine(),
    },
    getImage: resolveImage,
    stateDir: config.stateDir,
    limits: {
      maxInstances: config.maxInstances ?? defaults.maxInstances,
      maxMemoryMiB: config.maxMemoryMiB ?? defaults.maxMemoryMiB,
    },
  });
  const ready = supervisor.reconcile().then((removed) => {
    if (removed.length) console.log(`[isolab] removed leftovers of an earlier run: ${removed.join(", ")}`);
    // Sampling starts with the supervisor: ~1 Hz host view, slower guest view.
    startSampler(supervisor);
    return removed;
  });
  return { supervisor, ready };
}

/** The one supervisor of this server process, after it has reconciled leftovers. */
export async function getSupervisor(): Promise<Supervisor> {
  const holder = globalThis as Holder;
  holder[globalKey] ??= build();
  await holder[globalKey].ready;
  return holder[globalKey].supervisor;
}

/** The supervisor if one was built, without building it (for shutdown). */
export function existingSupervisor(): Supervisor | undefined {
  return (globalThis as Holder)[globalKey]?.supervisor;
}
