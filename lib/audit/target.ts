// What an audited request did, named from its method and path alone: the
// action is the method and the route's pattern (ids replaced by the route's
// own parameter names, so one filter finds every stop), the target is what
// the path names (an instance id, an image reference, a snapshot id).
// Pure: scripts/serve.mjs calls it for every state-changing request.

export interface AuditAction {
  action: string;
  target: string | null;
}

/** The longest target kept; an image reference is at most a few hundred characters. */
export const MAX_TARGET_CHARS = 256;

interface RoutePattern {
  /** Path segments after /api/; "*" matches one segment (the target), "**" the rest (an image reference). */
  segments: readonly string[];
  /** How the action spells the wildcard. */
  param: string;
}

// The API's routes with a parameter (app/api/**/[param]); every other path is its own pattern.
const PATTERNS: readonly RoutePattern[] = [
  { segments: ["instances", "*"], param: "[id]" },
  { segments: ["instances", "*", "*"], param: "[id]" },
  { segments: ["experiments", "*"], param: "[id]" },
  { segments: ["snapshots", "*"], param: "[id]" },
  { segments: ["images", "**"], param: "[...ref]" },
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function bounded(text: string): string {
  return text.length > MAX_TARGET_CHARS ? `${text.slice(0, MAX_TARGET_CHARS - 1)}…` : text;
}

/** The action and target of `METHOD /path` (the path without its query). */
export function auditAction(method: string, path: string): AuditAction {
  const verb = method.toUpperCase();
  const clean = path.split("?")[0].replace(/\/+$/, "") || "/";
  const parts = clean.split("/").filter((s) => s !== "");
  if (parts[0] !== "api" || parts.length < 3) return { action: bounded(`${verb} ${clean}`), target: null };
  const rest = parts.slice(1);
  for (const p of PATTERNS) {
    if (rest[0] !== p.segments[0]) continue;
    if (p.segments[1] === "**") {
      return { action: `${verb} /api/${rest[0]}/${p.param}`, target: bounded(rest.slice(1).map(decode).join("/")) };
    }
    if (rest.length !== p.segments.length) continue;
    const tail = rest
      .slice(2)
      .map((s) => `/${s}`)
      .join("");
    return { action: bounded(`${verb} /api/${rest[0]}/${p.param}${tail}`), target: bounded(decode(rest[1])) };
  }
  return { action: bounded(`${verb} ${clean}`), target: null };
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Refusals worth a row even for a read: a foreign origin, a foreign Host (DNS rebinding), an oversized body. */
const REFUSALS_RECORDED = new Set([403, 413, 421]);

/**
 * Whether a request gets an audit row: every state-changing one (allowed or
 * not), and the refusals that say someone tried; Next's own assets and its
 * development reload channel are never actions.
 */
export function isAudited(method: string, path: string, refusedWith?: number): boolean {
  if (refusedWith !== undefined && REFUSALS_RECORDED.has(refusedWith)) return true;
  if (path.startsWith("/_next/")) return false;
  return !READS.has(method.toUpperCase());
}
