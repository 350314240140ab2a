import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/server/store/db";
import { ensureAdminToken } from "./first-start";
import { createAuthService, type AuthService } from "./service";
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS } from "./sessions";

// Real SQLite and real argon2id over a temporary directory; only time is injected.

let dir: string;
let db: Db;
let clock: number;
let auth: AuthService;
const cookie = (id: string) => `other=1; ${SESSION_COOKIE}=${id}`;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-auth-"));
  db = openDatabase(path.join(dir, "isolab.db"));
  clock = 1_000_000;
  auth = createAuthService({ db, stateDir: dir, now: () => clock });
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("accounts", () => {
  it("stores an argon2id hash, never the password, and checks it", async () => {
    await auth.users.add("ada", "operator", "correct horse");
    const row = db.prepare("SELECT password_hash FROM users WHERE name = 'ada'").get() as { password_hash: string };
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain("correct horse");
    expect(await auth.users.verify("ada", "correct horse")).toMatchObject({ name: "ada", role: "operator" });
    expect(await auth.users.verify("ada", "wrong horse")).toBeUndefined();
    expect(await auth.users.verify("nobody", "correct horse")).toBeUndefined();
    await expect(auth.users.add("ada", "viewer", "another one")).rejects.toMatchObject({ status: 409 });
  });
});

describe("sessions", () => {
  it("opens a session on a right password, stores only the id's SHA-256, and signs out by deleting the row", async () => {
    await auth.users.add("ada", "viewer", "correct horse");
    const { sessionId, principal } = await auth.signIn({ username: "ada", password: "correct horse" }, "127.0.0.1");
    expect(principal).toEqual({ name: "ada", role: "viewer", via: "session" });
    expect(Buffer.from(sessionId, "base64url")).toHaveLength(32);
    const stored = db.prepare("SELECT id_hash FROM sessions").all() as { id_hash: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0].id_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0].id_hash).not.toContain(sessionId);
    expect(auth.authenticate({ cookie: cookie(sessionId) })).toEqual({ principal });
    auth.signOut(cookie(sessionId));
    expect(auth.sessions.count()).toBe(0);
    expect(auth.authenticate({ cookie: cookie(sessionId) })).toEqual({ failure: expect.stringContaining("expired or was signed out") });
  });

  it("ends a session idle for 12 h, and any session 24 h after sign-in however busy", async () => {
    await auth.users.add("ada", "viewer", "correct horse");
    const idle = (await auth.signIn({ username: "ada", password: "correct horse" }, "a")).sessionId;
    clock += SESSION_IDLE_MS - 1;
    expect(auth.authenticate({ cookie: cookie(idle) }).principal).toBeDefined(); // used: idle time restarts
    clock += SESSION_IDLE_MS - 1;
    expect(auth.authenticate({ cookie: cookie(idle) }).principal).toBeDefined();
    clock += SESSION_IDLE_MS;
    expect(auth.authenticate({ cookie: cookie(idle) }).principal).toBeUndefined();
    expect(auth.sessions.count()).toBe(0); // the expired row is gone

    const busy = (await auth.signIn({ username: "ada", password: "correct horse" }, "a")).sessionId;
    for (let t = 0; t < SESSION_ABSOLUTE_MS; t += SESSION_IDLE_MS / 2) {
      expect(auth.authenticate({ cookie: cookie(busy) }).principal).toBeDefined();
      clock += SESSION_IDLE_MS / 2;
    }
    expect(auth.authenticate({ cookie: cookie(busy) }).principal).toBeUndefined();
  });

  it("follows the account: a role change applies at once, a removal or a new password ends its sessions", async () => {
    await auth.users.add("ada", "viewer", "correct horse");
    const a = (await auth.signIn({ username: "ada", password: "correct horse" }, "a")).sessionId;
    auth.users.setRole("ada", "operator");
    expect(auth.authenticate({ cookie: cookie(a) }).principal?.role).toBe("operator");
    await auth.users.setPassword("ada", "battery staple");
    expect(auth.authenticate({ cookie: cookie(a) }).principal).toBeUndefined();
    const b = (await auth.signIn({ username: "ada", password: "battery staple" }, "a")).sessionId;
    auth.users.remove("ada");
    expect(auth.authenticate({ cookie: cookie(b) }).principal).toBeUndefined();
  });
});

describe("tokens", () => {
  it("accepts a bearer token until it is revoked, and stores only its SHA-256", () => {
    const { info, token } = auth.tokens.create("ci", "operator", "test");
    expect(token).toMatch(/^isolab_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(db.prepare("SELECT * FROM api_tokens").all())).not.toContain(token.slice(7));
    expect(auth.authenticate({ authorization: `Bearer ${token}` })).toEqual({ principal: { name: "ci", role: "operator", via: "token" } });
    expect(auth.authenticate({ authorization: `Bearer ${token}x` }).principal).toBeUndefined();
    expect(auth.authenticate({ authorization: `Basic ${token}` })).toEqual({ failure: expect.stringContaining("Bearer") });
    auth.tokens.revoke(info.id);
    expect(auth.authenticate({ authorization: `Bearer ${token}` })).toEqual({ failure: expect.stringContaining("revoked") });
    expect(() => auth.tokens.revoke(info.id)).toThrow(/token list/);
  });

  it("signs a browser in with a token; revoking the token ends that session", async () => {
    const { info, token } = auth.tokens.create("admin (first start)", "admin", "isolab");
    const { sessionId } = await auth.signIn({ token }, "a");
    expect(auth.authenticate({ cookie: cookie(sessionId) }).principal).toEqual({ name: "admin (first start)", role: "admin", via: "session" });
    auth.tokens.revoke(info.id);
    expect(auth.authenticate({ cookie: cookie(sessionId) }).principal).toBeUndefined();
  });
});

describe("failed sign-ins", () => {
  it("are limited per account (429 even for the right password) and per address", async () => {
    await auth.users.add("ada", "admin", "correct horse");
    for (let i = 0; i < 5; i++) await expect(auth.signIn({ username: "ada", password: "guess" }, "10.0.0.1")).rejects.toMatchObject({ status: 401 });
    await expect(auth.signIn({ username: "ada", password: "correct horse" }, "10.0.0.2")).rejects.toMatchObject({
      status: 429,
      details: { retryAfterSeconds: 900 },
    });
    clock += 15 * 60_000;
    await expect(auth.signIn({ username: "ada", password: "correct horse" }, "10.0.0.2")).resolves.toBeDefined();

    for (let i = 0; i < 20; i++) await expect(auth.signIn({ token: `isolab_${i}` }, "10.0.0.3")).rejects.toMatchObject({ status: 401 });
    await expect(auth.signIn({ username: "ada", password: "correct horse" }, "10.0.0.3")).rejects.toMatchObject({ status: 429 });
  });
});

describe("first start", () => {
  it("writes one admin token, mode 0600, only while there is no account and no token", () => {
    const first = auth.firstStart();
    expect(first.created).toBe(true);
    expect(first.hint).toContain(first.file);
    const token = fs.readFileSync(first.file, "utf8").trim();
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    expect(auth.authenticate({ authorization: `Bearer ${token}` }).principal).toMatchObject({ role: "admin" });
    expect(ensureAdminToken(auth, dir)).toEqual({ created: false, file: first.file, fileExists: true });
    expect(fs.readFileSync(first.file, "utf8").trim()).toBe(token);
  });
});
