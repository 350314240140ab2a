// Headless experiments, the same runner the web server uses:
//   npm run experiment -- startup --runs 10 [--kinds process,container,vm,vm-warm] [--no-warmup] [--memory-seconds 60] [--json]
//   npm run experiment -- overhead [--reps 3] [--workloads cpu,stream,syscall,io] [--idle-seconds 5] [--json]
//   npm run experiment -- isolation [--limit-mib 64] [--vm-mib 128] [--unlimited-mib 1024] [--hogs …] [--neighbours …] [--json]
//   npm run experiment -- density --max 20 [--max-vm N] [--budget-mib N] [--schedule each|geometric] [--kinds container,vm,vm-template] [--json]
//     Hundreds of containers: ISOLAB_MAX_INSTANCES=400 npm run experiment -- density --kinds container --max 300
//     (Isolab's own cap, ISOLAB_MAX_INSTANCES, stops the run first otherwise; ISOLAB_MAX_MEMORY_MIB caps the granted memory).
//   npm run experiment -- ksm [--vms 4] [--duration-s 60] [--sample-ms 1000] [--pages-to-scan 1000] [--sleep-ms 20] [--json]
// Common: --memory-mib N, --cpus N, --kinds a,b. Progress goes to stderr; stdout
// gets a readable table or, with --json, exactly the record GET /api/experiments/:id answers.
// Ctrl-C cancels the run and removes every instance it started.
import { parseArgs } from "node:util";
import { FINISHED_STATUSES } from "../lib/experiments/types";
import { recordText } from "../lib/experiments/text";
import { ExperimentPlanSchema } from "../lib/schemas/experiment";
import { createStandaloneRunner } from "../server/experiments/standalone";

const USAGE = `usage: npm run experiment -- <startup|overhead|isolation|density|hostile|ksm> [options]
  startup   --runs N (1-50, default 5) [--no-warmup] [--kinds process,container,vm,vm-warm (all four)]
            [--memory-seconds N (0-120, default 0): then watch a cold and a restored VM's host memory]
  overhead  --reps N (1-20, default 3) [--workloads cpu,stream,syscall,io] [--idle-seconds N]
  isolation [--limit-mib N (64)] [--vm-mib N (128)] [--unlimited-mib N (1024, capped and kept off the host's reserve)]
            [--hogs container-limited,vm,container-unlimited] [--neighbours process,container,vm]
            [--calm-seconds N (3)] [--latency-interval-ms N (20)]
  density   --max N (1-500, default 10, per kind) [--max-vm N (1-64)] [--budget-mib N] [--kinds container,vm,vm-template]
            [--schedule each|geometric (each up to 20, geometric above: measure at 1, 2, 5, 10, 20, 50, 100 …)]
            [--settle-ms N (1000)] [--cpu-window-ms N (1000)]
            --budget-mib also checks a prediction: at half the budget it predicts the count, then fills the budget.
            Beyond Isolab's cap (default max(8, min(64, 16 × cores)) instances, half the host's memory granted)
            set ISOLAB_MAX_INSTANCES=400 (and ISOLAB_MAX_MEMORY_MIB, or --memory-mib 32) in the environment.
  hostile   (no options of its own)
  ksm       [--vms N (2-8, default 4)] [--duration-s N (5-600, default 60)] [--sample-ms N (250-10000, default 1000)]
            [--pages-to-scan N (10-100000, default 1000)] [--sleep-ms N (10-10000, default 20)]
            turns the host's KSM on at that rate for the run and puts its own settings back after.
  common    [--kinds process,container,vm] [--memory-mib N] [--cpus N] [--json]`;

const FLAG_OF: Record<string, string> = {
  runs: "--runs",
  reps: "--reps",
  kinds: "--kinds",
  workloads: "--workloads",
  memoryMiB: "--memory-mib",
  cpus: "--cpus",
  idleSeconds: "--idle-seconds",
  type: "<type>",
  limitMiB: "--limit-mib",
  vmMiB: "--vm-mib",
  unlimitedMiB: "--unlimited-mib",
  hogs: "--hogs",
  neighbours: "--neighbours",
  calmSeconds: "--calm-seconds",
  latencyIntervalMs: "--latency-interval-ms",
  memorySeconds: "--memory-seconds",
  max: "--max",
  maxVm: "--max-vm",
  budgetMiB: "--budget-mib",
  schedule: "--schedule",
  settleMs: "--settle-ms",
  cpuWindowMs: "--cpu-window-ms",
  vms: "--vms",
  durationSeconds: "--duration-s",
  sampleMs: "--sample-ms",
  pagesToScan: "--pages-to-scan",
  sleepMs: "--sleep-ms",
};

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(code);
}

