import "server-only";
import { bus } from "@/server/events";
import { processCpuUsage, systemClock, systemScheduler } from "./clock";
import { procReaders } from "./readers";
import { Sampler, type SampleSource } from "./sampler";

// The one sampler of this server process, on globalThis like the supervisor
// and the bus, so a dev reload does not start a second one. Started by
// server/instances/index.ts once the supervisor has reconciled.

const key = Symbol.for("isolab.sampler");
type Holder = { [key]?: Sampler };

/** Starts the sampler over `source` (idempotent) and returns it. Samples go to the bus as `sample` events. */
export function startSampler(source: SampleSource): Sampler {
  const holder = globalThis as Holder;
  if (!holder[key]) {
    holder[key] = new Sampler({
      source,
      readers: procReaders,
      clock: systemClock,
      scheduler: systemScheduler,
      cpuUsage: processCpuUsage,
      emit: (tick) => bus().emit("sample", tick),
    });
  }
  holder[key].start();
  return holder[key];
}

/** The sampler if one was started. */
export function getSampler(): Sampler | undefined {
  return (globalThis as Holder)[key];
}

export function stopSampler(): void {
  const holder = globalThis as Holder;
  holder[key]?.stop();
  delete holder[key];
}
