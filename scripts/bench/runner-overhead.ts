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
import { createContainerEngine } from "../../server/container/engine";
import { probeImage } from "../../server/container/test-support";
import { systemClock } from "../../server/experiments/clock";
import { captureEnvironment } from "../../server/experiments/environment";
import { readHostUsage } from "../../server/experiments/host-usage";
import { rawRuncRunMs, realImage, writeRawBundle } from "../../server/container/raw-run";
import { ExperimentRunner } from "../../server/experiments/runner";
import type { Engine } from "../../server/engine/contract";
import { Supervisor } from "../../server/instances/supervisor";
import { openDatabase } from "../../server/store/db";
import { ExperimentStore } from "../../server/store/experiments";
import type { BenchTimings } from "./report";

// One experiment of one run, then one raw run: pairs see the same moment of host load.
const BATCH = 1;

export type RunnerOverheadTimings = BenchTimings;

const unused = (kind: "process" | "vm"): Engine => ({
  kind,
  check: async () => {},
  start: async () => {
    throw new Error(`${kind} is not part of this bench`);
  },
  reconcile: async () => [],
});

export async function benchRunnerOverhead(opts: { runs: number }): Promise<RunnerOverheadTimings> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-xp-"));
  const image = realImage(probeImage());
  const limits = { maxInstances: 4, maxMemoryMiB: 1024 };
  const supervisor = new Supervisor({
    engines: { process: unused("process"), container: createContainerEngine({ stateDir }), vm: unused("vm") },
    getImage: async () => image,
    stateDir,
    limits,
  });
  // A database of its own: bench runs do not belong in the user's history.
  const store = new ExperimentStore(openDatabase(path.join(stateDir, "bench.db")));
  const runner = new ExperimentRunner({
    store,
    supervisor: async () => supervisor,
    clock: systemClock,
    captureEnvironment: () => captureEnvironment(limits),
    readHostUsage,
    owner: "bench",
    ownerAlive: () => true,
  });
  const bundle = writeRawBundle(stateDir, image, "bench-raw");
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
    await supervisor.reconcile();
    store.db.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return { label: "startup experiment, container per run", isolabMs, rawMs, rawLabel: "runc run", target: 1.15 };
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 20);
  void benchRunnerOverhead({ runs }).then((t) => {
    const iso = median(t.isolabMs);
    const raw = median(t.rawMs);
    console.log(`${t.label}: experiment ${iso.toFixed(1)} ms, ${t.rawLabel} ${raw.toFixed(1)} ms, ratio ${(iso / raw).toFixed(3)} (target ≤ ${t.target}, n=${t.isolabMs.length})`);
  });
}
