import "server-only";
import fs from "node:fs";
import path from "node:path";
import { lookupUser, privateDir } from "@/server/host/qemu-user";
import type { IsolabConfig } from "@/server/config";
import { createAuditLog } from "@/server/audit/store";
import { instanceLimits } from "@/server/host/instance-limits";
import { createContainerEngine, type ContainerEngineOptions } from "@/server/container/engine";
import { bus } from "@/server/events";
import { systemClock as experimentClock } from "@/server/experiments/clock";
import { captureEnvironment } from "@/server/experiments/environment";
import { readHostUsage } from "@/server/experiments/host-usage";
import { createKsmGuard } from "@/server/experiments/ksm-lease";
import { ownerAlive, processOwner } from "@/server/experiments/owner";
import { ExperimentRunner } from "@/server/experiments/runner";
import { createAuthService } from "@/server/auth/service";
import { createGuestFacts } from "@/server/figures/guest-facts";
import { createScenario } from "@/server/figures/scenario";
import { builtProbe, imageResolver } from "@/server/images";
import { createOciStore, type OciStore } from "@/server/images/oci-store";
import { Supervisor } from "@/server/instances/supervisor";
import { processCpuUsage, systemClock, systemScheduler } from "@/server/metrics/clock";
import { procReaders } from "@/server/metrics/readers";
import { Sampler, type SamplerDeps } from "@/server/metrics/sampler";
import { createStartupHistograms } from "@/server/metrics/startup-histograms";
import { createProcessEngine } from "@/server/process/engine";
import { createRegistryManager } from "@/server/registry/manager";
import { createFleetHosts } from "@/server/fleet/hosts";
import { createPrometheusManager } from "@/server/fleet/prometheus-manager";
import { createFleetRuns } from "@/server/fleet/runs";
import { openDatabase } from "@/server/store/db";
import { ExperimentStore } from "@/server/store/experiments";
import { createVmEngine, type VmEngineOptions } from "@/server/vm/engine";
import { createTerminalService } from "@/server/terminal/service";
import type { Instance } from "@/lib/core/types";

// The one place Isolab's server-side objects are built and wired together.
// The web server (server/app/index.ts), the command-line runner
// (server/experiments/standalone.ts), the bench and the integration tests
// all call createApp, each with its own config (state directory, database).

/** deploy/prometheus/rules.yml in the checkout the server runs from. */
const FLEET_RULES_FILE = path.resolve("deploy/prometheus/rules.yml");

type SamplerTiming = Pick<SamplerDeps, "intervalMs" | "guestIntervalMs" | "guestReadsPerSecond" | "guestTimeoutMs">;

export interface AppConfig extends IsolabConfig {
  /** How long a start may take to become ready, ms (the supervisor's default when absent). */
  readyTimeoutMs?: number;
  /** Sampler periods; `false` builds it without starting it (the CLI: its execs would land in measurements). */
  sampler?: SamplerTiming | false;
  /** Extra VM engine options (tests: a firmware, kernel arguments, the pool's size). */
  vm?: Pick<VmEngineOptions, "bios" | "extraKernelArgs" | "poolSize" | "shmDir">;
  /** Extra container engine options (the bench: the launch mode it compares). */
  container?: Pick<ContainerEngineOptions, "launch">;
}

/** The three drivers over one config: the supervisor's, and the bench's when it measures one engine alone. */
export function createEngines(config: AppConfig) {
  return {
    process: createProcessEngine(),
    container: createContainerEngine({ stateDir: config.stateDir, runtime: config.ociRuntime, ...config.container }),
    // One VM engine: the supervisor starts VMs with it and the snapshot
    // service reads and saves snapshots through it (one store, one binding).
    vm: createVmEngine({
      stateDir: config.stateDir,
      kernelPath: config.kernelPath,
      qemuBinary: config.qemuBinary,
      accel: config.accel,
      poolSize: config.vmPoolSize,
      shmDir: config.shmDir,
      ...config.vm,
    }),
  };
}

/** The image store over `config.imageStoreDir`; remove() refuses an image one of `liveInstances` runs from. */
export function buildImageStore(config: Pick<IsolabConfig, "imageStoreDir">, liveInstances: () => Instance[] = () => []): OciStore {
  return createOciStore({ root: config.imageStoreDir, builtProbe, liveInstances });
}

