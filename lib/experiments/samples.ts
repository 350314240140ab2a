import { STARTUP_KINDS, type ExperimentSample, type StartupKind } from "@/lib/experiments/types";

// Sample selection shared by the startup and overhead summaries.

/** The recorded (not warm-up), successful samples of one kind and name. */
export function measured(samples: readonly ExperimentSample[], kind: StartupKind, sample: ExperimentSample["sample"]) {
  return samples.filter((s) => s.kind === kind && s.sample === sample && !s.warmup && !s.error);
}

/** Sorts in place into process, container, vm, vm-warm order. */
export function byKindOrder<T extends { kind: StartupKind }>(xs: T[]): T[] {
  return xs.sort((a, b) => STARTUP_KINDS.indexOf(a.kind) - STARTUP_KINDS.indexOf(b.kind));
}
