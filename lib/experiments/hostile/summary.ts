import { z } from "zod";
import type { ExperimentSample, SkippedKind } from "@/lib/experiments/types";
import type { HostileTarget } from "./schema";
import { ATTEMPT_LABELS, HOSTILE_ATTEMPTS, type HostileResult } from "./types";

// Raw samples → the table. One sample per target (sample "hostile"); its
// values are `<attempt>_ok` (1 or 0) and `<attempt>_errno` (the errno's
// number, when it failed), so the CSV export holds the whole table.

export const ProbeHostileSchema = z.object({
  attempts: z.array(z.object({ name: z.string().max(32), ok: z.boolean(), errno: z.string().max(16).optional(), detail: z.string().max(256) })).max(32),
});
export type ProbeHostile = z.infer<typeof ProbeHostileSchema>;

/** The errno names `probe hostile` prints, numbered as on Linux x86-64 (CSV values are numbers). */
export const ERRNO_NUMBERS: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EIO: 5,
  EACCES: 13,
  EINVAL: 22,
  ENOSPC: 28,
  EROFS: 30,
  ENOSYS: 38,
  EUSERS: 87,
};
const ERRNO_NAMES = Object.fromEntries(Object.entries(ERRNO_NUMBERS).map(([k, v]) => [v, k]));

/** A probe answer → the sample's values. */
export function hostileValues(answer: ProbeHostile, privileged: boolean): Record<string, number> {
  const values: Record<string, number> = { privileged: privileged ? 1 : 0 };
  for (const a of answer.attempts) {
    values[`${a.name}_ok`] = a.ok ? 1 : 0;
    if (!a.ok && a.errno) values[`${a.name}_errno`] = ERRNO_NUMBERS[a.errno] ?? Number(a.errno.replace(/^E/, "")) ?? -1;
  }
  return values;
}

function targetOf(s: ExperimentSample): HostileTarget | null {
  if (s.kind === "vm") return "vm";
  if (s.kind === "container") return s.values.privileged === 1 ? "container-privileged" : "container";
  return null;
}

export function summarizeHostile(samples: readonly ExperimentSample[], targets: HostileTarget[], skipped: readonly SkippedKind[]): HostileResult {
  const failed: HostileResult["failed"] = [];
  const byTarget = new Map<HostileTarget, ExperimentSample>();
  for (const s of samples) {
    const t = targetOf(s);
    if (!t || s.sample !== "hostile") continue;
    if (s.error) failed.push({ target: t, error: s.error });
    else byTarget.set(t, s);
  }
  const rows = HOSTILE_ATTEMPTS.map((attempt) => {
    const cells: HostileResult["rows"][number]["cells"] = {};
    for (const [t, s] of byTarget) {
      const ok = s.values[`${attempt}_ok`];
      if (ok === undefined) continue;
      const errno = s.values[`${attempt}_errno`];
      cells[t] = { ok: ok === 1, ...(ok !== 1 && errno !== undefined ? { errno: ERRNO_NAMES[errno] ?? `E${errno}` } : {}) };
    }
    return { attempt, label: ATTEMPT_LABELS[attempt], cells };
  });
  return { type: "hostile", targets: [...targets], rows, failed, skipped: [...skipped] };
}
