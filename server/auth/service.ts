import "server-only";
import { ACCOUNT_SIGN_IN_LIMIT, ADDRESS_SIGN_IN_LIMIT, FailureCounter } from "@/lib/auth/rate-limit";
import { bearerToken, readCookie } from "@/lib/auth/cookie";
import type { Principal, SignInInput } from "@/lib/schemas/access";
import { AuthenticationError, SignInRateLimitedError } from "@/server/errors";
import type { Db } from "@/server/store/db";
import { UserStore } from "./accounts";
import { ensureAdminToken, signInHint, type FirstStart } from "./first-start";
import { SESSION_COOKIE, SessionStore } from "./sessions";
import { TokenStore } from "./tokens";

// Who is asking: the one service scripts/serve.mjs calls for every request
// (through the app on globalThis, built in server/app/create-app.ts) and the
// sign-in routes call to open and close sessions.

export type Authentication = { principal: Principal } | { principal?: undefined; failure?: string };

export interface AuthServiceOptions {
  db: Db;
  /** Where the first start writes the admin token. */
  stateDir: string;
  now?: () => number;
}

export function createAuthService({ db, stateDir, now = Date.now }: AuthServiceOptions) {
  const users = new UserStore(db);
  const tokens = new TokenStore(db);
  const sessions = new SessionStore(db);
  const byAccount = new FailureCounter(ACCOUNT_SIGN_IN_LIMIT);
  const byAddress = new FailureCounter(ADDRESS_SIGN_IN_LIMIT);

  /** A bearer token wins over a cookie: a script's explicit credential is the one it means. */
  function authenticate(headers: { authorization?: string; cookie?: string }): Authentication {
    if (headers.authorization !== undefined) {
      const token = bearerToken(headers.authorization);
      if (token === undefined) return { failure: "The Authorization header must be `Bearer <token>`." };
      const found = tokens.find(token, now());
      if (!found) return { failure: "This API token is unknown or was revoked." };
      return { principal: { name: found.name, role: found.role, via: "token" } };
    }
    const id = readCookie(headers.cookie, SESSION_COOKIE);
    if (id === undefined) return {};
    const found = sessions.find(id, now());
    if (!found) return { failure: "Your session has expired or was signed out." };
    return { principal: { name: found.name, role: found.role, via: "session" } };
  }

  /**
   * Checks a password or a token and opens a session. Failures count per
   * account and per remote address; past either limit the answer is 429
   * with the wait, before any password is checked.
   */
  async function signIn(input: SignInInput, from: string): Promise<{ sessionId: string; principal: Principal }> {
    const account = "username" in input ? `account:${input.username}` : undefined;
    const address = `address:${from}`;
    const t = now();
    const waitMs = Math.max(account ? byAccount.retryAfterMs(account, t) : 0, byAddress.retryAfterMs(address, t));
    if (waitMs > 0) {
      const retryAfterSeconds = Math.ceil(waitMs / 1000);
      throw new SignInRateLimitedError(`Too many failed sign-ins ${account ? "for this account or " : ""}from ${from}; try again in ${retryAfterSeconds} s.`, {
        retryAfterSeconds,
      });
    }
    const fail = (message: string): never => {
      if (account) byAccount.fail(account, now());
      byAddress.fail(address, now());
      throw new AuthenticationError(message);
    };
    if ("username" in input) {
      const user = await users.verify(input.username, input.password);
      if (!user) return fail("Wrong account name or password.");
      byAccount.reset(account!);
      return { sessionId: sessions.open({ user: user.name }, now()), principal: { name: user.name, role: user.role, via: "session" } };
    }
    const token = tokens.find(input.token.trim(), now());
    if (!token) return fail("This API token is unknown or was revoked.");
    return { sessionId: sessions.open({ tokenId: token.id }, now()), principal: { name: token.name, role: token.role, via: "session" } };
  }

  function signOut(cookieHeader: string | undefined): void {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    if (id !== undefined) sessions.close(id);
  }

  const service = { users, tokens, sessions, authenticate, signIn, signOut, firstStart };
  /** The web server's start (scripts/serve.mjs): an admin token when nobody could sign in, and the line that says how to. */
  function firstStart(): FirstStart & { hint: string } {
    const first = ensureAdminToken(service, stateDir);
    return { ...first, hint: signInHint(first) };
  }
  return service;
}

export type AuthService = ReturnType<typeof createAuthService>;
