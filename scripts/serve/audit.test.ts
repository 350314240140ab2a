import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditNoteHeader, AUDIT_NOTE_HEADER } from "@/lib/audit/note";
import { createAuditLog, type AuditLog } from "@/server/audit/store";
import { openDatabase, type Db } from "@/server/store/db";
import { createAuditHook, type Principal } from "./audit";

// The hook on a real HTTP server writing to a real audit log (SQLite in a
// temporary directory); each handler plays a part serve.mjs or a route plays.

let dir: string;
let db: Db;
let log: AuditLog;
let server: http.Server;
let port: number;

type Handler = (req: http.IncomingMessage & { isolabPrincipal?: unknown; isolabAudit?: unknown }, res: http.ServerResponse) => void;
const handlers: Record<string, Handler> = {
  "/plain": (_req, res) => res.writeHead(201).end("made"),
  "/noted": (_req, res) => {
    res.setHeader(AUDIT_NOTE_HEADER, auditNoteHeader({ action: "sign-in", actor: "ada", detail: "wrong password" }));
    res.writeHead(401).end();
  },
  "/appended": (_req, res) => {
    res.appendHeader(AUDIT_NOTE_HEADER, auditNoteHeader({ target: "inst-1" }));
    res.writeHead(204).end();
  },
  "/signed-in": (req, res) => {
    req.isolabPrincipal = { name: "bob", role: "operator", via: "token" };
    res.writeHead(200).end();
  },
  "/forced": (req, res) => {
    req.isolabAudit = { force: true, actor: "(unknown token)", detail: "revoked token" };
    res.writeHead(401).end();
  },
  "/slow": (_req, res) => setTimeout(() => res.writeHead(200).end(), 2000),
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "isolab-audit-hook-"));
  db = openDatabase(path.join(dir, "isolab.db"));
  log = createAuditLog(db);
  const hook = createAuditHook(() => log);
  server = http.createServer((req, res) => {
    hook.watch(req, res, { allow: true });
    handlers[(req.url ?? "/").split("?")[0]]?.(req, res);
  });
  // Upgrades: /refused is refused after the gate (as the sign-in step does), /terminal accepted and closed a moment later.
  server.on("upgrade", (req: http.IncomingMessage & { isolabPrincipal?: Principal }, socket: Socket) => {
    hook.watchUpgrade(req, socket, { allow: true });
    if (req.url === "/refused") return socket.end("HTTP/1.1 401 Refused\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    req.isolabPrincipal = { name: "carol", role: "operator", via: "session" };
    socket.write("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n");
    setTimeout(() => socket.end(), 100);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function send(method: string, urlPath: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    });
    req.on("error", reject);
    req.end();
  });
}

const newest = () => log.query({ limit: 1 }).entries[0];

describe("the audit hook", () => {
  it("records a state-changing request once, with its status and duration", async () => {
    const before = log.query().entries.length;
    await send("POST", "/plain");
    expect(log.query().entries.length).toBe(before + 1);
    expect(newest()).toMatchObject({ actor: "anonymous", role: null, action: "POST /plain", result: 201, from: "127.0.0.1" });
    expect(newest().durationMs).toBeGreaterThan(0);
  });

  it("takes a route's note off the answer and onto the row", async () => {
    const res = await send("POST", "/noted");
    expect(res.headers[AUDIT_NOTE_HEADER]).toBeUndefined();
    expect(newest()).toMatchObject({ actor: "ada", action: "sign-in", result: 401, detail: "wrong password" });
    const appended = await send("DELETE", "/appended");
    expect(appended.headers[AUDIT_NOTE_HEADER]).toBeUndefined();
    expect(newest()).toMatchObject({ action: "DELETE /appended", target: "inst-1", result: 204 });
  });

  it("names the principal the sign-in step set", async () => {
    await send("PUT", "/signed-in");
    expect(newest()).toMatchObject({ actor: "bob", role: "operator", result: 200 });
  });

  it("skips reads unless code after the gate asks for a row", async () => {
    const before = log.query().entries.length;
    await send("GET", "/plain");
    expect(log.query().entries.length).toBe(before);
    await send("GET", "/forced");
    expect(newest()).toMatchObject({ actor: "(unknown token)", action: "GET /forced", result: 401, detail: "revoked token" });
  });

  it("records 499 when the client leaves before the answer", async () => {
    await new Promise<void>((resolve) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/slow", agent: false });
      req.on("error", () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    for (let i = 0; i < 50 && newest().action !== "POST /slow"; i++) await new Promise((r) => setTimeout(r, 20));
    expect(newest()).toMatchObject({ action: "POST /slow", result: 499, detail: "the client left before the answer finished" });
  });

  it("records an upgrade when its socket closes, with the status its handshake answered", async () => {
    const upgrade = (urlPath: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: urlPath, headers: { connection: "Upgrade", upgrade: "websocket" }, agent: false });
        req.on("upgrade", (res, socket) => {
          socket.on("close", () => resolve(res.statusCode ?? 0));
          socket.resume();
        });
        req.on("response", (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
    const rowFor = async (action: string) => {
      for (let i = 0; i < 50 && newest().action !== action; i++) await new Promise((r) => setTimeout(r, 20));
      return newest();
    };
    expect(await upgrade("/refused")).toBe(401);
    expect(await rowFor("GET /refused")).toMatchObject({ actor: "anonymous", result: 401 });
    expect(await upgrade("/terminal")).toBe(101);
    const session = await rowFor("GET /terminal");
    expect(session).toMatchObject({ actor: "carol", role: "operator", result: 101 });
    expect(session.durationMs).toBeGreaterThan(0);
  });
});
