import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QmpStatusReply } from "@/lib/schemas/qmp";
import { QmpClient, QmpClosedError, QmpCommandError, QmpConnectError, QmpTimeoutError } from "./qmp-client";

// A fake QEMU monitor on a unix socket in a temp dir: it greets, answers
// qmp_capabilities and then whatever `answer` says for each command.

const GREETING = { QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: "Debian" }, capabilities: ["oob"] } };

type Answer = (cmd: { execute: string; arguments?: unknown; id: number }, conn: net.Socket) => void;

let dir: string;
let server: net.Server;
let conns: net.Socket[];

function startFake(answer: Answer, greeting: unknown = GREETING): string {
  const sock = path.join(dir, "qmp.sock");
  conns = [];
  server = net.createServer((conn) => {
    conns.push(conn);
    conn.write(JSON.stringify(greeting) + "\r\n");
    let buf = "";
    conn.on("data", (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const cmd = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (cmd.execute === "qmp_capabilities") conn.write(JSON.stringify({ return: {}, id: cmd.id }) + "\r\n");
        else answer(cmd, conn);
      }
    });
  });
  server.listen(sock);
  return sock;
}

const reply = (conn: net.Socket, msg: unknown) => conn.write(JSON.stringify(msg) + "\r\n");

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-qmp-"));
});
afterEach(async () => {
  for (const c of conns ?? []) c.destroy();
  await new Promise((r) => server?.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("QmpClient", () => {
  it("reads the greeting, negotiates and runs a command", async () => {
    const sock = startFake((cmd, conn) => reply(conn, { return: { status: "running", running: true, singlestep: false }, id: cmd.id }));
    const qmp = await QmpClient.connect(sock);
    expect(qmp.greeting?.QMP.version.qemu.major).toBe(7);
    expect(qmp.greetingAt).toBeTypeOf("number");
    const status = await qmp.execute("query-status", undefined, { schema: QmpStatusReply });
    expect(status).toEqual({ status: "running", running: true, singlestep: false });
    qmp.close();
  });

  it("matches replies to calls by id, even out of order", async () => {
    const held: { id: number; conn: net.Socket }[] = [];
    const sock = startFake((cmd, conn) => {
      held.push({ id: cmd.id, conn });
      if (held.length === 2) for (const h of held.reverse()) reply(h.conn, { return: { n: h.id }, id: h.id });
    });
    const qmp = await QmpClient.connect(sock);
    const [a, b] = await Promise.all([qmp.execute("a"), qmp.execute("b")]);
    expect(a).not.toEqual(b);
    expect((a as { n: number }).n).toBeLessThan((b as { n: number }).n);
    qmp.close();
  });

  it("passes arguments and turns an error reply into QmpCommandError", async () => {
    let seen: unknown;
    const sock = startFake((cmd, conn) => {
      seen = cmd.arguments;
      reply(conn, { error: { class: "GenericError", desc: "no such device" }, id: cmd.id });
    });
    const qmp = await QmpClient.connect(sock);
    const err = await qmp.execute("device_del", { id: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(QmpCommandError);
    expect(err).toMatchObject({ command: "device_del", errorClass: "GenericError", desc: "no such device" });
    expect(seen).toEqual({ id: "x" });
    qmp.close();
  });

  it("emits events on its own emitter", async () => {
    const sock = startFake((cmd, conn) => {
      reply(conn, { event: "STOP", timestamp: { seconds: 1, microseconds: 2 } });
      reply(conn, { return: {}, id: cmd.id });
    });
    const qmp = await QmpClient.connect(sock);
    const events: string[] = [];
    qmp.events.on("event", (ev) => events.push(ev.event));
    const stopped = qmp.waitEvent("STOP", 1000);
    await qmp.execute("stop");
    expect((await stopped).timestamp.seconds).toBe(1);
    expect(events).toEqual(["STOP"]);
    qmp.close();
  });

  it("rejects every pending call with QmpClosedError when the socket closes", async () => {
    const sock = startFake((_cmd, conn) => {
      if (conns.length && _cmd.execute === "quit") conn.destroy();
    });
    const qmp = await QmpClient.connect(sock);
    const slow = qmp.execute("query-balloon");
    const quit = qmp.execute("quit");
    await expect(slow).rejects.toBeInstanceOf(QmpClosedError);
    await expect(quit).rejects.toBeInstanceOf(QmpClosedError);
    expect(qmp.closed).toBe(true);
    await expect(qmp.execute("query-status")).rejects.toBeInstanceOf(QmpClosedError);
  });

  it("times out one call without closing the connection", async () => {
    const sock = startFake((cmd, conn) => {
      if (cmd.execute === "fast") reply(conn, { return: 1, id: cmd.id });
    });
    const qmp = await QmpClient.connect(sock);
    await expect(qmp.execute("never", undefined, { timeoutMs: 30 })).rejects.toBeInstanceOf(QmpTimeoutError);
    await expect(qmp.execute("fast")).resolves.toBe(1);
    qmp.close();
  });

  it("fails to connect on a malformed greeting, a silent peer, or no socket", async () => {
    const sock = startFake(() => {}, { hello: "not qmp" });
    await expect(QmpClient.connect(sock)).rejects.toBeInstanceOf(QmpConnectError);
    await expect(QmpClient.connect(path.join(dir, "missing.sock"))).rejects.toBeInstanceOf(QmpConnectError);
  });

  it("works on a socket QEMU connected to (Isolab listening)", async () => {
    const sock = path.join(dir, "listen.sock");
    const listener = net.createServer();
    await new Promise<void>((r) => listener.listen(sock, r));
    const accepted = new Promise<net.Socket>((r) => listener.once("connection", r));
    // The "QEMU" side connects as a client, like `-chardev socket,path=…` without server=on.
    const qemu = net.connect(sock);
    qemu.on("data", (d) => {
      const cmd = JSON.parse(d.toString());
      qemu.write(JSON.stringify({ return: {}, id: cmd.id }) + "\r\n");
    });
    qemu.write(JSON.stringify(GREETING) + "\r\n");
    const qmp = await QmpClient.fromSocket(await accepted, { timeoutMs: 1000 });
    expect(qmp.greeting?.QMP.capabilities).toEqual(["oob"]);
    qmp.close();
    qemu.destroy();
    await new Promise((r) => listener.close(r));
  });
});

describe("QmpClient with a silent peer", () => {
  it("gives up waiting for the greeting after timeoutMs", async () => {
    const sock = startFake(() => {}, undefined);
    server.removeAllListeners("connection");
    server.on("connection", (c) => conns.push(c));
    await expect(QmpClient.connect(sock, { timeoutMs: 50 })).rejects.toThrow(/no QMP greeting within 50 ms/);
  });
});
