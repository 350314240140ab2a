// The experiment runner's own overhead: a startup experiment's per-run
// container time (what Isolab reports and stores) against a raw `runc run`
// loop on a bundle written by the same builder, run by run alternated so both
// see the same host load. Target ≤ 1.15× on medians.
//   node --conditions=react-server --import tsx scripts/bench/runner-overhead.ts [runs]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ExperimentPlanSchema } from "../../lib/schemas/experiment";
import { median } from "../../lib/core/stats";
import { createApp } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import { probeImage } from "../../server/container/test-support";
import { rawRuncRunMs, realImage, writeRawBundle } from "../../server/container/raw-run";
import type { BenchTimings } from "./report";

// One experiment of one run, then one raw run: pairs see the same moment of host load.
const BATCH = 1;

export type RunnerOverheadTimings = BenchTimings;

export async function benchRunnerOverhead(opts: { runs: number }): Promise<RunnerOverheadTimings> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-xp-"));
  const image = realImage(probeImage());
  // A state directory and database of its own: bench runs do not belong in the user's history.
  const app = createApp(testAppConfig(stateDir, { maxInstances: 4, maxMemoryMiB: 1024 }));
  await app.ready;
  const { runner, supervisor } = app;
  const bundle = await writeRawBundle(stateDir, image, "bench-raw");
  const isolabMs: number[] = [];
  const rawMs: number[] = [];
  try {
    for (let batch = 0; isolabMs.length < opts.runs; batch++) {
      const runs = Math.min(BATCH, opts.runs - isolabMs.length);
      const plan = ExperimentPlanSchema.parse({ type: "startup", runs, kinds: ["container"], warmup: batch === 0 });
      const rec = await runner.waitFor(runner.submit(plan).id);
      if (rec.status !== "done") throw new Error(`startup experiment ${rec.id} ${rec.status}: ${rec.error}`);
      isolabMs.push(...rec.samples.filter((s) => !s.warmup && !s.error).map((s) => s.values.total_ms));
      if (batch === 0) await rawRuncRunMs(stateDir, bundle, "bench-raw"); // the raw side's warm-up
      for (let i = 0; i < runs; i++) rawMs.push(await rawRuncRunMs(stateDir, bundle, "bench-raw"));
    }
  } finally {
    await runner.shutdown();
    await Promise.allSettled(supervisor.list().map((i) => supervisor.remove(i.id)));
    await app.shutdown();
    await supervisor.reconcile();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return { label: "startup experiment, container per run", isolabMs, rawMs, rawLabel: "runc run", target: 1.15 };
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 20);
  void benchRunnerOverhead({ runs }).then((t) => {
    const iso = median(t.isolabMs);
    const raw = median(t.rawMs);
    console.log(
      `${t.label}: experiment ${iso.toFixed(1)} ms, ${t.rawLabel} ${raw.toFixed(1)} ms, ratio ${(iso / raw).toFixed(3)} (target ≤ ${t.target}, n=${t.isolabMs.length})`,
    );
  });
}
