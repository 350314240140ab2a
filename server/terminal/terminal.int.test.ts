import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { MAX_COLS, MAX_INPUT_FRAME_BYTES } from "@/lib/terminal/protocol";
import { config } from "@/server/config";
import { startRealServer, type RealServer } from "@/server/http/test-server";
import { openTestTerminal } from "./test-client";

// Terminals over the real server (scripts/serve.mjs) and real WebSockets,
// into a real runc container and a real QEMU guest.

let server: RealServer;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-term-"));

async function start(kind: "container" | "vm" | "process", name: string): Promise<string> {
  const r = await server.request("POST", "/api/instances", { kind, name, memoryMiB: 128 });
  if (r.status !== 201 && r.status !== 200) throw new Error(`start ${kind}: ${r.status} ${r.body}`);
  return (JSON.parse(r.body) as { id: string }).id;
}
const opened: ReturnType<typeof openTestTerminal>[] = [];
const terminal = (id: string, opts: Parameters<typeof openTestTerminal>[2] = {}) => {
  const t = openTestTerminal(server.port, id, { headers: server.authHeaders(), ...opts });
  opened.push(t);
  return t;
};
// A failed test must not leave its sessions open for the next one (the per-instance limits).
afterEach(async () => {
  for (const t of opened.splice(0)) {
    t.ws.close();
    await t.closed;
  }
});
// TCG on a loaded 2-core host: a guest's shell answers in seconds, not milliseconds.
const VM_TEST_MS = 240_000;

/** The processes inside the container, as its runtime lists them. */
function containerPids(id: string): number[] {
  const out = execFileSync(config.ociRuntime, ["--root", path.join(stateDir, "runc"), "ps", "--format", "json", id], { encoding: "utf8" });
  return JSON.parse(out) as number[];
}

