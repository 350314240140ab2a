import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "@/server/config";
import { TEST_ACCEL } from "@/server/app/test-support";
import { NESTED_TEST_FILES, runNestedV2Host, type NestedRun } from "./nested-v2-host";

// The nested cgroup v2 host (ARCHITECTURE.md, "The nested cgroup v2 host"):
// this machine is cgroup v1 hybrid, so a guest with its own kernel plays a
// unified, systemd-style host. It runs the container engine's own
// integration test files there under runc and under crun, and the doctor.
// Run only this: npx vitest run server/container/nested-v2.int.test.ts

const RUNTIMES = ["runc", "crun"] as const;
/** How many tests of each file must have run and passed (all but the hybrid-only one). */
const MIN_PASSED: Record<(typeof NESTED_TEST_FILES)[number], number> = {
  "server/container/engine.int.test.ts": 12,
  "server/container/cgroup-v2.int.test.ts": 3,
};
let workDir: string;
let run: NestedRun;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-v2host-"));
  run = await runNestedV2Host({
    dataDir: config.dataDir,
    kernelPath: config.kernelPath,
    qemuBinary: config.qemuBinary,
    accel: TEST_ACCEL,
    workDir,
    // A safety stop, not a measure: on a quiet 2-core host the guest is done in minutes.
    timeoutMs: 18 * 60_000,
  });
  const summary = run.sections.map((s) => {
    const tests = s.results.reduce((sum, r) => sum + (r.ms ?? 0), 0);
    return `${s.runtime} ${s.file}: ${s.results.filter((r) => r.ok).length} passed, ${s.results.filter((r) => r.ok === false).length} failed (tests ${(tests / 1000).toFixed(1)} s)`;
  });
  console.log(`[v2host] guest ${run.host?.kernel} ran in ${(run.wallMs / 1000).toFixed(1)} s (${run.qemuExit})\n  ${summary.join("\n  ")}`);
}, 19 * 60_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe("the nested cgroup v2 host", () => {
  it("boots a unified cgroup hierarchy with memory, cpu, pids and io, and runs to its end", () => {
    expect(run.ended, `the guest did not finish (${run.qemuExit}); console:\n${run.consoleTail}`).toBe(true);
    expect(run.fatal).toEqual([]);
    expect(run.host?.controllers.split(" ")).toEqual(expect.arrayContaining(["memory", "cpu", "pids", "io"]));
  });

  for (const runtime of RUNTIMES) {
    for (const file of NESTED_TEST_FILES) {
      it(`${file} passes there with ${runtime}`, () => {
        const section = run.sections.find((s) => s.runtime === runtime && s.file === file);
        expect(section, `no report of ${file} under ${runtime}; console:\n${run.consoleTail}`).toBeDefined();
        const failed = section!.results.filter((r) => r.ok === false).map((r) => `${r.name}: ${r.error}`);
        expect(failed).toEqual([]);
        expect(section!.done).toBe(true);
        expect(section!.exitCode).toBe(0);
        // Every test ran (the v2-only ones included); only the hybrid-host case may be skipped.
        const skipped = section!.results.filter((r) => r.skipped).map((r) => r.name);
        expect(skipped.every((n) => n.includes("hybrid"))).toBe(true);
        expect(section!.results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(MIN_PASSED[file]);
      });
    }
  }

  it("npm run doctor there says cgroup v2 unified, delegated, with runc and crun both working", () => {
    const json = run.doctor?.json as {
      facts: {
        cgroup: { mode: string; delegated: boolean; parent: string; subtreeControllers: string[] };
        runtimes: Record<string, { ok: boolean; error?: string }>;
      };
      checks: { id: string; status: string }[];
    };
    expect(json?.facts, `no doctor report; console:\n${run.consoleTail}`).toBeDefined();
    expect(json.facts.cgroup.mode).toBe("v2");
    expect(json.facts.cgroup.delegated).toBe(true);
    expect(json.facts.cgroup.parent).toBe("/system.slice/isolab.service/isolab");
    expect(json.facts.cgroup.subtreeControllers).toEqual(expect.arrayContaining(["memory", "cpu", "pids", "io"]));
    expect(json.facts.runtimes).toEqual({ runc: { ok: true }, crun: { ok: true } });
    const status = Object.fromEntries(json.checks.map((c) => [c.id, c.status]));
    expect(status["runtime:runc"]).toBe("ok");
    expect(status["runtime:crun"]).toBe("ok");
  });

  it("reports crun's start next to runc's on the same guest (medians, never asserted)", () => {
    const byRuntime = Object.fromEntries(run.metrics.map((m) => [m.runtime as string, m]));
    expect(Object.keys(byRuntime).sort()).toEqual(["crun", "runc"]);
    const line = (r: string) =>
      `${r} median start ${Number(byRuntime[r].medianStartMs).toFixed(1)} ms (runtime-run ${Number(byRuntime[r].medianRuntimeRunMs).toFixed(1)} ms)`;
    console.log(`[v2host] ${TEST_ACCEL} guest, ${byRuntime.runc.starts} starts each: ${line("runc")}; ${line("crun")}`);
  });
});
