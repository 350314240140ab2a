import "server-only";
import { config } from "@/server/config";
import { createApp, type App } from "./create-app";

// The web server's one app. It is the only thing kept on globalThis: a dev
// reload re-evaluates modules, and a second app would orphan the QEMU and
// runc children of the first; every route bundle also reaches the same app.

const KEY = Symbol.for("isolab.app");
type Holder = { [KEY]?: App };

function build(): App {
  const app = createApp(config);
  // The verdicts are in the database before anything async can be cut short
  // by the exit (scripts/serve.mjs then awaits app.shutdown()).
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      app.runner.interruptNow(`Isolab received ${signal}`);
      // Alone on this signal, a listener would swallow it: restore the default exit.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
  return app;
}

/** The server's app, built on first use, once it has reconciled leftovers and started sampling. */
export async function getApp(): Promise<App> {
  const holder = globalThis as Holder;
  const app = (holder[KEY] ??= build());
  await app.ready;
  return app;
}

export type { App };
