// npm run bench: Isolab vs the raw tool on the same input, side by side.
// Options: --runs N (start benchmarks, default 20), --only NAME[,NAME] with
// names container, confinement, e2e, vm, vm-warm, vm-template, runner, sampler, sse.
import os from "node:os";
import { benchConfinement, formatConfinementCost } from "./bench/confinement";
import { benchContainerStart } from "./bench/container-start";
import { benchEndToEnd, formatEndToEndRow } from "./bench/end-to-end";
import { formatPairedRow } from "./bench/report";
import { benchRunnerOverhead } from "./bench/runner-overhead";
import { benchSamplerCost, benchSseLatency } from "./bench/sampler";
import { benchVmStart } from "./bench/vm-start";
import { benchVmWarm } from "./bench/vm-warm";
import { benchVmTemplate } from "./bench/vm-template";
import { median } from "../lib/core/stats";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(option("runs") ?? 20);
const only = option("only")?.split(",");
const wanted = (name: string) => !only || only.includes(name);

async function main() {
  console.log(
    `Isolab benchmarks on ${os.hostname()}: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, kernel ${os.release()}`,
  );
  console.log("Medians over alternating runs; ratio = Isolab / raw tool on the same input (lower is better).\n");
  if (wanted("container")) {
    const t = await benchContainerStart({ runs });
    console.log(formatPairedRow({ ...t, label: "container start → READY" }));
    console.log("  both sides confined: user namespace + seccomp filter (the raw run uses the engine's own bundle)");
  }
  if (wanted("confinement")) for (const line of formatConfinementCost(await benchConfinement({ runs }))) console.log(line);
  if (wanted("vm")) {
    const t = await benchVmStart({ runs: Math.max(3, Math.round(runs / 2)) });
    console.log(formatPairedRow({ ...t, label: "VM start → READY (TCG)" }));
    console.log(
      `  Isolab VM phases (median): ${Object.entries(t.isolabPhasesMs)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(", ")}`,
    );
  }
  if (wanted("vm-warm")) {
    const t = await benchVmWarm({ runs: Math.max(5, Math.round(runs / 2)) });
    console.log(formatPairedRow(t));
    console.log(
      `  Isolab restore phases (median): ${Object.entries(t.isolabPhasesMs)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(", ")}; snapshot ${(t.snapshot.sizeBytes / 2 ** 20).toFixed(1)} MiB saved in ${t.snapshot.saveMs.toFixed(0)} ms`,
    );
  }
  if (wanted("vm-template")) {
    const t = await benchVmTemplate({ runs: Math.max(5, Math.round(runs / 2)) });
    console.log(formatPairedRow(t.template));
    console.log(formatPairedRow(t.pooled));
    const c = median(t.containerMs);
    const vs = (xs: number[], target: number) => {
      const r = median(xs) / c;
      return `${r.toFixed(2)}× ${r <= target ? "✓" : "✗"} target ≤ ${target}×`;
    };
    console.log(
      `  same run: container start ${c.toFixed(1)} ms (Isolab engine); template/container ${vs(t.template.isolabMs, 2)}; pooled/container ${vs(t.pooled.isolabMs, 1)}`,
    );
    console.log(
      `  template clone phases (median): ${Object.entries(t.templatePhasesMs)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(", ")}; template state ${(t.stateBytes / 1024).toFixed(0)} KiB (RAM left in its /dev/shm file)`,
    );
  }
  if (wanted("e2e")) console.log(formatEndToEndRow(await benchEndToEnd({ runs })));
  if (wanted("runner")) {
    const t = await benchRunnerOverhead({ runs });
    console.log(formatPairedRow({ ...t, label: "startup experiment, container run" }));
  }
  if (wanted("sampler")) {
    const s = await benchSamplerCost();
    console.log(
      `${"sampler cost".padEnd(34)}  ${s.containers} containers + ${s.vms} VMs at 1 Hz for ${s.seconds.toFixed(0)} s: ` +
        `${s.samplerCpuPercent.toFixed(2)} % of one core (own accounting), process delta ${s.processDeltaCpuPercent.toFixed(2)} %, ` +
        `guest-read children ${s.guestReadChildCpuPercent.toFixed(2)} %  ${s.pass ? "✓" : "✗"} target ≤ ${s.target} %`,
    );
  }
  if (wanted("sse")) {
    const l = await benchSseLatency();
    console.log(
      `${"state change → SSE client".padEnd(34)}  median ${l.medianMs.toFixed(1)} ms, p95 ${l.p95Ms.toFixed(1)} ms over ${l.runs} runs  (target ≤ 1500 ms)`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
