// Plans shown on the run page and in the list arrive as stored JSON (maybe
// from an older version), so each plan line reads its fields defensively.

export function storedPlan(p: Record<string, unknown>) {
  return {
    n: (k: string) => (typeof p[k] === "number" ? (p[k] as number) : undefined),
    list: (k: string) => (Array.isArray(p[k]) ? (p[k] as string[]) : []),
  };
}