/** Host processes running `<runtime> … exec … <id>`. */
function execProcesses(id: string): number[] {
  const found: number[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (argv.includes("exec") && argv.includes(id)) found.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`still not true after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let container: string;
let vm: string;
/** The guest pid of the first VM session's shell, which a later session must no longer find. */
let firstVmShell = "";

beforeAll(async () => {
  server = await startRealServer(stateDir);
  [container, vm] = await Promise.all([start("container", "term-ct"), start("vm", "term-vm")]);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

describe("a container's terminal", () => {
  it("is a shell on the host's kernel; resize reaches its tty; closing the socket leaves no exec behind", async () => {
    const t = terminal(container, { rows: 30, cols: 100 });
    expect((await t.opened).kind).toBe("container");
    t.type("uname -r\n");
    await t.waitFor(new RegExp(`\\n${os.release().replaceAll(".", "\\.")}\\r*\\n`));
    let from = t.output().length;
    t.type("stty size\n");
    await t.waitFor(/\n30 100\r*\n/, { from });
    t.resize(40, 120);
    await new Promise((r) => setTimeout(r, 300));
    from = t.output().length;
    t.type("stty size\n");
    await t.waitFor(/\n40 120\r*\n/, { from });
    expect(execProcesses(container).length).toBeGreaterThan(0);
    t.type("sleep 600 &\n");
    await eventually(() => containerPids(container).length >= 3, "the shell and its sleep run in the container");
    t.ws.close();
    await t.closed;
    await eventually(() => execProcesses(container).length === 0 && containerPids(container).length === 1, "only the container's init is left");
  });

  it("refuses bad frames and sizes with a notice and goes on", async () => {
    const t = terminal(container);
    await t.opened;
    t.resize(0, 0);
    await t.waitForNotice((n) => n.type === "notice" && /Resize refused/.test(n.message));
    t.ws.send("not json");
    await t.waitForNotice((n) => n.type === "notice" && /control frame was refused/.test(n.message));
    t.resize(24, 100_000);
    await t.waitForNotice((n) => n.type === "notice" && n.message.includes(`24×${MAX_COLS}`));
    t.ws.send(Buffer.alloc(MAX_INPUT_FRAME_BYTES + 1, 0x61));
    await t.waitForNotice((n) => n.type === "notice" && /input frame of \d+ bytes was refused/.test(n.message));
    // Binary garbage without ^D or ^C: the shell reads it as a (bad) command line.
    t.type(`${Buffer.from(Array.from({ length: 2000 }, (_, i) => 0x20 + ((i * 7919) % 200))).toString("latin1")}\n`);
    const from = t.output().length;
    t.type("stty size\n");
    await t.waitFor(new RegExp(`\\n24 ${MAX_COLS}\\r*\\n`), { from });
    t.ws.close();
    await t.closed;
  });

  it("closes a socket that sends a frame over the server's payload limit, and the server stays up", async () => {
    const t = terminal(container);
    await t.opened;
    t.ws.send(Buffer.alloc(2 * 1024 * 1024));
    expect((await t.closed).code).toBe(1009);
    const again = terminal(container);
    await again.opened;
    again.ws.close();
    await again.closed;
    await eventually(() => execProcesses(container).length === 0, "no exec left");
  });

  it("refuses a fifth session with a message naming the limit", async () => {
    const open = [0, 1, 2, 3].map(() => terminal(container));
    await Promise.all(open.map((t) => t.opened));
    const fifth = terminal(container);
    const closed = await fifth.closed;
    expect(closed.ended).toMatch(/already has 4 terminal sessions open/);
    expect(closed.code).toBe(4429);
    for (const t of open) t.ws.close();
    await Promise.all(open.map((t) => t.closed));
    await eventually(() => execProcesses(container).length === 0, "no exec left");
  });

  it("records each session as asciicast v2, listed and downloadable", async () => {
    const r = await server.request("GET", `/api/instances/${container}/terminal/recordings`);
    expect(r.status).toBe(200);
    const { recordings } = JSON.parse(r.body) as { recordings: { sessionId: string; complete: boolean; bytes: number }[] };
    expect(recordings.length).toBeGreaterThanOrEqual(4);
    const file = await server.request("GET", `/api/instances/${container}/terminal/recordings/${recordings.at(-1)!.sessionId}`);
    const [header, ...events] = file.body.trim().split("\n");
    expect(JSON.parse(header!)).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(events.some((e) => e.includes("uname -r"))).toBe(true);
    expect((await server.request("GET", `/api/instances/${container}/terminal/recordings/..%2Fx`)).status).toBe(422);
  });

  it("ends the session with a message when the instance stops, leaving no exec behind", async () => {
    const id = await start("container", "term-stop");
    const t = terminal(id);
    await t.opened;
    t.type("sleep 600\n");
    await eventually(() => execProcesses(id).length > 0, "the exec runs");
    expect((await server.request("POST", `/api/instances/${id}/stop`)).status).toBe(200);
    const closed = await t.closed;
    expect(closed.ended).toMatch(/instance is (stopping|stopped)/);
    await eventually(() => execProcesses(id).length === 0, "no exec left");
  });
});

describe("a VM's terminal", () => {
  it(
    "is a shell on the guest's own kernel, on its own serial port; resize reaches the guest's tty",
    async () => {
      const t = terminal(vm, { rows: 30, cols: 100 });
      expect((await t.opened).kind).toBe("vm");
      t.type("uname -r\n");
      // The typed line may be echoed twice (by the guest's tty before the shell reads it, then by the shell).
      const out = await t.waitFor(/\n(\d+\.\d+\.\d+\S*)\r*\n/, { timeoutMs: 120_000 });
      const release = /\n(\d+\.\d+\.\d+\S*)\r*\n/.exec(out)![1]!;
      expect(release).not.toBe(os.release());
      t.type("echo shell=$$\n");
      firstVmShell = /\nshell=(\d+)\r*\n/.exec(await t.waitFor(/\nshell=(\d+)\r*\n/, { timeoutMs: 120_000 }))![1]!;
      let from = t.output().length;
      t.type("stty size\n");
      await t.waitFor(/\n30 100\r*\n/, { from, timeoutMs: 120_000 });
      t.resize(40, 120);
      await new Promise((r) => setTimeout(r, 1000));
      from = t.output().length;
      t.type("stty size\n");
      await t.waitFor(/\n40 120\r*\n/, { from, timeoutMs: 120_000 });
      // The console (ttyS0) never carries the shell.
      expect(fs.readFileSync(path.join(stateDir, "instances", vm, "console.log"), "utf8")).not.toContain("stty size");
      // One serial line: a second session is refused while this one is open.
      const second = terminal(vm);
      expect((await second.closed).ended).toMatch(/one terminal serial line/);
      t.ws.close();
      await t.closed;
    },
    VM_TEST_MS,
  );

  it(
    "a new session gets a fresh shell after the last one closed (the old one was hung up)",
    async () => {
      // The server frees the VM's one slot once the old shell is hung up, a moment after the socket closed.
      let t = terminal(vm);
      for (let i = 0; !(await t.opened.then(() => true).catch(() => false)); i++) {
        expect(t.notices.at(-1)).toMatchObject({ type: "ended", message: expect.stringMatching(/one terminal serial line/) });
        if (i > 20) throw new Error("the VM's terminal slot was not freed");
        await new Promise((r) => setTimeout(r, 250));
        t = terminal(vm);
      }
      t.type(`echo shell=$$; kill -0 ${firstVmShell} 2>/dev/null && echo old=alive || echo old=gone\n`);
      const out = await t.waitFor(/\nold=(alive|gone)\r*\n/, { timeoutMs: 120_000 });
      expect(/\nshell=(\d+)\r*\n/.exec(out)![1]).not.toBe(firstVmShell);
      expect(/\nold=(alive|gone)\r*\n/.exec(out)![1]).toBe("gone");
      t.ws.close();
      await t.closed;
    },
    VM_TEST_MS,
  );

  it(
    "a VM restored from its template snapshot has its terminal too",
    async () => {
      const r = await server.request("POST", "/api/instances", { kind: "vm", name: "term-warm", memoryMiB: 128, warm: true });
      expect(r.status).toBe(201);
      const id = (JSON.parse(r.body) as { id: string }).id;
      const t = terminal(id);
      await t.opened;
      t.type("hostname\n");
      await t.waitFor(/hostname\r*\nterm-warm\r*\n/, { timeoutMs: 120_000 });
      t.ws.close();
      await t.closed;
      await server.request("POST", `/api/instances/${id}/stop`);
    },
    VM_TEST_MS,
  );

  it(
    "ends the session with a message when the VM stops",
    async () => {
      const t = terminal(vm);
      await t.opened;
      expect((await server.request("POST", `/api/instances/${vm}/stop`)).status).toBe(200);
      expect((await t.closed).ended).toMatch(/instance is (stopping|stopped)/);
    },
    VM_TEST_MS,
  );
});

describe("who may open one", () => {
  it("a bare process has none, and the refusal says why", async () => {
    const id = await start("process", "term-proc");
    const t = terminal(id);
    expect((await t.closed).ended).toMatch(/root shell on the host/);
    await server.request("POST", `/api/instances/${id}/stop`);
  });

  it("a WebSocket from another origin is refused by the gate before any session", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/terminal/${container}`, { headers: server.authHeaders(), origin: "http://evil.example" });
    const status = await new Promise<number>((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => resolve(101));
      ws.on("error", () => {});
    });
    expect(status).toBe(403);
  });

  it("an unknown instance is named in the refusal", async () => {
    const t = terminal("no-such-instance");
    expect((await t.closed).ended).toMatch(/no-such-instance/);
  });
});
