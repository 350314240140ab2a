import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import { createApp, type App } from "@/server/app/create-app";
import { testAppConfig } from "@/server/app/test-support";
import { whatItSees } from "./metrics";

// "What it sees" gains what confines each instance: from its own /proc/self
// (the probe inside) and from the host's /proc for its carrier process.

let stateDir: string;
let app: App;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-sees-"));
  app = createApp(testAppConfig(stateDir, { maxInstances: 4, maxMemoryMiB: 1024, readyTimeoutMs: 30_000 }));
  await app.ready;
  const create = (key: string, input: Record<string, unknown>) =>
    app.supervisor.create(CreateInstanceSchema.parse({ name: `sees-${key}`, memoryMiB: 128, ...input })).then((i) => (ids[key] = i.id));
  await create("confined", { kind: "container" });
  await create("privileged", { kind: "container", privileged: true });
  await create("vm", { kind: "vm" });
}, 90_000);

afterAll(async () => {
  await app?.shutdown();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const row = (rows: { key: string; guest: string }[], key: string) => rows.find((r) => r.key === key)?.guest;

describe("what it sees: confinement", () => {
  it("a confined container: filtered, its root not host root, two capabilities, no_new_privs — inside and from the host", async () => {
    const v = await whatItSees(app, ids.confined);
    expect(row(v.rows, "seccomp")).toBe("2 — filter");
    expect(row(v.rows, "uidMap")).toMatch(/^0 700000000 65536 — root is host 700000000/);
    expect(row(v.rows, "capEff")).toBe("KILL, NET_BIND_SERVICE");
    expect(row(v.rows, "noNewPrivs")).toMatch(/^on/);
    expect(v.carrier?.what).toBe("the container's init");
    expect(v.carrier?.confinement).toMatchObject({ seccomp: 2, uid: 700000000, noNewPrivs: 1 });
  });

  it("a privileged container: none of that", async () => {
    const v = await whatItSees(app, ids.privileged);
    expect(row(v.rows, "seccomp")).toBe("0 — no filter");
    expect(row(v.rows, "uidMap")).toMatch(/root is host root/);
    expect(v.carrier?.confinement).toMatchObject({ seccomp: 0, uid: 0, noNewPrivs: 0, uidMap: "0 0 4294967295" });
  });

  it("a VM: its guest's own view inside, and QEMU's confinement from the host's /proc", async () => {
    const v = await whatItSees(app, ids.vm);
    expect(row(v.rows, "uidMap")).toMatch(/root is host root/); // the guest's own kernel, no namespace
    expect(v.carrier?.what).toBe("QEMU");
    const status = fs.readFileSync(`/proc/${v.carrier!.pid}/status`, "utf8");
    expect(v.carrier?.confinement.seccomp).toBe(Number(/^Seccomp:\s*(\d)/m.exec(status)?.[1]));
    expect(fs.readFileSync(`/proc/${v.carrier!.pid}/cmdline`, "utf8")).toMatch(/qemu-system/);
  });
});