function parsePlan(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        runs: { type: "string" },
        reps: { type: "string" },
        kinds: { type: "string" },
        workloads: { type: "string" },
        "memory-mib": { type: "string" },
        cpus: { type: "string" },
        "idle-seconds": { type: "string" },
        "no-warmup": { type: "boolean" },
        "memory-seconds": { type: "string" },
        "limit-mib": { type: "string" },
        "vm-mib": { type: "string" },
        "unlimited-mib": { type: "string" },
        hogs: { type: "string" },
        neighbours: { type: "string" },
        "calm-seconds": { type: "string" },
        "latency-interval-ms": { type: "string" },
        max: { type: "string" },
        "max-vm": { type: "string" },
        "budget-mib": { type: "string" },
        schedule: { type: "string" },
        "settle-ms": { type: "string" },
        "cpu-window-ms": { type: "string" },
        vms: { type: "string" },
        "duration-s": { type: "string" },
        "sample-ms": { type: "string" },
        "pages-to-scan": { type: "string" },
        "sleep-ms": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (positionals.length !== 1) fail("name one experiment type: startup, overhead, isolation, density, hostile or ksm");
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const list = (s: string | undefined) =>
    s === undefined
      ? undefined
      : s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
  const raw: Record<string, unknown> = {
    type: positionals[0],
    runs: num(v.runs),
    reps: num(v.reps),
    kinds: list(v.kinds),
    workloads: list(v.workloads),
    memoryMiB: num(v["memory-mib"]),
    cpus: num(v.cpus),
    idleSeconds: num(v["idle-seconds"]),
    warmup: v["no-warmup"] ? false : undefined,
    memorySeconds: num(v["memory-seconds"]),
    limitMiB: num(v["limit-mib"]),
    vmMiB: num(v["vm-mib"]),
    unlimitedMiB: num(v["unlimited-mib"]),
    hogs: list(v.hogs),
    neighbours: list(v.neighbours),
    calmSeconds: num(v["calm-seconds"]),
    latencyIntervalMs: num(v["latency-interval-ms"]),
    max: num(v.max),
    maxVm: num(v["max-vm"]),
    budgetMiB: num(v["budget-mib"]),
    schedule: v.schedule,
    settleMs: num(v["settle-ms"]),
    cpuWindowMs: num(v["cpu-window-ms"]),
    vms: num(v.vms),
    durationSeconds: num(v["duration-s"]),
    sampleMs: num(v["sample-ms"]),
    pagesToScan: num(v["pages-to-scan"]),
    sleepMs: num(v["sleep-ms"]),
  };
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const plan = ExperimentPlanSchema.safeParse(raw);
  if (!plan.success) {
    fail(plan.error.issues.map((i) => `${FLAG_OF[String(i.path[0])] ?? (String(i.path[0] ?? "") || "options")}: ${i.message}`).join("\n"));
  }
  return { plan: plan.data, json: v.json === true };
}

async function main() {
  const { plan, json } = parsePlan(process.argv.slice(2));
  const standalone = await createStandaloneRunner().catch((err: Error) => fail(err.message, 1));
  const { runner } = standalone;
  const { id } = runner.submit(plan);
  process.stderr.write(`[isolab] ${plan.type} experiment ${id} started (Ctrl-C cancels and cleans up)\n`);

  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++interrupts > 1) {
      process.stderr.write(`[isolab] ${signal} again: exiting without waiting for cleanup\n`);
      process.exit(130);
    }
    process.stderr.write(`[isolab] ${signal}: cancelling ${id} and removing its instances…\n`);
    void runner.cancel(id, `cancelled from the command line (${signal})`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let last = "";
  const timer = setInterval(() => {
    const item = runner.item(id);
    const line = item.progress ? `[${item.progress.done}/${item.progress.total}] ${item.progress.message}` : item.status;
    if (line !== last && !FINISHED_STATUSES.includes(item.status)) process.stderr.write(`${line}\n`);
    last = line;
  }, 250);
  const record = await runner.waitFor(id);
  clearInterval(timer);
  await standalone.close();
  process.stdout.write(json ? `${JSON.stringify(record, null, 2)}\n` : `${recordText(record)}\n`);
  process.exit(record.status === "done" ? 0 : record.status === "cancelled" ? 130 : 1);
}

void main().catch((err: Error) => {
  process.stderr.write(`[isolab] ${err.stack ?? err.message}\n`);
  process.exit(1);
});
