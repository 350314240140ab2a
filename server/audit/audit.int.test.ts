import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvRecords } from "@/lib/experiments/csv";
import type { AuditEntry, AuditPage } from "@/lib/schemas/audit";
import { createApp } from "@/server/app/create-app";
import { testAppConfig } from "@/server/app/test-support";
import { startServe, waitUntil, type ServeProcess } from "@/server/http/serve-process";

// The audit log end to end: the real server (scripts/serve.mjs) records a
// real start and stop of a process instance and a refused cross-origin
// POST when their answers finish; GET /api/audit and its CSV show them; and
// the rows are still there for an app built over the same state directory
// after the server has gone.

let server: ServeProcess;
let stateDir: string;
/** The admin token the first start writes once sign-in exists; requests carry it as a script would. */
let auth: Record<string, string> = {};

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function send(method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: server.port, method, path: urlPath, headers: { host: `127.0.0.1:${server.port}`, ...auth, ...headers }, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const json = { "content-type": "application/json" };

async function audit(query: string): Promise<AuditPage> {
  const r = await send("GET", `/api/audit${query}`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as AuditPage;
}

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), "isolab-audit-int-"));
  server = await startServe({ ISOLAB_STATE_DIR: stateDir });
  // 401 is an answer too: the server then asks for sign-in.
  await waitUntil(server, async () => [200, 401].includes((await send("GET", "/api/host")).status));
  const tokenFile = path.join(stateDir, "admin-token");
  if (existsSync(tokenFile)) auth = { authorization: `Bearer ${readFileSync(tokenFile, "utf8").trim()}` };
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe("the audit log, on the real server", () => {
  let instanceId: string;

  it("records a start with its status and duration, and the stop with its target", async () => {
    const started = await send("POST", "/api/instances", json, JSON.stringify({ kind: "process" }));
    expect(started.status, started.body).toBe(201);
    instanceId = (JSON.parse(started.body) as { id: string }).id;
    const removed = await send("DELETE", `/api/instances/${instanceId}`);
    expect(removed.status).toBeLessThan(300);

    const { entries } = await audit("?action=/api/instances");
    const start = entries.find((e) => e.action === "POST /api/instances");
    expect(start).toMatchObject({ result: 201, from: "127.0.0.1", target: null });
    // Signed in with the admin token, the row names its principal; without sign-in, nobody.
    if (auth.authorization) expect(start).toMatchObject({ actor: expect.not.stringMatching(/^anonymous$/), role: "admin" });
    else expect(start).toMatchObject({ actor: "anonymous", role: null });
    expect(start!.durationMs).toBeGreaterThan(0);
    expect(entries.find((e) => e.action === "DELETE /api/instances/[id]")).toMatchObject({ target: instanceId, result: removed.status });
    // Reads are not actions.
    expect((await audit("?action=GET")).entries).toEqual([]);
  }, 240_000); // the first write compiles its routes on a development server

  it("records the gate's refusal of a cross-origin POST, and a foreign Host", async () => {
    const refused = await send("POST", "/api/instances", { "content-type": "text/plain", origin: "http://evil.example" }, '{"kind":"process"}');
    expect(refused.status).toBe(403);
    const rebind = await send("GET", "/api/host", { host: `rebind.evil.example:${server.port}` });
    expect(rebind.status).toBe(421);
    const { entries } = await audit("?result=4xx");
    expect(entries.find((e) => e.result === 403)).toMatchObject({ action: "POST /api/instances", actor: "anonymous" });
    expect(entries.find((e) => e.result === 403)!.detail).toContain("evil.example");
    expect(entries.find((e) => e.result === 421)).toMatchObject({ action: "GET /api/host" });
  });

  it("exports CSV with the same filters, and refuses a bad filter with 422 naming it", async () => {
    for (const url of ["/api/audit?format=csv&result=2xx", "/api/audit.csv?result=2xx"]) {
      const r = await send("GET", url);
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toContain("text/csv");
      const rows = csvRecords(r.body);
      expect(rows.map((row) => row.action)).toContain("POST /api/instances");
      expect(rows.every((row) => row.result.startsWith("2"))).toBe(true);
    }
    const bad = await send("GET", "/api/audit?result=7xx");
    expect(bad.status).toBe(422);
    expect(bad.body).toContain("result");
  });

  // A development server compiles the page on its first request, which takes a while on a busy host.
  it("serves the /audit page", async () => {
    const page = await send("GET", "/audit");
    expect(page.status).toBe(200);
    expect(page.body).toContain("Audit log");
  }, 240_000);

  it("keeps the rows across a restart over the same state directory", async () => {
    const before = (await audit("?limit=100")).entries;
    expect(before.length).toBeGreaterThanOrEqual(4);
    await server.stop();
    const app = createApp(testAppConfig(stateDir));
    try {
      await app.ready;
      const after: AuditEntry[] = app.audit.query({ limit: 100 }).entries;
      // Every row seen before is still there, unchanged.
      expect(after.filter((e) => before.some((b) => b.id === e.id))).toEqual(before);
    } finally {
      await app.shutdown();
    }
  });
});
