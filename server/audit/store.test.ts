import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEntryInput } from "@/lib/schemas/audit";
import { openDatabase, type Db } from "@/server/store/db";
import { createAuditLog } from "./store";

// The store over a real SQLite file in a temporary directory.

const dirs: string[] = [];
const dbs: Db[] = [];
function open(dir = mkdtempSync(path.join(os.tmpdir(), "isolab-audit-"))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const db = openDatabase(path.join(dir, "isolab.db"));
  dbs.push(db);
  return { dir, db };
}
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Recent: the log prunes rows older than 90 days when it opens.
const T0 = Date.now() - 60_000;
const entry = (over: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  at: T0,
  actor: "anonymous",
  role: null,
  action: "POST /api/instances",
  target: null,
  from: "127.0.0.1",
  result: 201,
  durationMs: 12.3456,
  ...over,
});

describe("the audit log", () => {
  it("keeps rows across a reopen of the same file, newest first", () => {
    const { dir, db } = open();
    const log = createAuditLog(db);
    log.record(entry());
    log.record(entry({ actor: "ada", role: "operator", action: "DELETE /api/instances/[id]", target: "abc", result: 204, detail: "stopped" }));
    db.close();
    const again = createAuditLog(open(dir).db).query();
    expect(again.entries.map((e) => [e.actor, e.role, e.action, e.target, e.result, e.detail])).toEqual([
      ["ada", "operator", "DELETE /api/instances/[id]", "abc", 204, "stopped"],
      ["anonymous", null, "POST /api/instances", null, 201, null],
    ]);
    expect(again.entries[1].durationMs).toBe(12.346);
    expect(again.nextCursor).toBeNull();
  });

  it("filters by actor, part of the action, result class or code, and time", () => {
    const log = createAuditLog(open().db);
    log.record(entry({ at: T0, actor: "ada", result: 201 }));
    log.record(entry({ at: T0 + 1000, actor: "bob", result: 403, action: "POST /api/registry/start" }));
    log.record(entry({ at: T0 + 2000, actor: "ada", result: 500, action: "DELETE /api/images/[...ref]" }));
    const actors = (f: Parameters<typeof log.query>[0]) => log.query(f).entries.map((e) => `${e.actor}:${e.result}`);
    expect(actors({ actor: "ada" })).toEqual(["ada:500", "ada:201"]);
    expect(actors({ action: "registry" })).toEqual(["bob:403"]);
    expect(actors({ result: "4xx" })).toEqual(["bob:403"]);
    expect(actors({ result: 201 })).toEqual(["ada:201"]);
    expect(actors({ since: T0 + 500, until: T0 + 1500 })).toEqual(["bob:403"]);
    expect(actors({ action: "%" })).toEqual([]); // text, not a LIKE pattern
  });

  it("pages with a cursor until the last page", () => {
    const log = createAuditLog(open().db);
    for (let i = 0; i < 5; i++) log.record(entry({ detail: `#${i}` }));
    const first = log.query({ limit: 2 });
    const second = log.query({ limit: 2, cursor: first.nextCursor! });
    const third = log.query({ limit: 2, cursor: second.nextCursor! });
    expect([...first.entries, ...second.entries, ...third.entries].map((e) => e.detail)).toEqual(["#4", "#3", "#2", "#1", "#0"]);
    expect(third.nextCursor).toBeNull();
  });

  it("bounds growth: rows past the age limit and beyond the newest N go", () => {
    let now = T0;
    const log = createAuditLog(open().db, { maxRows: 3, maxAgeMs: 10_000, now: () => now });
    for (let i = 0; i < 5; i++) log.record(entry({ at: T0 + i, detail: `#${i}` }));
    expect(log.prune()).toBe(2);
    expect(log.query().entries.map((e) => e.detail)).toEqual(["#4", "#3", "#2"]);
    now = T0 + 10_003;
    log.prune();
    expect(log.query().entries.map((e) => e.detail)).toEqual(["#4", "#3"]);
  });

  it("bounds every text field and strips control characters", () => {
    const log = createAuditLog(open().db);
    log.record(entry({ actor: "x".repeat(1000), detail: "line\nforged line", target: "t".repeat(5000) }));
    const [e] = log.query().entries;
    expect(e.actor).toHaveLength(128);
    expect(e.target).toHaveLength(256);
    expect(e.detail).toBe("line forged line");
  });

  it("answers null instead of throwing once the database is closed", () => {
    const { db } = open();
    const log = createAuditLog(db);
    db.close();
    expect(log.record(entry())).toBeNull();
  });
});
