import "server-only";
import type { ExperimentRecord } from "@/lib/experiments/types";
import { ExperimentIdSchema } from "@/lib/schemas/experiment";
import { bus } from "@/server/events";
import { getSupervisor } from "@/server/instances";
import { databasePath, openDatabase } from "@/server/store/db";
import { ExperimentStore } from "@/server/store/experiments";
import { systemClock } from "./clock";
import { captureEnvironment } from "./environment";
import { readHostUsage } from "./host-usage";
import { ownerAlive, processOwner } from "./owner";
import { ExperimentRunner } from "./runner";

// The one experiment runner of this server process, on globalThis like the
// supervisor so a dev reload does not start a second queue.
const key = Symbol.for("isolab.experiments");
type Holder = { [key]?: ExperimentRunner };

/**
 * Builds the runner on first use: opens the database (migrating it), marks
 * runs a dead process left queued or running as `interrupted`, and on
 * SIGTERM/SIGINT records the running one as interrupted before the server
 * exits. Safe to call more than once.
 */
export function initExperiments(): ExperimentRunner {
  const holder = globalThis as Holder;
  if (holder[key]) return holder[key];
  const runner = new ExperimentRunner({
    store: new ExperimentStore(openDatabase(databasePath())),
    supervisor: getSupervisor,
    clock: systemClock,
    captureEnvironment: async () => captureEnvironment((await getSupervisor()).limits),
    readHostUsage,
    owner: processOwner(),
    ownerAlive,
    publish: (e) => bus().emit("experiment", e),
  });
  const interrupted = runner.recoverInterrupted();
  if (interrupted.length) console.log(`[isolab] experiments interrupted by the last shutdown: ${interrupted.join(", ")}`);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      runner.interruptNow(`Isolab received ${signal}`);
      // Alone on this signal, a listener would swallow it: restore the default exit.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
  // scripts/serve.mjs awaits the supervisor holder's onShutdown after stopping
  // instances: by then a start the run had in flight has finished, and the
  // runner's cleanup removes it instead of leaving a QEMU to the next reconcile.
  void getSupervisor().then(() => {
    const sup = (globalThis as Record<symbol, { onShutdown?: () => Promise<void> } | undefined>)[Symbol.for("isolab.supervisor")];
    if (!sup) return;
    const previous = sup.onShutdown;
    sup.onShutdown = async () => {
      await previous?.();
      await runner.shutdown();
    };
  });
  holder[key] = runner;
  return runner;
}

export const getExperimentRunner = initExperiments;

/** The record for a page, or undefined for an id that is malformed or unknown (the page answers 404). */
export function findExperiment(id: string): ExperimentRecord | undefined {
  if (!ExperimentIdSchema.safeParse(id).success) return undefined;
  return getExperimentRunner().find(id);
}
