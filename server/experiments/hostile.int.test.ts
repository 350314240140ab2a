import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostileText } from "@/lib/experiments/hostile/text";
import type { HostileResult } from "@/lib/experiments/hostile/types";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { createApp, type App } from "@/server/app/create-app";
import { testAppConfig } from "@/server/app/test-support";

// The hostile-image experiment against a real confined container, a real
// privileged one and a real TCG VM: what each lets a hostile image do.

let stateDir: string;
let app: App;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-hostile-"));
  app = createApp(testAppConfig(stateDir, { maxInstances: 4, maxMemoryMiB: 2048, readyTimeoutMs: 60_000 }));
  await app.ready;
}, 60_000);

afterAll(async () => {
  await app?.shutdown();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe("hostile image", () => {
  it("a confined container refuses what a privileged one allows; the table is stored with its raw samples", async () => {
    const { id } = app.runner.submit(ExperimentPlanSchema.parse({ type: "hostile" }));
    const rec = await app.runner.waitFor(id);
    expect(rec.status).toBe("done");
    const r = rec.result as HostileResult;
    console.log(`[hostile]\n${hostileText(r).join("\n")}`);
    expect(r.failed).toEqual([]);
    const cell = (attempt: string, target: "container" | "container-privileged" | "vm") => r.rows.find((x) => x.attempt === attempt)?.cells[target];
    // Confined: no CAP_SYS_ADMIN for mount, /proc/sys read-only, no CAP_SYS_PTRACE and the host pid out of sight,
    // no CAP_SYS_MODULE (or no module support), and no_new_privs + nosuid /tmp against the setuid copy.
    for (const a of ["mount", "ptrace", "sysctl", "module", "setuid"]) expect(cell(a, "container")?.ok, a).toBe(false);
    // Privileged: root on the host — it mounts and rewrites a global sysctl.
    expect(cell("mount", "container-privileged")?.ok).toBe(true);
    expect(cell("sysctl", "container-privileged")?.ok).toBe(true);
    // The VM's attempts act on its own kernel, as its root: mount succeeds there.
    expect(cell("mount", "vm")?.ok).toBe(true);
    // The export holds the table: one raw sample per target, its values per attempt.
    expect(rec.samples.map((s) => [s.kind, s.values.privileged])).toEqual([
      ["container", 0],
      ["container", 1],
      ["vm", 0],
    ]);
    expect(rec.samples[0].values.mount_ok).toBe(0);
    expect(app.supervisor.list().filter((i) => i.experimentId === id)).toEqual([]);
  });
});
