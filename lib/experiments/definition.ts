import type { z } from "zod";
import type { ExperimentSample, SkippedKind } from "./types";

// What one experiment type is, apart from how it runs (server/experiments/registry.ts):
// each type's folder exports one of these and ./registry.ts lists them.

/** Everything the API, the pages and the CLI do with a type's plans and results. Pure. */
export interface ExperimentBehaviour<Plan, Result> {
  /** Raw samples → the stored result; the same samples always give the same result. */
  summarize(samples: readonly ExperimentSample[], plan: Plan, skipped: readonly SkippedKind[]): Result;
  /** The result as terminal tables (`npm run experiment`). */
  text(result: Result): string[];
  /** One line that sums a finished run up, for lists. */
  headline(result: Result): string;
  /** The plan described on the run page; stored plans are read defensively. */
  planLine(plan: Record<string, unknown>): string;
  /** The plan in a few words, for the list of runs. */
  planShort(plan: Record<string, unknown>): string;
}

export interface ExperimentDefinition<
  T extends string,
  S extends z.ZodType<{ type: T }>,
  R extends { type: T; skipped: SkippedKind[] },
> extends ExperimentBehaviour<z.output<S>, R> {
  type: T;
  /** Heading of a run's page. */
  title: string;
  /** The plan a user may ask for; a member of ExperimentPlanSchema. */
  planSchema: S;
  /** Set when starting a run needs more than the operator role (it changes the host for everyone). */
  role?: "admin";
}

/** Keeps the definition's own plan and result types, so the registry can hand them on per type. */
export function defineExperiment<const T extends string, S extends z.ZodType<{ type: T }>, R extends { type: T; skipped: SkippedKind[] }>(
  definition: ExperimentDefinition<T, S, R>,
): ExperimentDefinition<T, S, R> {
  return definition;
}
