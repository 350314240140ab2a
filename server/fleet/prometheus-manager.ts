import "server-only";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { prometheusConfigYaml } from "@/lib/fleet/prometheus-config";
import type { PrometheusStatus } from "@/lib/schemas/fleet";
import { MissingDependencyError } from "@/server/errors";
import { freePort } from "@/server/host/free-port";
import { alive, createManagedDaemon, daemonPaths } from "@/server/host/managed-daemon";
import { runCommand } from "@/server/host/run-command";
import { PrometheusConfigError, PrometheusUnavailableError } from "./errors";
import type { FleetTarget } from "./hosts";
import { activeTargets, pingPrometheus, reloadState } from "./prometheus-api";

// The Prometheus the fleet page queries: Debian's `prometheus`, started on
// request on 127.0.0.1 at a free port, config and data under
// <state>/prometheus/, or an existing one pointed at by URL. Like the
// registry (server/registry/manager.ts): one per app, stopped with it, a
// pid file so that one an earlier run left is ended first. Every config is
// checked by `promtool check config` before Prometheus sees it; a change of
// hosts rewrites it, reloads with SIGHUP and waits until Prometheus says it
// applied it. Prometheus then starts scraping a new host only at its next
// discovery update — it sends target changes at most every 5 s, a fixed
// throttle in its discovery manager (measured: a new job's target is active
// 0–5 s after the reload, and 5 s after a start) — so an added host is
// waited for until the targets API lists it. Starting, stopping and the pid
// file are server/host/managed-daemon.ts's.

export const PROMETHEUS_BINARY = "/usr/bin/prometheus";
export const PROMTOOL_BINARY = "/usr/bin/promtool";
const READY_TIMEOUT_MS = 20_000;
/** A reload of a config promtool accepted takes milliseconds; past this, Prometheus is stuck. */
const RELOAD_TIMEOUT_MS = 10_000;
/** Prometheus's discovery throttle (5 s) and room for a loaded machine. */
const TARGET_TIMEOUT_MS = 10_000;
const POLL_MS = 50;

export interface PrometheusManagerOptions {
  stateDir: string;
  targets: () => FleetTarget[];
  /** Seconds between scrapes; tests use 1. */
  scrapeIntervalS?: number;
  /** Recording rules and alerts to load (deploy/prometheus/rules.yml). */
  ruleFiles?: string[];
  binary?: string;
  promtool?: string;
}

