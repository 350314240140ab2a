import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fakeEnvironment } from "@/server/experiments/fakes";
import { migrate, openDatabase, schemaVersion } from "./db";
import { ExperimentStore } from "./experiments";
import { MIGRATIONS } from "./migrations";

const dirs: string[] = [];
function tmpFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-store-"));
  dirs.push(dir);
  return path.join(dir, "isolab.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("migrations", () => {
  it("apply once, in order, and are recorded", () => {
    const db = openDatabase(tmpFile(), []);
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toEqual([1]);
    expect(migrate(db)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    db.close();
  });

  it("a failing migration leaves the schema at the last good version", () => {
    const db = openDatabase(":memory:");
    const v = schemaVersion(db);
    expect(() => migrate(db, [...MIGRATIONS, { version: 99, name: "broken", sql: "CREATE TABLE t (x); NOT SQL" }])).toThrow();
    expect(schemaVersion(db)).toBe(v);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
  });

  it("uses WAL on a file", () => {
    const db = openDatabase(tmpFile());
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });
});

describe("ExperimentStore", () => {
  it("keeps records and samples across a re-open (a restart)", () => {
    const file = tmpFile();
    const a = new ExperimentStore(openDatabase(file));
    a.insert({ id: "x0000000001", type: "startup", plan: { type: "startup", runs: 2 }, createdAt: "2025-01-01T00:00:00.000Z", owner: "1:1" });
    a.markRunning("x0000000001", "2025-01-01T00:00:01.000Z", fakeEnvironment("tcg"));
    a.addSample("x0000000001", { seq: 1, kind: "vm", sample: "startup", rep: 1, warmup: false, accel: "tcg", values: { total_ms: 1234.5678 }, takenAt: "t1" });
    a.addSample("x0000000001", { seq: 2, kind: "container", sample: "startup", rep: 1, warmup: false, values: {}, error: "boom", takenAt: "t2" });
    a.setProgress("x0000000001", { done: 2, total: 2, message: "run 1/1" });
    a.db.close();

    const b = new ExperimentStore(openDatabase(file));
    const rec = b.get("x0000000001")!;
    expect(rec).toMatchObject({ status: "running", plan: { runs: 2 }, progress: { done: 2 }, startedAt: "2025-01-01T00:00:01.000Z" });
    expect(rec.environment?.host.accelerator?.accel).toBe("tcg");
    expect(rec.samples).toEqual([
      { seq: 1, kind: "vm", sample: "startup", rep: 1, warmup: false, accel: "tcg", values: { total_ms: 1234.5678 }, takenAt: "t1" },
      { seq: 2, kind: "container", sample: "startup", rep: 1, warmup: false, values: {}, error: "boom", takenAt: "t2" },
    ]);
    expect(b.unfinished()).toEqual([{ id: "x0000000001", status: "running", owner: "1:1" }]);
    b.db.close();
  });

  it("finishes a run once: a late writer does not overwrite the verdict", () => {
    const s = new ExperimentStore(openDatabase(":memory:"));
    s.insert({ id: "x0000000001", type: "startup", plan: {}, createdAt: "c", owner: "o" });
    expect(s.finish("x0000000001", { status: "cancelled", finishedAt: "f1", error: "cancelled by request" })).toBe(true);
    expect(s.finish("x0000000001", { status: "done", finishedAt: "f2" })).toBe(false);
    expect(s.getItem("x0000000001")).toMatchObject({ status: "cancelled", finishedAt: "f1", error: "cancelled by request" });
    expect(s.unfinished()).toEqual([]);
  });

  it("lists newest first without samples", () => {
    const s = new ExperimentStore(openDatabase(":memory:"));
    s.insert({ id: "x0000000001", type: "startup", plan: {}, createdAt: "2025-01-01T00:00:00.000Z", owner: "o" });
    s.insert({ id: "x0000000002", type: "overhead", plan: {}, createdAt: "2025-01-02T00:00:00.000Z", owner: "o" });
    const list = s.list();
    expect(list.map((e) => e.id)).toEqual(["x0000000002", "x0000000001"]);
    expect(list[0]).not.toHaveProperty("samples");
    expect(s.get("x0000000009")).toBeUndefined();
  });
});
