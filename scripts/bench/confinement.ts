// What each confinement measure costs a container start: raw `runc run` of
// the same probe bundle four ways — unconfined, seccomp filter only, user
// namespace only, both (Isolab's default) — alternated so all see the same
// host load, as ratios to the unconfined run. Plus the one-off costs a
// confined start pays once: shifting the probe rootfs into the id range
// (the `rootfs-shift` phase of an image's first start) and translating the
// seccomp profile (cached after the first start).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "../../lib/core/stats";
import { toOciSeccomp, goArchOf } from "../../lib/container/seccomp";
import type { ConfineOptions } from "../../server/container/confinement";
import { hostIdRanges } from "../../server/container/id-range";
import { rawRuncRunMs, writeRawBundle } from "../../server/container/raw-run";
import { SECCOMP_PROFILE_PATH } from "../../server/container/seccomp-profile";
import { shiftedRootfs } from "../../server/container/shifted-rootfs";
import { CONTAINER_CAPABILITIES } from "../../server/container/spec";
import { probeImage } from "../../server/container/test-support";

const VARIANTS: { name: string; confine: ConfineOptions }[] = [
  { name: "unconfined", confine: { seccomp: false, userns: false } },
  { name: "seccomp only", confine: { seccomp: true, userns: false } },
  { name: "userns only", confine: { seccomp: false, userns: true } },
  { name: "both (default)", confine: { seccomp: true, userns: true } },
];
const WARMUP_RUNS = 2;

export interface ConfinementCost {
  variants: { name: string; ms: number[] }[];
  shiftMs: number;
  translateMs: number;
}

export async function benchConfinement(opts: { runs: number }): Promise<ConfinementCost> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-bench-confine-"));
  const image = probeImage();
  try {
    const t0 = performance.now();
    await shiftedRootfs(stateDir, image.rootfsDir, hostIdRanges());
    const shiftMs = performance.now() - t0;
    const profile = JSON.parse(fs.readFileSync(SECCOMP_PROFILE_PATH, "utf8")) as unknown;
    const t1 = performance.now();
    toOciSeccomp(profile, { goArch: goArchOf(process.arch), caps: CONTAINER_CAPABILITIES, kernelRelease: os.release() });
    const translateMs = performance.now() - t1;

    const bundles = await Promise.all(VARIANTS.map((v, i) => writeRawBundle(stateDir, image, `bench-confine-${i}`, { confine: v.confine })));
    const ms: number[][] = VARIANTS.map(() => []);
    for (let r = 0; r < opts.runs + WARMUP_RUNS; r++) {
      for (let i = 0; i < VARIANTS.length; i++) {
        // Rotate the order each round so no variant always follows the same one.
        const k = (i + r) % VARIANTS.length;
        const t = await rawRuncRunMs(stateDir, bundles[k], `bench-confine-${k}`);
        if (r >= WARMUP_RUNS) ms[k].push(t);
      }
    }
    return { variants: VARIANTS.map((v, i) => ({ name: v.name, ms: ms[i] })), shiftMs, translateMs };
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

export function formatConfinementCost(c: ConfinementCost): string[] {
  const base = median(c.variants[0].ms);
  const lines = c.variants.map(
    (v) =>
      `  runc run, ${v.name.padEnd(16)} ${median(v.ms).toFixed(1).padStart(7)} ms  ratio ${(median(v.ms) / base).toFixed(2)}× unconfined  n=${v.ms.length}`,
  );
  return [
    "confinement cost (raw runc run of the probe bundle, → READY)",
    ...lines,
    `  once per image build: rootfs shifted into the id range in ${c.shiftMs.toFixed(0)} ms (probe rootfs); seccomp profile translated in ${c.translateMs.toFixed(1)} ms (cached)`,
  ];
}
