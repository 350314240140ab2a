// Container start: Isolab's engine (until READY, as the supervisor sees it)
// against a raw `runc run` of the same bundle (until READY on its stdout),
// alternated so both see the same host load.
//
// Launch decision (run `benchContainerLaunchModes`, or this file directly,
// to re-measure): the engine uses `runc run -d` by default because
// `runc create` + `runc start` measured 1.30×/1.35× raw here, against a
// 1.15× target, while run -d measured 0.94×/1.12×. Details in the comment
// on ContainerEngineOptions.launch in server/container/engine.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "../../lib/core/stats";
import { createEngines } from "../../server/app/create-app";
import { testAppConfig } from "../../server/app/test-support";
import type { ContainerEngineOptions } from "../../server/container/engine";
import { rawRuncRunMs, writeRawBundle } from "../../server/container/raw-run";
import { probeImage } from "../../server/container/test-support";
import type { StartRequest } from "../../server/engine/contract";
import type { BenchTimings } from "./report";

const WARMUP_RUNS = 2;

export type ContainerStartTimings = BenchTimings;

export async function benchContainerStart(opts: { runs: number; launch?: ContainerEngineOptions["launch"] }): Promise<ContainerStartTimings> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-"));
  const engine = createEngines(testAppConfig(stateDir, { container: { launch: opts.launch } })).container;
  const image = probeImage();
  const request = (id: string): StartRequest => ({
    id,
    name: id,
    image,
    memoryMiB: 128,
    cpus: 1,
    dir: path.join(stateDir, "instances", id),
  });
  // The raw run gets a bundle written by the same builder from the same request.
  const rawId = "bench-raw";
  const rawBundle = await writeRawBundle(stateDir, image, rawId);

  const isolabMs: number[] = [];
  const rawMs: number[] = [];
  try {
    for (let i = 0; i < opts.runs + WARMUP_RUNS; i++) {
      const req = request(`bench-iso-${i}`);
      const t0 = performance.now();
      const handle = await engine.start(req);
      const iso = performance.now() - t0;
      await handle.stop({ timeoutMs: 2000 });
      fs.rmSync(req.dir, { recursive: true, force: true });

      const raw = await rawRuncRunMs(stateDir, rawBundle, rawId);
      if (i >= WARMUP_RUNS) {
        isolabMs.push(iso);
        rawMs.push(raw);
      }
    }
  } finally {
    await engine.reconcile(stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  const label = opts.launch === "create-start" ? "container start (create+start)" : "container start";
  return { label, isolabMs, rawMs, rawLabel: "runc run", target: 1.15 };
}

/** Both launch modes against raw runc, for the create+start vs run -d decision. */
export async function benchContainerLaunchModes(opts: { runs: number }) {
  return [await benchContainerStart({ ...opts, launch: "create-start" }), await benchContainerStart({ ...opts, launch: "run-detached" })];
}

// `node --conditions=react-server --import tsx scripts/bench/container-start.ts [runs]`
if (require.main === module) {
  const runs = Number(process.argv[2] ?? 30);
  void benchContainerLaunchModes({ runs }).then((rows) => {
    for (const t of rows) {
      const iso = median(t.isolabMs);
      const raw = median(t.rawMs);
      console.log(`${t.label}: isolab ${iso.toFixed(1)} ms, ${t.rawLabel} ${raw.toFixed(1)} ms, ratio ${(iso / raw).toFixed(3)} (n=${runs})`);
    }
  });
}
