import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { buildQemuArgs, type QemuAccel } from "@/lib/vm/qemu-args";
import { accept, describeExit, killGroup, listen, spawnQemu } from "@/server/vm/launch";

// The nested cgroup v2 test host (ARCHITECTURE.md, "The nested cgroup v2
// host"): a TCG guest on the Debian kernel that boots a unified cgroup
// hierarchy laid out as systemd does, with runc and crun from this host's
// packages and Node. The container engine's integration test files are
// bundled (esbuild, `vitest` → guest/v2host/vitest-stand-in.ts) and run in
// there unchanged, once per runtime; so is `npm run doctor -- --json`. This
// module builds what changes with the checkout (a second cpio appended to the
// base scripts/setup-v2host.sh cached), boots the guest and reads back what
// it reported on its second serial port.

const ROOT = path.resolve(__dirname, "../..");

/** The test files run inside, in this order, each under runc and then crun. */
export const NESTED_TEST_FILES = ["server/container/engine.int.test.ts", "server/container/cgroup-v2.int.test.ts"] as const;

export interface NestedResult {
  name: string;
  ok?: boolean;
  skipped?: boolean;
  ms?: number;
  error?: string;
}

export interface NestedSection {
  runtime: string;
  file: string;
  results: NestedResult[];
  /** The file's runner finished (it prints `done` after its last afterAll). */
  done: boolean;
  exitCode: number | null;
}

export interface NestedRun {
  host: { kernel: string; controllers: string } | null;
  sections: NestedSection[];
  metrics: Record<string, unknown>[];
  doctor: { json: unknown; exitCode: number } | null;
  ended: boolean;
  /** What the guest's /init could not do (NESTED-FATAL lines). */
  fatal: string[];
  qemuExit: string;
  wallMs: number;
  consoleTail: string;
}

export interface NestedOptions {
  dataDir: string;
  kernelPath: string;
  qemuBinary: string;
  accel: QemuAccel;
  /** Scratch space for the bundles, the initramfs and the sockets; the caller removes it. */
  workDir: string;
  timeoutMs: number;
  memoryMiB?: number;
  cpus?: number;
}

export function baseInitramfs(dataDir: string): string {
  return path.join(dataDir, "v2host", "base.cpio");
}

/** One CommonJS script with every test file (the guest has no node_modules; one Node start per runtime), and one for the doctor. */
export async function bundleSuite(outDir: string): Promise<void> {
  const standIn = path.join(ROOT, "guest/v2host/vitest-stand-in.ts");
  const common = {
    bundle: true,
    platform: "node" as const,
    target: "node20",
    format: "cjs" as const,
    absWorkingDir: ROOT,
    alias: {
      vitest: standIn,
      "server-only": path.join(ROOT, "scripts/stubs/server-only.ts"),
      // Native, and never opened by the engine or the doctor (guest/v2host/no-sqlite.ts).
      "better-sqlite3": path.join(ROOT, "guest/v2host/no-sqlite.ts"),
      // Native too, and used by neither (guest/v2host/no-native.ts).
      "@node-rs/argon2": path.join(ROOT, "guest/v2host/no-native.ts"),
      "node-pty": path.join(ROOT, "guest/v2host/no-native.ts"),
    },
    logLevel: "error" as const,
  };
  // require() in order: each file's top level registers its tests under the file begun before it.
  const entry = [
    `const standIn = require(${JSON.stringify(standIn)});`,
    ...NESTED_TEST_FILES.flatMap((f) => [`standIn.beginFile(${JSON.stringify(f)});`, `require(${JSON.stringify(`./${f}`)});`]),
    `standIn.runRegisteredTests().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`,
  ].join("\n");
  await build({
    ...common,
    stdin: { contents: entry, resolveDir: ROOT, loader: "js", sourcefile: "nested-suite.js" },
    outfile: path.join(outDir, "suite.cjs"),
  });
  await build({ ...common, entryPoints: [path.join(ROOT, "scripts/doctor.ts")], outfile: path.join(outDir, "doctor.cjs") });
}

/** Every path under dir, relative, parents first (cpio's input). */
function walk(dir: string, rel = "."): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(rel, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...walk(dir, p));
  }
  return out;
}

function packCpio(dir: string, outFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(outFile, "w");
    const child = spawn("cpio", ["-o", "-H", "newc", "-R", "0:0", "--quiet"], { cwd: dir, stdio: ["pipe", out, "pipe"] });
    fs.closeSync(out);
    let err = "";
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`cpio exited with ${code}: ${err.trim()}`))));
    child.stdin!.end(walk(dir).join("\n") + "\n");
  });
}

