import type { z } from "zod";
import type { Role } from "@/lib/auth/roles";
import type { ExperimentBehaviour } from "./definition";
import { densityExperiment } from "./density";
import { hostileExperiment } from "./hostile";
import { isolationExperiment } from "./isolation";
import { ksmExperiment } from "./ksm";
import { overheadExperiment } from "./overhead";
import { startupExperiment } from "./startup";
import type { ExperimentSample, ExperimentType, SkippedKind } from "./types";

// Every experiment type, once: type → its plan schema, summary, text, headline
// and plan lines. Pure (the run functions are registered on the server, in
// server/experiments/registry.ts). A new type is one folder beside this file
// plus a line here and its name in EXPERIMENT_TYPES (./types.ts).

export const EXPERIMENTS = {
  startup: startupExperiment,
  overhead: overheadExperiment,
  isolation: isolationExperiment,
  density: densityExperiment,
  hostile: hostileExperiment,
  ksm: ksmExperiment,
} satisfies { [K in ExperimentType]: { type: K } };

type Definitions = typeof EXPERIMENTS;

/** The plan of one type, as its schema outputs it. */
export type PlanOf<K extends ExperimentType> = z.output<Definitions[K]["planSchema"]>;
/** The result one type's summary produces. */
export type ResultOf<K extends ExperimentType> = ReturnType<Definitions[K]["summarize"]>;
export type ExperimentResult = ResultOf<ExperimentType>;

/** The schemas in registry order, for the discriminated union of lib/schemas/experiment.ts. */
export const PLAN_SCHEMAS = [
  EXPERIMENTS.startup.planSchema,
  EXPERIMENTS.overhead.planSchema,
  EXPERIMENTS.isolation.planSchema,
  EXPERIMENTS.density.planSchema,
  EXPERIMENTS.hostile.planSchema,
  EXPERIMENTS.ksm.planSchema,
] as const;

// The same definitions seen per type: indexing this with a type parameter K
// gives behaviour over PlanOf<K> and ResultOf<K>, so dispatch needs no casts.
const BEHAVIOUR: { [K in ExperimentType]: ExperimentBehaviour<PlanOf<K>, ResultOf<K>> } = EXPERIMENTS;

export function summarizeExperiment<K extends ExperimentType>(
  type: K,
  plan: PlanOf<K>,
  samples: readonly ExperimentSample[],
  skipped: readonly SkippedKind[],
): ResultOf<K> {
  return BEHAVIOUR[type].summarize(samples, plan, skipped);
}

function textOf<K extends ExperimentType>(type: K, result: ResultOf<K>): string[] {
  return BEHAVIOUR[type].text(result);
}

function headlineOf<K extends ExperimentType>(type: K, result: ResultOf<K>): string {
  return BEHAVIOUR[type].headline(result);
}

/** A result as terminal tables. */
export function resultText(result: ExperimentResult): string[] {
  return textOf(result.type, result);
}

/** One line that sums a finished run up, for lists: medians per kind and the headline ratio. */
export function experimentHeadline(result: ExperimentResult | null): string {
  return result ? headlineOf(result.type, result) : "";
}

const known = (type: string): type is ExperimentType => Object.hasOwn(EXPERIMENTS, type);

/** Heading of a run's page; an unknown (stored, older) type is shown as its name. */
export function experimentTitle(type: string): string {
  return known(type) ? EXPERIMENTS[type].title : type;
}

/** The plan described on the run page; an unknown type is shown as its name. */
export function planLine(type: string, plan: Record<string, unknown>): string {
  return known(type) ? EXPERIMENTS[type].planLine(plan) : type;
}

/** The plan in a few words, for the list of runs; an unknown type is shown as its name. */
export function planShort(type: string, plan: Record<string, unknown>): string {
  return known(type) ? EXPERIMENTS[type].planShort(plan) : type;
}

/** The least role that may start a run of `type`: operator, unless the type changes the host for everyone (ksm: admin). */
export function experimentRole(type: ExperimentType): Role {
  const def: { role?: Role } = EXPERIMENTS[type];
  return def.role ?? "operator";
}
