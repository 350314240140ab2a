import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvRecords, samplesToCsv } from "@/lib/experiments/csv";
import { ksmText } from "@/lib/experiments/ksm/text";
import type { KsmResult } from "@/lib/experiments/ksm/types";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { createApp, type App, type AppConfig } from "@/server/app/create-app";
import { TEST_ACCEL, testAppConfig } from "@/server/app/test-support";
import { config } from "@/server/config";
import { processOwner } from "./owner";
import { qemusIn } from "@/server/vm/test-helpers";

// The KSM experiment on this host's real /sys/kernel/mm/ksm with real cold
// TCG VMs: pages merge while it runs, and the host's KSM settings afterwards
// are the ones it had before. And the same experiment pointed at a sysfs
// directory without KSM: refused by name, nothing started, nothing left.

const KSM_DIR = "/sys/kernel/mm/ksm";
const TUNABLES = ["run", "pages_to_scan", "sleep_millisecs", "advisor_mode"];

/** The host's KSM tunables as the files say, read by the test itself. */
function hostSettings(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of TUNABLES) if (fs.existsSync(path.join(KSM_DIR, f))) out[f] = fs.readFileSync(path.join(KSM_DIR, f), "utf8").trim();
  return out;
}

const apps: { app: App; dir: string }[] = [];

/** An app over a state directory of its own. */
async function appWith(over: (dir: string) => Partial<AppConfig> = () => ({})): Promise<App> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-ksm-"));
  const app = createApp(testAppConfig(dir, { maxInstances: 4, maxMemoryMiB: 2048, readyTimeoutMs: 60_000, ...over(dir) }));
  apps.push({ app, dir });
  await app.ready;
  return app;
}

beforeAll(() => {
  if (!fs.existsSync(path.join(config.dataDir, "kernel", "vmlinux"))) throw new Error("no guest kernel: run `npm run setup` first");
});

