import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultLimits } from "@/lib/host/limits";
import { config } from "@/server/config";
import { ConflictError } from "@/server/errors";
import { createContainerEngine } from "@/server/container/engine";
import { getImage } from "@/server/images/store";
import { createProcessEngine } from "@/server/process/engine";
import { Supervisor } from "@/server/instances/supervisor";
import { databasePath, openDatabase } from "@/server/store/db";
import { ExperimentStore } from "@/server/store/experiments";
import { createVmEngine } from "@/server/vm/engine";
import { systemClock } from "./clock";
import { captureEnvironment } from "./environment";
import { readHostUsage } from "./host-usage";
import { ownerAlive, processOwner } from "./owner";
import { ExperimentRunner } from "./runner";

// A runner outside the web server: `npm run experiment`, the integration
// tests and the bench. It owns a supervisor of its own over a state
// directory of its own (default `<stateDir>/cli`), so its reconcile never
// touches a running server's instances, and writes to the same database,
// so its runs show up in the browser's history.

export interface StandaloneOptions {
  /** Where its instances, runtime root and accelerator cache live. */
  stateDir?: string;
  /** The SQLite file; defaults to the server's (`<config.stateDir>/isolab.db`). */
  dbPath?: string;
}

export interface StandaloneRunner {
  runner: ExperimentRunner;
  supervisor: Supervisor;
  stateDir: string;
  /** Stops what runs (as interrupted), removes every instance, closes the database. */
  close(): Promise<void>;
}

const LOCK = "experiment.lock";

/** One standalone runner per state directory: a second would reconcile away the first one's instances. */
function takeLock(stateDir: string): () => void {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, LOCK);
  const owner = processOwner();
  try {
    fs.writeFileSync(file, owner, { flag: "wx" });
  } catch {
    const holder = fs.readFileSync(file, "utf8").trim();
    if (ownerAlive(holder)) {
      throw new ConflictError(`Another experiment runner (pid ${holder.split(":")[0]}) uses ${stateDir}; wait for it or stop it.`);
    }
    fs.writeFileSync(file, owner);
  }
  return () => fs.rmSync(file, { force: true });
}

export async function createStandaloneRunner(opts: StandaloneOptions = {}): Promise<StandaloneRunner> {
  const stateDir = path.resolve(opts.stateDir ?? path.join(config.stateDir, "cli"));
  const release = takeLock(stateDir);
  const defaults = defaultLimits(Math.floor(os.totalmem() / 2 ** 20), os.cpus().length);
  const limits = { maxInstances: config.maxInstances ?? defaults.maxInstances, maxMemoryMiB: config.maxMemoryMiB ?? defaults.maxMemoryMiB };
  const supervisor = new Supervisor({
    engines: { process: createProcessEngine(), container: createContainerEngine({ stateDir }), vm: createVmEngine({ stateDir }) },
    getImage,
    stateDir,
    limits,
  });
  let store: ExperimentStore | undefined;
  try {
    await supervisor.reconcile();
    store = new ExperimentStore(openDatabase(opts.dbPath ?? databasePath()));
  } catch (err) {
    store?.db.close();
    release();
    throw err;
  }
  const runner = new ExperimentRunner({
    store,
    supervisor: async () => supervisor,
    clock: systemClock,
    captureEnvironment: () => captureEnvironment(limits),
    readHostUsage,
    owner: processOwner(),
    ownerAlive,
  });
  runner.recoverInterrupted();
  let closed: Promise<void> | undefined;
  return {
    runner,
    supervisor,
    stateDir,
    close: () =>
      (closed ??= (async () => {
        try {
          await runner.shutdown("the command-line runner stopped");
          await Promise.allSettled(supervisor.list().map((i) => supervisor.remove(i.id)));
        } finally {
          store.db.close();
          release();
        }
      })()),
  };
}
