// Who may do what: three roles, each including the one below it, and one
// pure table from a request's method and path to the least role it needs.
// scripts/serve.mjs applies it to every request once the caller is known;
// the UI asks the same table what to offer.

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** What each role is for, in the words a refusal uses. */
export const ROLE_DUTIES: Record<Role, string> = {
  viewer: "sees everything, changes nothing",
  operator: "starts and stops instances, experiments, images, snapshots and terminals",
  admin: "manages accounts, API tokens and the registry's settings",
};

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return roleRank(role) >= roleRank(needed);
}

/** Paths anyone may reach without signing in: the sign-in page and its API, and Next's static assets. */
export function isPublicPath(path: string): boolean {
  return path === "/sign-in" || path === "/api/auth/sign-in" || path === "/api/auth/sign-out" || path.startsWith("/_next/static/") || path === "/favicon.ico";
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Where operators work: everything that starts, stops, imports or runs something. */
const OPERATOR_PREFIXES = [
  "/api/instances",
  "/api/experiments",
  "/api/images",
  "/api/snapshots",
  "/api/figures/scenario",
  "/api/registry/push",
  "/api/registry/pull",
  "/ws/terminal/",
];

/** Admin reads too: the list of accounts and tokens is itself a secret's neighbour. */
const ADMIN_PREFIXES = ["/api/access", "/settings/access"];

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
}

/**
 * The least role `method path` needs. Reads need viewer, except the access
 * pages (admin). Writes (and upgrades, passed as their method, GET, with
 * `upgrade`) on instances, experiments, images, snapshots, the figures'
 * scenario, registry push/pull and terminals need operator; every other
 * write — accounts, tokens, starting or pointing at a registry, and any
 * route added later that nobody classified — needs admin (closed by default).
 */
export function requiredRole(method: string, path: string, upgrade = false): Role {
  if (ADMIN_PREFIXES.some((p) => under(path, p))) return "admin";
  if (READS.has(method.toUpperCase()) && !upgrade) return "viewer";
  if (OPERATOR_PREFIXES.some((p) => under(path, p))) return "operator";
  return "admin";
}
