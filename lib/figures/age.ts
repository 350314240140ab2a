// How old a measurement is, in the words a caption uses. Pure.

export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return "at an unknown time";
  if (ms < 0) return "just now";
  const s = Math.floor(ms / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** Live readings older than this are called stale. */
export const LIVE_STALE_MS = 60_000;
/** Experiments are re-run by hand; after this long a caption says so. */
export const EXPERIMENT_STALE_MS = 60 * 60_000;

export interface Freshness {
  ageMs: number;
  stale: boolean;
  /** "12 s ago" or "stale: 12 min ago". */
  text: string;
}

export function freshness(at: string | number | null | undefined, now: number, staleAfterMs: number): Freshness | null {
  if (at === null || at === undefined) return null;
  const t = typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(t)) return null;
  const ageMs = now - t;
  const stale = ageMs > staleAfterMs;
  const text = formatAge(ageMs);
  return { ageMs, stale, text: stale ? `stale: ${text}` : text };
}

/** The oldest of several timestamps (what a caption's age must admit to). */
export function oldest(ats: readonly (string | null | undefined)[]): string | null {
  let best: { t: number; at: string } | null = null;
  for (const at of ats) {
    if (!at) continue;
    const t = Date.parse(at);
    if (Number.isFinite(t) && (!best || t < best.t)) best = { t, at };
  }
  return best?.at ?? null;
}

/** "14:03:27" in the viewer's zone, for captions. */
export function clockTime(at: string): string {
  const d = new Date(at);
  if (!Number.isFinite(d.getTime())) return "—";
  return d.toTimeString().slice(0, 8);
}
