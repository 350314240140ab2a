import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cgroupModeFromMountinfo } from "@/lib/host/cgroup-placement";
import { config } from "@/server/config";
import { hostCgroupVersion, listIsolabCgroups } from "@/server/container/cgroup";
import { resolveAccel } from "@/server/vm/accel";
import { runDoctor } from "./index";

// The doctor's checks on this very host, against what can be known for sure
// here: runc starts a container, the cgroup mode, and the accelerator the
// probe decides (the same cached decision the VM engine would use).

let stateDir: string;
let result: Awaited<ReturnType<typeof runDoctor>>;
const tmpBefore = new Set(fs.readdirSync(os.tmpdir()));

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-doctor-int-"));
  result = await runDoctor({ ...config, stateDir, dbPath: path.join(stateDir, "isolab.db"), imageStoreDir: path.join(stateDir, "image-store") });
}, 120_000);

afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

describe("npm run doctor on this host", () => {
  it("sees runc start a container here (the essentials of the configured runtime)", () => {
    expect(result.facts.runtimes.runc).toEqual({ ok: true });
    expect(result.checks.find((c) => c.id === "runtime:runc")?.status).toBe("ok");
  });

  it("reads the cgroup mode /proc/self/mountinfo shows (and /proc/mounts agrees)", () => {
    const mode = cgroupModeFromMountinfo(fs.readFileSync("/proc/self/mountinfo", "utf8"));
    expect(result.facts.cgroup.mode).toBe(mode);
    expect(result.facts.cgroup.mode).toBe(hostCgroupVersion());
    if (mode !== "v2") expect(result.facts.cgroup.parent).toBe("/isolab");
  });

  it("reports the accelerator the probe decides", async () => {
    const decision = await resolveAccel("auto", {
      qemuBinary: config.qemuBinary,
      kernelPath: config.kernelPath,
      initramfsPath: path.join(config.imagesDir, "probe", "initramfs.cpio"),
      stateDir,
    });
    expect(result.facts.accel.decision).toMatchObject({ accel: decision.accel, reason: decision.reason });
  });

  it("leaves no container, cgroup or temporary directory behind", () => {
    expect(listIsolabCgroups().filter((c) => c.startsWith("doctor-"))).toEqual([]);
    const left = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("isolab-doctor-") && !tmpBefore.has(f) && path.join(os.tmpdir(), f) !== stateDir);
    expect(left).toEqual([]);
  });

  it("has a verdict consistent with its checks", () => {
    expect(result.ok).toBe(result.checks.every((c) => !c.essential || c.status !== "fail"));
  });
});