afterAll(async () => {
  for (const { app, dir } of apps) {
    await app.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe.skipIf(!fs.existsSync(path.join(KSM_DIR, "run")))("KSM over cold VMs", () => {
  it("merges pages while it runs and leaves the host's KSM settings as they were", async () => {
    const before = hostSettings();
    const app = await appWith();
    // 2 VMs of 128 MiB; a rate high enough that ksmd passes over them many times in the run under TCG.
    const plan = ExperimentPlanSchema.parse({ type: "ksm", vms: 2, memoryMiB: 128, durationSeconds: 12, sampleMs: 1000, pagesToScan: 5000, sleepMs: 20 });
    const { id } = app.runner.submit(plan);
    const rec = await app.runner.waitFor(id);
    const after = hostSettings();
    expect(rec.error).toBeNull();
    expect(rec.status).toBe("done");
    const r = rec.result as KsmResult;
    console.log(`[ksm]\n${ksmText(r).join("\n")}`);

    expect(after).toEqual(before);
    expect(r.host.restored).toBe(true);
    expect(fs.existsSync(app.config.ksmSavedPath)).toBe(false);
    // While it ran, KSM ran at the plan's rate.
    expect(r.host.during).toMatchObject({ run: 1, pagesToScan: 5000, sleepMs: 20 });
    // The VMs' accelerator reaches the run's environment, though the readings are the host's.
    expect(r.accel).toBe(TEST_ACCEL);
    expect(rec.environment?.accelerator?.accel).toBe(TEST_ACCEL);

    expect(r.series.length).toBeGreaterThan(0);
    expect(Math.max(...r.series.map((p) => p.pagesSharing))).toBeGreaterThan(0);
    expect(r.summary!.savedEndBytes).toBeGreaterThan(0);
    expect(r.summary!.firstMergeS).not.toBeNull();
    // Pages merged in the run's own QEMUs: their guest RAM is mergeable (QEMU's mem-merge is on).
    expect(r.series.at(-1)!.vmsMergingPages).toBeGreaterThan(0);

    // The export holds the series: one row per reading, saved_bytes among its columns.
    const rows = csvRecords(samplesToCsv(id, rec.samples)).filter((x) => x.sample === "ksm");
    expect(rows.length).toBe(r.series.length + 1);
    expect(Number(rows.at(-1)!.saved_bytes)).toBe(r.summary!.savedEndBytes);

    expect(app.supervisor.list().filter((i) => i.experimentId === id)).toEqual([]);
    expect(qemusIn(app.config.stateDir)).toEqual([]);
  }, 120_000);
});

describe.skipIf(!fs.existsSync(path.join(KSM_DIR, "run")))("KSM run cancelled while merging", () => {
  it("removes its VMs and still puts the host's settings back", async () => {
    const before = hostSettings();
    const app = await appWith();
    const { id } = app.runner.submit(ExperimentPlanSchema.parse({ type: "ksm", vms: 2, durationSeconds: 120, sampleMs: 500, pagesToScan: 5000 }));
    // Cancel once KSM is on: the first reading after run=1.
    for (;;) {
      const rec = app.runner.get(id);
      if (rec.samples.some((s) => s.sample === "ksm" && s.rep >= 1) || rec.finishedAt) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(hostSettings().run).toBe("1");
    await app.runner.cancel(id);
    const rec = app.runner.get(id);
    expect(rec.status).toBe("cancelled");
    expect(hostSettings()).toEqual(before);
    expect((rec.result as KsmResult).host.restored).toBe(true);
    expect(fs.existsSync(app.config.ksmSavedPath)).toBe(false);
    expect(app.supervisor.list()).toEqual([]);
    expect(qemusIn(app.config.stateDir)).toEqual([]);
  }, 90_000);
});

describe("KSM where the kernel has none", () => {
  it("refuses the run by name; nothing is started, changed or left", async () => {
    const before = hostSettings();
    // Configuration, not a stand-in: a directory where the kernel has no KSM, as on a kernel without CONFIG_KSM.
    const app = await appWith((dir) => ({ ksmSysfsDir: path.join(dir, "no-ksm-here") }));
    const missing = app.config.ksmSysfsDir;
    const savedPath = app.config.ksmSavedPath;
    const { id } = app.runner.submit(ExperimentPlanSchema.parse({ type: "ksm", vms: 2, durationSeconds: 5 }));
    const rec = await app.runner.waitFor(id);

    expect(rec.status).toBe("failed");
    expect(rec.error).toContain(`KSM is not available: ${missing}/run does not exist`);
    expect(rec.error).toContain("CONFIG_KSM");
    expect(rec.samples).toEqual([]);
    expect(app.supervisor.list()).toEqual([]);
    expect(fs.existsSync(savedPath)).toBe(false);
    expect(fs.existsSync(missing)).toBe(false);
    expect(hostSettings()).toEqual(before);
  });
});

/** What a run's saved file holds (server/experiments/ksm-lease.ts), for the host's settings now. */
function savedRecord(owner: string, bootId: string) {
  const num = (f: string) => Number(fs.readFileSync(path.join(KSM_DIR, f), "utf8"));
  const advisor = fs.existsSync(path.join(KSM_DIR, "advisor_mode")) ? /\[([^\]]+)\]/.exec(hostSettings().advisor_mode)![1] : undefined;
  return {
    version: 1,
    owner,
    bootId,
    dir: KSM_DIR,
    settings: { run: num("run"), pages_to_scan: num("pages_to_scan"), sleep_millisecs: num("sleep_millisecs"), ...(advisor ? { advisor_mode: advisor } : {}) },
    pagesSharedBefore: num("pages_shared"),
    savedAt: new Date().toISOString(),
  };
}

const bootId = () => fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
/** A pid above any pid_max: its owner is never alive. */
const DEAD_OWNER = "999999999:1";

/** Writes the host's tunables back as `before` had them, whatever a failed test left. */
function putBack(before: Record<string, string>) {
  fs.writeFileSync(path.join(KSM_DIR, "run"), before.run === "1" ? "1" : "2");
  if (before.run !== "1") fs.writeFileSync(path.join(KSM_DIR, "run"), before.run);
  fs.writeFileSync(path.join(KSM_DIR, "pages_to_scan"), before.pages_to_scan);
  fs.writeFileSync(path.join(KSM_DIR, "sleep_millisecs"), before.sleep_millisecs);
}

describe.skipIf(!fs.existsSync(path.join(KSM_DIR, "run")))("KSM settings a run left behind", () => {
  it("are restored when the next app starts, if the process that changed them died", async () => {
    const before = hostSettings();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "isolab-ksm-saved-")), "ksm-saved.json");
    try {
      fs.writeFileSync(file, JSON.stringify(savedRecord(DEAD_OWNER, bootId())));
      // As a run that was killed mid-way leaves the host: KSM on at its own rate.
      fs.writeFileSync(path.join(KSM_DIR, "pages_to_scan"), String(Number(before.pages_to_scan) + 7));
      fs.writeFileSync(path.join(KSM_DIR, "run"), "1");
      await appWith(() => ({ ksmSavedPath: file }));
      expect(hostSettings()).toEqual(before);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      putBack(before);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it("are left alone after a reboot (the boot's own settings apply), and the stale file goes", async () => {
    const before = hostSettings();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "isolab-ksm-saved-")), "ksm-saved.json");
    const changed = String(Number(before.pages_to_scan) + 3);
    try {
      fs.writeFileSync(file, JSON.stringify(savedRecord(DEAD_OWNER, "another-boot")));
      fs.writeFileSync(path.join(KSM_DIR, "pages_to_scan"), changed);
      await appWith(() => ({ ksmSavedPath: file }));
      expect(hostSettings().pages_to_scan).toBe(changed);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      putBack(before);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it("refuse a second run while the process holding them lives; nothing is started or changed", async () => {
    const before = hostSettings();
    const app = await appWith();
    const held = JSON.stringify(savedRecord(processOwner(), bootId()));
    fs.writeFileSync(app.config.ksmSavedPath, held);
    const { id } = app.runner.submit(ExperimentPlanSchema.parse({ type: "ksm", vms: 2, durationSeconds: 5 }));
    const rec = await app.runner.waitFor(id);
    expect(rec.status).toBe("failed");
    expect(rec.error).toMatch(/^Another KSM run \(process \d+, since .+\) has changed \/sys\/kernel\/mm\/ksm; wait for it to finish\.$/);
    expect(rec.samples).toEqual([]);
    expect(app.supervisor.list()).toEqual([]);
    expect(fs.readFileSync(app.config.ksmSavedPath, "utf8")).toBe(held);
    expect(hostSettings()).toEqual(before);
    fs.rmSync(app.config.ksmSavedPath);
  });
});
