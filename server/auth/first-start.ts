import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { UserStore } from "./accounts";
import type { TokenStore } from "./tokens";

// A fresh install has no account and no token, so nobody could sign in.
// The web server's first start therefore makes one admin token and writes
// it where only root can read it; whoever can read that file is root already.

export const ADMIN_TOKEN_FILE = "admin-token";

export type FirstStart = { created: true; file: string } | { created: false; file: string; fileExists: boolean };

export function ensureAdminToken(auth: { users: UserStore; tokens: TokenStore }, stateDir: string): FirstStart {
  const file = path.join(stateDir, ADMIN_TOKEN_FILE);
  if (auth.users.count() > 0 || auth.tokens.count() > 0) return { created: false, file, fileExists: fs.existsSync(file) };
  const { token } = auth.tokens.create("admin (first start)", "admin", "isolab");
  fs.mkdirSync(stateDir, { recursive: true });
  // Replace, never follow: a link planted at the path must not receive the token.
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  fs.chmodSync(file, 0o600);
  return { created: true, file };
}

/** What the server prints at each start: how a person gets in. */
export function signInHint(first: FirstStart): string {
  const users = "or create an account with: npm run access -- user add NAME --role admin";
  if (first.created) return `first start: an admin API token was written to ${first.file} (mode 0600). Sign in at /sign-in with it, ${users}`;
  if (first.fileExists) return `sign in at /sign-in with an account, or with the admin token in ${first.file}`;
  return `sign in at /sign-in with an account or a token (npm run access -- token create NAME --role admin makes one)`;
}
