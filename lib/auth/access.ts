// What the front door answers once the gate (lib/http/gate.ts) has let a
// request in: pass it on with its principal, send a page to the sign-in
// form, or refuse with 401 (who are you?) or 403 (the role it needs). Pure:
// scripts/serve.mjs supplies who the caller turned out to be.
// Relative imports only: plain Node loads this through tsx.
import { isPublicPath, requiredRole, roleAtLeast, type Role } from "./roles";

export interface AccessPrincipal {
  name: string;
  role: Role;
  via: "session" | "token";
}

export interface AccessFacts {
  method: string;
  /** The request's path, normalized (normalizePath). */
  path: string;
  /** Path and query as sent, for the sign-in page's `next`. */
  url: string;
  accept?: string;
  upgrade?: boolean;
  /** Who the credentials name, if they name anyone. */
  principal?: AccessPrincipal;
  /** Why credentials that were sent did not authenticate (a revoked token, an expired session). */
  failure?: string;
}

export type AccessVerdict =
  { kind: "pass"; principal?: AccessPrincipal } | { kind: "sign-in"; location: string } | { kind: "refuse"; status: 401 | 403; error: string; needed?: Role };

export const HOW_TO_AUTHENTICATE =
  "Sign in at /sign-in (a session cookie), or send Authorization: Bearer <token> " +
  "(the first start wrote an admin token to <ISOLAB_STATE_DIR>/admin-token; npm run access -- token create NAME --role operator makes more).";

export function judgeAccess(f: AccessFacts): AccessVerdict {
  if (isPublicPath(f.path)) return { kind: "pass", principal: f.principal };
  if (!f.principal) {
    if (wantsPage(f)) return { kind: "sign-in", location: signInLocation(f.url) };
    const why = f.failure ?? "This request carries no credentials.";
    return { kind: "refuse", status: 401, error: `${why} ${HOW_TO_AUTHENTICATE}` };
  }
  const needed = requiredRole(f.method, f.path, f.upgrade);
  if (!roleAtLeast(f.principal.role, needed)) {
    return {
      kind: "refuse",
      status: 403,
      needed,
      error: `${f.upgrade ? "Opening" : f.method.toUpperCase()} ${f.path} needs the ${needed} role; ${f.principal.name} is ${article(f.principal.role)} ${f.principal.role}. Ask an admin for an account or token with the ${needed} role.`,
    };
  }
  return { kind: "pass", principal: f.principal };
}

/** A browser navigating to a page (not an API call, not Next's RSC fetch): it gets the sign-in form instead of JSON. */
function wantsPage(f: AccessFacts): boolean {
  const method = f.method.toUpperCase();
  if ((method !== "GET" && method !== "HEAD") || f.upgrade) return false;
  if (f.path.startsWith("/api/") || f.path.startsWith("/_next/")) return false;
  return (f.accept ?? "").includes("text/html");
}

export function signInLocation(url: string): string {
  return `/sign-in?next=${encodeURIComponent(url)}`;
}

/** Where a sign-in may send the browser afterwards: a path on this site only (no `//host`, no scheme). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || next.startsWith("/sign-in")) return "/";
  return next;
}

/**
 * The path the role table judges: dot segments resolved, repeated slashes
 * collapsed, percent-escapes decoded and lower-cased, so that no spelling of
 * a path Next would route to an admin page slips under a weaker rule.
 */
export function normalizePath(url: string): string {
  let path: string;
  try {
    path = new URL(url, "http://isolab.invalid").pathname;
  } catch {
    return "/";
  }
  path = path.replace(/\/{2,}/g, "/");
  try {
    path = decodeURIComponent(path);
  } catch {
    // a malformed escape: judge it as sent
  }
  return path.toLowerCase();
}

function article(role: Role): string {
  return role === "admin" || role === "operator" ? "an" : "a";
}