export function createApp(config: AppConfig) {
  // The state directory holds images, snapshots (guest memory) and sockets:
  // root's alone; QEMU's group and confined containers' mapped root may only
  // pass through it (o+x, no listing), every directory below is closed
  // (server/host/qemu-user.ts).
  privateDir(config.stateDir, lookupUser(config.qemuUser), true);
  const events = bus();
  const limits = instanceLimits(config);
  const engines = createEngines(config);
  // The store asks the supervisor which instances are alive; the supervisor
  // resolves images through the store. Both exist before either is used.
  const images = buildImageStore(config, () => supervisor.list());
  const resolveImage = imageResolver(images);
  const supervisor = new Supervisor({ engines, getImage: resolveImage, stateDir: config.stateDir, limits, readyTimeoutMs: config.readyTimeoutMs });

  const sampler = new Sampler({
    source: supervisor,
    readers: procReaders,
    clock: systemClock,
    scheduler: systemScheduler,
    cpuUsage: processCpuUsage,
    emit: (tick) => events.emit("sample", tick),
    ...(config.sampler || {}),
  });

  const startups = createStartupHistograms(events, (id) => {
    try {
      return Boolean(supervisor.get(id));
    } catch {
      return false;
    }
  });

  const db = openDatabase(config.dbPath);
  const experiments = new ExperimentStore(db);
  // Who changed what: scripts/serve.mjs records each state-changing request here when its answer finishes.
  const audit = createAuditLog(db);
  // Accounts, sessions and tokens live in the same database; scripts/serve.mjs
  // asks app.auth who each request comes from.
  const auth = createAuthService({ db, stateDir: config.stateDir });
  // KSM is host-wide: a run changes its settings and keeps the host's own in a file until it puts them back.
  const ksm = createKsmGuard({ sysfsDir: config.ksmSysfsDir, file: config.ksmSavedPath });
  const runner = new ExperimentRunner({
    store: experiments,
    supervisor: async () => supervisor,
    clock: experimentClock,
    captureEnvironment: () => captureEnvironment(limits),
    readHostUsage,
    ksm,
    owner: processOwner(),
    ownerAlive,
    publish: (e) => events.emit("experiment", e),
  });
  const interrupted = runner.recoverInterrupted();
  if (interrupted.length) console.log(`[isolab] experiments interrupted by the last shutdown: ${interrupted.join(", ")}`);

  const registry = createRegistryManager({ stateDir: config.stateDir });
  const fleetHosts = createFleetHosts({ stateDir: config.stateDir, localUrl: config.localUrl });
  const fleet = {
    hosts: fleetHosts,
    runs: createFleetRuns({ db: experiments.db, hosts: fleetHosts }),
    prometheus: createPrometheusManager({
      stateDir: config.stateDir,
      targets: fleetHosts.targets,
      scrapeIntervalS: config.scrapeIntervalS,
      // The same recording rules and alerts as a cluster's Prometheus (deploy/prometheus/), when the checkout has them.
      ruleFiles: fs.existsSync(FLEET_RULES_FILE) ? [FLEET_RULES_FILE] : [],
    }),
  };
  const guestFacts = createGuestFacts();
  const scenario = createScenario({ supervisor: async () => supervisor, lock: {}, afterTeardown: guestFacts.prune });

  // Browser terminals (server/terminal/): scripts/serve.mjs hands each
  // upgraded WebSocket to app.terminals.attach. The audit log is looked up
  // when a session ends, so an app without one records nothing.
  const terminals = createTerminalService({
    supervisor,
    bus: events,
    stateDir: config.stateDir,
    audit: () => app.audit,
  });

  const ready = (async () => {
    // A KSM run whose process died left the host's KSM changed: put it back first.
    const ksmRestored = await ksm.recover().catch((err: Error) => `KSM settings: ${err.message}`);
    if (ksmRestored) console.log(`[isolab] ${ksmRestored}`);
    const removedServers = [...registry.reconcile(), ...fleet.prometheus.reconcile()];
    if (removedServers.length) console.log(`[isolab] removed what an earlier run left: ${removedServers.join(", ")}`);
    const removed = await supervisor.reconcile();
    if (removed.length) console.log(`[isolab] removed leftovers of an earlier run: ${removed.join(", ")}`);
    // Sampling starts once the supervisor knows what exists: ~1 Hz host view, slower guest view.
    if (config.sampler !== false) sampler.start();
  })();

  let stopped: Promise<void> | undefined;
  /**
   * Stops everything this app started, in this order:
   *  0. terminal sessions — each tells its browser why it ended;
   *  1. experiments — the runner stops starting instances, records the
   *     running one as interrupted and waits for its cleanup, which removes
   *     its instances (a start it had in flight has finished by then);
   *  2. the supervisor's instances — every other QEMU, runc container and
   *     process, starts in flight aborted — then the VM pool's waiting QEMUs;
   *  3. the registry and the Prometheus Isolab started, if any;
   *  4. the sampler (after the instances, so none is sampled half-gone);
   *  5. the database, last: steps 1 and 2 still write to it.
   * Idempotent: a second call answers the first one's promise.
   */
  function shutdown(reason?: string): Promise<void> {
    return (stopped ??= (async () => {
      await ready.catch(() => {});
      try {
        await terminals.shutdown();
        await runner.shutdown(reason);
        await supervisor.shutdown();
        // The pool's waiting QEMUs belong to no instance: the VM engine stops them.
        await engines.vm.shutdown().catch((err: Error) => console.error(`[isolab] stopping the VM pool: ${err.message}`));
        await registry.stop().catch((err: Error) => console.error(`[isolab] stopping the registry: ${err.message}`));
        await fleet.prometheus.stop().catch((err: Error) => console.error(`[isolab] stopping Prometheus: ${err.message}`));
      } finally {
        sampler.stop();
        startups.close();
        experiments.db.close();
      }
    })());
  }

  const app = {
    config,
    bus: events,
    engines,
    supervisor,
    resolveImage,
    images,
    sampler,
    startups,
    experiments,
    audit,
    runner,
    registry,
    fleet,
    guestFacts,
    scenario,
    auth,
    terminals,
    ready,
    shutdown,
  };
  return app;
}

export type App = ReturnType<typeof createApp>;
