import "server-only";
import { getSupervisor } from "@/server/instances";
import { startSampler } from "./registry";
import type { Sampler } from "./sampler";

export { getSampler, startSampler, stopSampler } from "./registry";
export type { Sampler, SampleSource } from "./sampler";

/** The running sampler, after the supervisor it samples is ready. */
export async function liveSampler(): Promise<Sampler> {
  return startSampler(await getSupervisor());
}
