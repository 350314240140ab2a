import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { launchQemu, LaunchError, type LaunchOptions } from "./launch";

// launchQemu against a fake QEMU: a node script that connects to Isolab's two
// sockets like `-chardev socket,path=…` does, greets on QMP, answers
// qmp_capabilities and prints READY (or misbehaves, per its mode).

const FAKE_QEMU = `
const net = require("node:net");
const [qmpPath, agentPath, mode] = process.argv.slice(2);
if (mode === "die") { console.error("qemu: could not load kernel"); process.exit(1); }
const qmp = net.connect(qmpPath, () => qmp.write(JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: "" }, capabilities: [] } }) + "\\r\\n"));
qmp.on("data", (d) => { for (const l of d.toString().split("\\n").filter(Boolean)) { const c = JSON.parse(l); qmp.write(JSON.stringify({ return: {}, id: c.id }) + "\\r\\n"); if (c.execute === "quit") process.exit(0); } });
const agent = net.connect(agentPath, () => {
  if (mode === "ready") setTimeout(() => agent.write("noise\\nREADY uptime=0.50 init_uptime=0.40\\n"), 20);
  if (mode === "crash") setTimeout(() => process.exit(3), 20);
});
setInterval(() => {}, 1000);
`;

let dir: string;
let opts: (mode: string, patch?: Partial<LaunchOptions>) => LaunchOptions;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-launch-"));
  const script = path.join(dir, "fake-qemu.cjs");
  fs.writeFileSync(script, FAKE_QEMU);
  opts = (mode, patch = {}) => {
    const p = { qmpSocket: path.join(dir, "qmp.sock"), agentSocket: path.join(dir, "agent.sock"), qemuLog: path.join(dir, "qemu.err") };
    return { ...p, qemuBinary: process.execPath, args: [script, p.qmpSocket, p.agentSocket, mode], readyTimeoutMs: 5000, ...patch };
  };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const gone = (pid: number) => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");

describe("launchQemu", () => {
  it("resolves at READY with the greeting and READY times, then removes the sockets", async () => {
    const vm = await launchQemu(opts("ready"));
    expect(vm.ready).toMatchObject({ uptimeSeconds: 0.5, initUptimeSeconds: 0.4 });
    expect(vm.greetingAt).toBeGreaterThanOrEqual(vm.spawnAt);
    expect(vm.ready.at).toBeGreaterThanOrEqual(vm.greetingAt);
    expect(fs.existsSync(path.join(dir, "qmp.sock"))).toBe(false);
    await vm.qmp.execute("quit");
    await expect(vm.exit).resolves.toMatchObject({ code: 0 });
  });

  it("names QEMU's exit when it dies before READY, and keeps its stderr", async () => {
    const err = await launchQemu(opts("die")).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toBe("QEMU exited with code 1 before the guest was ready");
    expect(fs.readFileSync(path.join(dir, "qemu.err"), "utf8")).toMatch(/could not load kernel/);
  });

  it("names the exit, not the closed channel, when QEMU crashes after connecting", async () => {
    await expect(launchQemu(opts("crash"))).rejects.toThrow("QEMU exited with code 3 before the guest was ready");
  });

  it("times out a guest that never says READY and kills QEMU", async () => {
    const err = await launchQemu(opts("silent", { readyTimeoutMs: 300 })).catch((e) => e);
    expect(err.message).toBe("the guest did not reach READY within 300 ms");
    const pids = fs
      .readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(dir);
        } catch {
          return false;
        }
      });
    expect(pids.filter((p) => !gone(Number(p)))).toEqual([]);
    expect(fs.existsSync(path.join(dir, "agent.sock"))).toBe(false);
  });

  it("stops on abort", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(launchQemu(opts("silent", { signal: ac.signal }))).rejects.toThrow("the start was aborted");
  });

  it("reports a binary that cannot be spawned", async () => {
    await expect(launchQemu(opts("ready", { qemuBinary: path.join(dir, "no-qemu") }))).rejects.toThrow(/QEMU could not be started: .*ENOENT/);
  });

  it("refuses a socket path longer than sun_path", async () => {
    const long = path.join(dir, "x".repeat(120) + ".sock");
    await expect(launchQemu(opts("ready", { qmpSocket: long }))).rejects.toThrow(/107-byte limit/);
  });
});
