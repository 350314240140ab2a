import "server-only";
import fs from "node:fs";
import path from "node:path";
import { createApp, type App, type AppConfig } from "@/server/app/create-app";
import { config } from "@/server/config";
import { ConflictError } from "@/server/errors";
import type { Supervisor } from "@/server/instances/supervisor";
import { ownerAlive, processOwner } from "./owner";
import type { ExperimentRunner } from "./runner";

// A runner outside the web server: `npm run experiment`, the integration
// tests and the bench. It is an app of its own (server/app/create-app.ts)
// over a state directory of its own (default `<stateDir>/cli`), so its
// reconcile never touches a running server's instances; it writes to the
// same database, so its runs show up in the browser's history, and runs
// images from the server's OCI store. It does not sample: a sampler's
// execs would land inside its measurements.

export interface StandaloneOptions {
  /** Where its instances, runtime root and accelerator cache live. */
  stateDir?: string;
  /** The SQLite file; defaults to the server's (`<config.stateDir>/isolab.db`). */
  dbPath?: string;
  /** Anything else of the app's config (tests: the accelerator, a start timeout, caps). */
  config?: Partial<AppConfig>;
}

export interface StandaloneRunner {
  app: App;
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
  let app: App | undefined;
  try {
    app = createApp({ ...config, sampler: false, ...opts.config, stateDir, dbPath: opts.dbPath ?? config.dbPath });
    await app.ready;
  } catch (err) {
    await app?.shutdown();
    release();
    throw err;
  }
  const { runner, supervisor } = app;
  let closed: Promise<void> | undefined;
  return {
    app,
    runner,
    supervisor,
    stateDir,
    close: () =>
      (closed ??= (async () => {
        try {
          await runner.shutdown("the command-line runner stopped");
          // Removed, not only stopped: nothing of this run stays for the next reconcile.
          await Promise.allSettled(supervisor.list().map((i) => supervisor.remove(i.id)));
          await app.shutdown();
        } finally {
          release();
        }
      })()),
  };
}