/** The checkout's part of the guest: /init, the systemctl stand-in, the bundles, the shim and the probe image. */
async function buildOverlay(opts: NestedOptions, overlayDir: string): Promise<void> {
  const put = (rel: string) => {
    const p = path.join(overlayDir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    return p;
  };
  fs.copyFileSync(path.join(ROOT, "guest/v2host/init"), put("init"));
  fs.copyFileSync(path.join(ROOT, "guest/v2host/systemctl"), put("usr/bin/systemctl"));
  fs.chmodSync(path.join(overlayDir, "init"), 0o755);
  fs.chmodSync(path.join(overlayDir, "usr/bin/systemctl"), 0o755);
  const shim = path.join(opts.dataDir, "bin", "isolab-shim");
  fs.copyFileSync(shim, put("isolab/data/bin/isolab-shim"));
  fs.chmodSync(path.join(overlayDir, "isolab/data/bin/isolab-shim"), 0o755);
  // The built probe image, as the engine and the doctor find it under ISOLAB_DATA_DIR.
  fs.cpSync(path.join(opts.dataDir, "images", "probe"), put("isolab/data/images/probe"), { recursive: true, verbatimSymlinks: true });
  const suite = path.join(overlayDir, "isolab/suite");
  fs.mkdirSync(suite, { recursive: true });
  await bundleSuite(suite);
}

/** Reads the guest's report (guest/v2host/init's `NESTED-*` lines) into sections. */
export function parseReport(text: string): Omit<NestedRun, "qemuExit" | "wallMs" | "consoleTail"> {
  const run: Omit<NestedRun, "qemuExit" | "wallMs" | "consoleTail"> = { host: null, sections: [], metrics: [], doctor: null, ended: false, fatal: [] };
  let runtime: string | null = null;
  let doctorLines: string[] | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (doctorLines && !line.startsWith("NESTED-DOCTOR-END")) {
      doctorLines.push(line);
      continue;
    }
    const m = /^(NESTED-[A-Z-]+)\s?(.*)$/.exec(line);
    if (!m) continue;
    const [, tag, rest] = m;
    if (tag === "NESTED-HOST") run.host = JSON.parse(rest);
    else if (tag === "NESTED-RUN") {
      runtime = (JSON.parse(rest) as { runtime: string }).runtime;
      for (const file of NESTED_TEST_FILES) run.sections.push({ runtime, file, results: [], done: false, exitCode: null });
    } else if (tag === "NESTED-RESULT" && runtime) {
      const r = JSON.parse(rest) as NestedResult & { file: string; done?: boolean };
      const section = run.sections.find((s) => s.runtime === runtime && s.file === r.file);
      if (!section) continue;
      if (r.done) section.done = true;
      else section.results.push(r);
    } else if (tag === "NESTED-EXIT" && runtime) {
      for (const s of run.sections) if (s.runtime === runtime) s.exitCode = Number(rest);
    } else if (tag === "NESTED-METRIC") run.metrics.push(JSON.parse(rest));
    else if (tag === "NESTED-DOCTOR-BEGIN") doctorLines = [];
    else if (tag === "NESTED-DOCTOR-END" && doctorLines) {
      let json: unknown = null;
      try {
        json = JSON.parse(doctorLines.join("\n"));
      } catch {
        json = { unparsed: doctorLines.join("\n") };
      }
      run.doctor = { json, exitCode: Number(rest) };
      doctorLines = null;
    } else if (tag === "NESTED-END") run.ended = true;
    else if (tag === "NESTED-FATAL") run.fatal.push(rest);
  }
  return run;
}

/** Boots the nested host, lets its /init run everything, and returns what it reported. QEMU is gone when this returns. */
export async function runNestedV2Host(opts: NestedOptions): Promise<NestedRun> {
  const base = baseInitramfs(opts.dataDir);
  if (!fs.existsSync(base)) throw new Error(`no base initramfs at ${base}: run \`npm run setup\` (scripts/setup-v2host.sh)`);
  const overlayDir = path.join(opts.workDir, "overlay");
  await buildOverlay(opts, overlayDir);
  const overlay = path.join(opts.workDir, "overlay.cpio");
  await packCpio(overlayDir, overlay);
  // The kernel unpacks concatenated newc archives in order; later entries win.
  const initrd = path.join(opts.workDir, "initrd.cpio");
  fs.copyFileSync(base, initrd);
  fs.appendFileSync(initrd, fs.readFileSync(overlay));

  const sock = (n: string) => path.join(opts.workDir, n);
  const [agentServer, qmpServer] = await Promise.all([listen(sock("report.sock")), listen(sock("qmp.sock"))]);
  const consoleLog = sock("console.log");
  const args = buildQemuArgs({
    name: "isolab-v2host",
    memoryMiB: opts.memoryMiB ?? 1536,
    cpus: opts.cpus ?? 2,
    accel: opts.accel,
    kernel: opts.kernelPath,
    initrd,
    consoleLog,
    qmpSocket: sock("qmp.sock"),
    agentSocket: sock("report.sock"),
    pidfile: sock("qemu.pid"),
    // The HPET, not the TSC: a TSC calibrated while a loaded host starved the
    // vCPU made one guest's clock run ≈30× fast (every test timed out at once).
    extraKernelArgs: ["clocksource=hpet"],
  });
  let report = "";
  void accept(agentServer).then((s) => s.setEncoding("utf8").on("data", (c: string) => (report += c)));
  void accept(qmpServer); // QEMU connects its monitor; nothing is asked of it.
  const t0 = performance.now();
  const { child, exit } = spawnQemu(opts.qemuBinary, args, sock("qemu.log"));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), opts.timeoutMs)));
  const first = await Promise.race([exit, timedOut]);
  clearTimeout(timer);
  const ended = first === "timeout" ? await killGroup(child, exit) : first;
  const wallMs = performance.now() - t0;
  agentServer.close();
  qmpServer.close();
  // The last bytes of the report socket arrive with QEMU's exit at the latest.
  await new Promise((r) => setImmediate(r));
  const consoleText = fs.existsSync(consoleLog) ? fs.readFileSync(consoleLog, "utf8") : "";
  const qemuLog = fs.existsSync(sock("qemu.log")) ? fs.readFileSync(sock("qemu.log"), "utf8").trim() : "";
  return {
    ...parseReport(report),
    qemuExit: first === "timeout" ? `killed after ${opts.timeoutMs} ms (${describeExit(ended)})` : describeExit(ended) + (qemuLog ? `: ${qemuLog}` : ""),
    wallMs,
    consoleTail: consoleText.split("\n").slice(-40).join("\n"),
  };
}