export function createPrometheusManager(opts: PrometheusManagerOptions) {
  const binary = opts.binary ?? PROMETHEUS_BINARY;
  const promtool = opts.promtool ?? PROMTOOL_BINARY;
  const paths = daemonPaths(opts.stateDir, "prometheus", "prometheus.yml");
  const { dir, dataDir, configPath, logPath } = paths;
  // Reloads one at a time: each writes the same config file and compares Prometheus's state before and after.
  let reloads: Promise<void> = Promise.resolve();

  /** Writes the config for the current targets, refused unless promtool accepts it; the old one stays otherwise. */
  async function writeConfig(): Promise<void> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const text = prometheusConfigYaml({ targets: opts.targets(), scrapeIntervalS: opts.scrapeIntervalS ?? 5, ruleFiles: opts.ruleFiles });
    const tmp = `${configPath}.new`;
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    const check = await runCommand(promtool, ["check", "config", tmp], { timeoutMs: 15_000 }).catch((err: Error) => ({ exitCode: -1, output: err.message }));
    if (check.exitCode !== 0) {
      fs.rmSync(tmp, { force: true });
      throw new PrometheusConfigError(`promtool refused the Prometheus config Isolab wrote: ${check.output.trim().slice(-500)}`);
    }
    fs.renameSync(tmp, configPath);
  }

  const daemon = createManagedDaemon<string>({
    paths,
    requireInstalled() {
      for (const [bin, pkg] of [
        [binary, "prometheus"],
        [promtool, "prometheus"],
      ])
        if (!fs.existsSync(bin)) throw new MissingDependencyError(pkg, `${bin} is missing.`);
    },
    async prepare() {
      fs.mkdirSync(dataDir, { recursive: true });
      await writeConfig();
      const port = await freePort();
      // prettier-ignore
      const args = [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--storage.tsdb.retention.time=15d",
        "--log.level=warn",
      ];
      return { binary, args, port };
    },
    probe: (base) => pingPrometheus(base, 1000),
    readyTimeoutMs: READY_TIMEOUT_MS,
    probeEveryMs: 100,
    Unavailable: PrometheusUnavailableError,
    texts: {
      none: "no Prometheus: start Isolab's own or give the URL of one",
      leftover: (pid) => `prometheus pid ${pid}`,
      notUp: (base, exited, tail) => `Prometheus did not come up on ${base}${exited ? " (it exited)" : ""}: ${tail}`,
      exitedOnItsOwn: (pid) => `Prometheus (pid ${pid}) exited on its own; see ${logPath}`,
      externalDropped: "no longer using the external Prometheus",
    },
  });
  const logTail = daemon.logTail;

  function url(): string | null {
    return daemon.managed()?.url ?? daemon.external();
  }

  async function status(): Promise<PrometheusStatus> {
    const { mode, managed, note } = daemon.check();
    const base = url();
    const problem = base ? await pingPrometheus(base) : null;
    return {
      mode,
      url: base,
      reachable: base !== null && problem === null,
      pid: managed?.pid ?? null,
      configPath: managed ? configPath : null,
      dataDir: managed ? dataDir : null,
      startedAt: managed?.startedAt ?? null,
      note: problem ?? (base ? `answers at ${base}` : note),
    };
  }

  async function start(): Promise<PrometheusStatus> {
    await daemon.start();
    return status();
  }

  async function reloadNow(): Promise<void> {
    if (!daemon.managed()) return;
    await writeConfig();
    const managed = daemon.managed();
    if (!managed) return; // stopped while promtool checked the config
    const { pid } = managed;
    // One that exited on its own is reported by status(); the next start reads the new config.
    if (!alive(pid)) return;
    const base = url()!;
    const before = await reloadState(base, { timeoutMs: 2000 }).catch(() => null);
    process.kill(pid, "SIGHUP");
    if (!before) return; // not answering: status() says so, and the reload happens when it does
    const deadline = Date.now() + RELOAD_TIMEOUT_MS;
    while (Date.now() < deadline) {
      await sleep(POLL_MS);
      if (daemon.managed()?.pid !== pid || !alive(pid)) return; // stopped meanwhile; status() says so
      const now = await reloadState(base, { timeoutMs: 2000 }).catch(() => null);
      if (now && now.lastSuccessS > before.lastSuccessS) return;
      if (now && before.successful && !now.successful) throw new PrometheusConfigError(`Prometheus refused the config promtool accepted: ${logTail()}`);
    }
    throw new PrometheusUnavailableError(`Prometheus (pid ${pid}) did not apply the new config within ${RELOAD_TIMEOUT_MS / 1000} s: ${logTail()}`);
  }

  /** After the hosts changed: a managed Prometheus gets the new config (checked), and this returns once it has applied it. */
  function reload(): Promise<void> {
    const next = reloads.then(reloadNow);
    reloads = next.catch(() => {});
    return next;
  }

  /**
   * Whether the managed Prometheus lists `host` among its active targets, asked until it does or
   * TARGET_TIMEOUT_MS passed. false at once for a Prometheus elsewhere: its targets are not Isolab's to set.
   */
  async function waitForTarget(host: string): Promise<boolean> {
    const base = daemon.managed() ? url() : null;
    if (!base) return false;
    const deadline = Date.now() + TARGET_TIMEOUT_MS;
    for (;;) {
      if (url() !== base) return false; // stopped meanwhile
      const targets = await activeTargets(base, { timeoutMs: 2000 }).catch(() => []);
      if (targets.some((t) => t.labels.host === host)) return true;
      if (Date.now() > deadline) return false;
      await sleep(POLL_MS);
    }
  }

  /** Idempotent; the data directory is kept. */
  async function stop(): Promise<PrometheusStatus> {
    await daemon.stop();
    return status();
  }

  async function useUrl(base: string): Promise<PrometheusStatus> {
    await daemon.use(base);
    return status();
  }

  return { start, stop, status, reload, waitForTarget, useUrl, url, reconcile: daemon.reconcile, paths };
}

export type PrometheusManager = ReturnType<typeof createPrometheusManager>;
