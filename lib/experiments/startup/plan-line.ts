// How a startup plan is described on the run page (`planLine`) and in the list (`planShort`). Pure.

export function startupPlanLine(p: Record<string, unknown>): string {
  return `${p.runs} cold starts per kind${p.warmup ? " after one warm-up each" : ""}`;
}

export function startupPlanShort(p: Record<string, unknown>): string {
  return `${p.runs} runs`;
}
