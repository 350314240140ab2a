// Keystroke echo round trip, on loopback: a key typed into a shell until its
// echo comes back, through Isolab's terminal WebSocket (scripts/serve.mjs →
// the terminal service → the shell) against the same shell reached without
// Isolab: `runc exec -t` on a node-pty of the bench's own for a container,
// and the guest's terminal serial port (ttyS2's QEMU socket, its shell
// started by the agent, read by the VM engine's channel) for a VM. Keystrokes alternate between the two
// paths so both see the same host load. Targets (issue #15): container
// ≤ 20 ms, VM (TCG) ≤ 100 ms, medians.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import * as pty from "node-pty";
import { createEngines } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import { config } from "../../server/config";
import { getImage } from "../../server/images/store";
import { startRealServer } from "../../server/http/test-server";
import { openTestTerminal } from "../../server/terminal/test-client";
import type { PairedTimings } from "./report";

interface Shell {
  write(text: string): void;
  onData(listener: (text: string) => void): void;
}

/** Types one key, resolves with ms until the shell echoed it; then erases it (untimed). */
async function echoMs(shell: Shell, key: string, timeoutMs = 10_000): Promise<number> {
  const seen = (want: (s: string) => boolean) =>
    new Promise<void>((resolve, reject) => {
      let buf = "";
      const timer = setTimeout(() => reject(new Error(`no echo within ${timeoutMs} ms (got ${JSON.stringify(buf)})`)), timeoutMs);
      current = (d) => {
        buf += d;
        if (want(buf)) {
          clearTimeout(timer);
          current = () => {};
          resolve();
        }
      };
    });
  let current: (d: string) => void = () => {};
  shell.onData((d) => current(d));
  const echoed = seen((b) => b.includes(key));
  const t0 = performance.now();
  shell.write(key);
  await echoed;
  const ms = performance.now() - t0;
  const erased = seen((b) => b.includes("\b"));
  shell.write("\x7f");
  await erased;
  return ms;
}

/** One listener slot per shell: each measurement replaces it. */
function shellOf(write: (t: string) => void, subscribe: (l: (t: string) => void) => void): Shell {
  let listener: (t: string) => void = () => {};
  subscribe((t) => listener(t));
  return { write, onData: (l) => void (listener = l) };
}

async function settle(shell: Shell, ms: number) {
  shell.onData(() => {});
  await new Promise((r) => setTimeout(r, ms));
}

async function alternate(isolab: Shell, raw: Shell, keystrokes: number): Promise<{ isolabMs: number[]; rawMs: number[] }> {
  const isolabMs: number[] = [];
  const rawMs: number[] = [];
  const named = <T>(which: string, p: Promise<T>) => p.catch((err: Error) => Promise.reject(new Error(`${which}: ${err.message}`)));
  for (let i = 0; i < keystrokes; i++) {
    isolabMs.push(await named("through Isolab", echoMs(isolab, "x")));
    rawMs.push(await named("raw", echoMs(raw, "x")));
  }
  return { isolabMs, rawMs };
}

export interface EchoTimings extends PairedTimings {
  rawLabel: string;
  /** The goal for Isolab's median, ms (an absolute budget, not a ratio). */
  targetMs: number;
}

/** The budgets for the median echo through Isolab. */
export const ECHO_TARGET_MS = { container: 20, vm: 100 } as const;

export async function benchTerminalEcho(opts: { keystrokes: number }): Promise<{ container: EchoTimings; vm: EchoTimings }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-term-"));
  const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-rawvm-"));
  const server = await startRealServer(stateDir);
  const cleanups: (() => unknown)[] = [];
  try {
    const start = async (kind: "container" | "vm") => {
      const r = await server.request("POST", "/api/instances", { kind, name: `echo-${kind}`, memoryMiB: 128 });
      if (r.status !== 201) throw new Error(`start ${kind}: ${r.status} ${r.body}`);
      return (JSON.parse(r.body) as { id: string }).id;
    };
    const [ctId, vmId] = await Promise.all([start("container"), start("vm")]);

    // Through Isolab.
    const open = async (id: string) => {
      const t = openTestTerminal(server.port, id, { headers: server.authHeaders() });
      cleanups.push(() => t.ws.close());
      await t.opened;
      const shell = shellOf(
        (text) => t.type(text),
        (l) => t.ws.on("message", (d: Buffer, bin: boolean) => bin && l(d.toString("utf8"))),
      );
      return shell;
    };
    const isolabCt = await open(ctId);
    const isolabVm = await open(vmId);

    // The container without Isolab: runc exec -t on the bench's own pty.
    const child = pty.spawn(config.ociRuntime, ["--root", path.join(stateDir, "runc"), "exec", "-t", ctId, "/bin/sh"], {
      name: "xterm-256color",
      rows: 24,
      cols: 80,
      env: { PATH: process.env.PATH ?? "" },
    });
    cleanups.push(() => child.kill("SIGKILL"));
    const rawCt = shellOf(
      (text) => child.write(text),
      (l) => void child.onData(l),
    );

    // A VM without Isolab in the path: the same image booted by the VM
    // engine; its shell started over the agent, its bytes straight on the
    // terminal port's socket.
    const vmEngine = createEngines(testAppConfig(rawDir)).vm;
    const handle = await vmEngine.start({
      id: "rawterm",
      name: "rawterm",
      image: await getImage("probe"),
      memoryMiB: 128,
      cpus: 1,
      dir: path.join(rawDir, "vm"),
    });
    cleanups.push(() => handle.stop());
    // The engine's own channel: the QEMU socket of ttyS2 and the agent, no WebSocket, no session service.
    const channel = await handle.capabilities.terminal!.open({ rows: 24, cols: 80 });
    cleanups.push(() => channel.close());
    const rawVm = shellOf(
      (text) => channel.write(Buffer.from(text)),
      (l) => channel.onData((d) => l(d.toString("utf8"))),
    );

    // Let every shell print its banner and prompt before timing.
    await Promise.all([settle(isolabCt, 1500), settle(rawCt, 1500), settle(isolabVm, 4000), settle(rawVm, 4000)]);
    const ct = await alternate(isolabCt, rawCt, opts.keystrokes);
    const vm = await alternate(isolabVm, rawVm, Math.max(10, Math.round(opts.keystrokes / 2)));
    return {
      container: { label: "keystroke echo, container", ...ct, rawLabel: "runc exec -t", targetMs: ECHO_TARGET_MS.container },
      vm: { label: `keystroke echo, VM (${config.accel === "kvm" ? "KVM" : "TCG"})`, ...vm, rawLabel: "ttyS2 socket", targetMs: ECHO_TARGET_MS.vm },
    };
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
    await server.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(rawDir, { recursive: true, force: true });
  }
}
