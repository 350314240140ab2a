import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import type { Engine } from "../engine/contract";
import { createProcessEngine } from "../process/engine";
import { pidRuns } from "../host/process-tools";
import { createApp } from "@/server/app/create-app";
import { testAppConfig } from "@/server/app/test-support";
import { Supervisor } from "./supervisor";

// The supervisor with the real bare-process engine and the real probe; the
// container and VM engines have integration tests of their own. The class
// under test is built by hand (fake container and VM engines, a broken
// image); the app as the server builds it answers the missing QEMU.
const dataDir = path.resolve(process.env.ISOLAB_DATA_DIR ?? ".isolab");
const rootfsDir = path.join(dataDir, "images/probe/rootfs");
const probe = { name: "probe", rootfsDir, initramfsPath: "", probePath: path.join(rootfsDir, "bin/probe") };
const broken = { ...probe, name: "broken", probePath: "/bin/false" };

let stateDir: string;
let supervisor: Supervisor;
const unused = (kind: "container" | "vm"): Engine => ({
  kind,
  check: async () => {},
  start: async () => {
    throw new Error(`${kind} is not under test here`);
  },
  reconcile: async () => [],
});

beforeAll(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-sup-"));
  supervisor = new Supervisor({
    engines: { process: createProcessEngine(), container: unused("container"), vm: unused("vm") },
    getImage: async (name) => (name === "broken" ? broken : probe),
    stateDir,
    limits: { maxInstances: 3, maxMemoryMiB: 512 },
    readyTimeoutMs: 5000,
  });
});
afterAll(async () => {
  await supervisor.shutdown();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const req = (over: object) => CreateInstanceSchema.parse({ kind: "process", ...over });

describe("Supervisor with bare processes", () => {
  it("starts, runs a probe command, stops idempotently and removes", async () => {
    const inst = await supervisor.create(req({ name: "p1" }));
    expect(inst.state).toBe("running");
    expect(inst.startup?.phases.map((p) => p.name)).toEqual(["cgroup", "spawn", "ready"]);
    expect(pidRuns(inst.pid!, "probe")).toBe(true);

    const info = await supervisor.exec(inst.id, { command: "info", args: [], timeoutMs: 5000 });
    expect(info.exitCode).toBe(0);
    expect((info.json as { kernelRelease: string }).kernelRelease).toBe(os.release());

    expect((await supervisor.stop(inst.id)).state).toBe("stopped");
    expect((await supervisor.stop(inst.id)).state).toBe("stopped");
    expect(pidRuns(inst.pid!, "probe")).toBe(false);
    await supervisor.remove(inst.id);
    expect(supervisor.list()).toHaveLength(0);
    expect(fs.existsSync(path.join(stateDir, "instances", inst.id))).toBe(false);
  });

  it("refuses a duplicate name with a conflict", async () => {
    const a = await supervisor.create(req({ name: "dup" }));
    await expect(supervisor.create(req({ name: "dup" }))).rejects.toMatchObject({ status: 409 });
    await supervisor.remove(a.id);
  });

  it("refuses past the memory cap, naming it", async () => {
    await expect(supervisor.create(req({ memoryMiB: 1024 }))).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/Memory cap reached/),
    });
  });

  it("marks a start that never becomes ready as failed and leaves nothing running", async () => {
    await expect(supervisor.create(req({ name: "bad", image: "broken" }))).rejects.toMatchObject({ status: 500 });
    const failed = supervisor.list().find((i) => i.name === "bad")!;
    expect(failed.state).toBe("failed");
    expect(failed.reason).toMatch(/exited with code 1/);
    await supervisor.remove(failed.id);
  });

  it("records an instance that dies on its own as exited with the reason", async () => {
    const inst = await supervisor.create(req({ name: "victim" }));
    process.kill(inst.pid!, "SIGKILL");
    await expect.poll(() => supervisor.get(inst.id).state, { timeout: 5000 }).toBe("exited");
    expect(supervisor.get(inst.id).reason).toMatch(/SIGKILL/);
    await supervisor.remove(inst.id);
  });

  it("reconcile kills a probe left by an earlier run and removes its directory", async () => {
    const inst = await supervisor.create(req({ name: "orphan" }));
    // A second supervisor over the same state dir plays the restarted server.
    const restarted = new Supervisor({
      engines: { process: createProcessEngine(), container: unused("container"), vm: unused("vm") },
      getImage: async () => probe,
      stateDir,
      limits: { maxInstances: 3, maxMemoryMiB: 512 },
    });
    const removed = await restarted.reconcile();
    expect(removed.join(" ")).toContain(`pid ${inst.pid}`);
    await expect.poll(() => pidRuns(inst.pid!, "probe")).toBe(false);
    expect(fs.existsSync(path.join(stateDir, "instances", inst.id))).toBe(false);
    await supervisor.remove(inst.id);
  });

  it("answers a missing QEMU with 503 naming the part and the set-up command, registering nothing", async () => {
    const app = createApp(testAppConfig(stateDir, { qemuBinary: "/nonexistent/qemu-system-x86_64", maxInstances: 3, maxMemoryMiB: 512 }));
    try {
      await app.ready;
      const noQemu = app.supervisor;
      const err = await noQemu.create(req({ kind: "vm", name: "no-qemu" })).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 503, details: { fix: "npm run setup" } });
      expect((err as Error).message).toMatch(/qemu/i);
      expect(noQemu.list()).toHaveLength(0);
      expect(fs.readdirSync(path.join(stateDir, "instances")).filter((d) => d.startsWith("vm-"))).toHaveLength(0);
    } finally {
      await app.shutdown();
    }
  });
});
