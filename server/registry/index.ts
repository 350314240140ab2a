import "server-only";
import type { PullRequest, PushRequest, RegistryCatalogResponse } from "@/lib/schemas/registry";
import { config } from "@/server/config";
import { imageStore } from "@/server/images";
import { listRepositories, listTags } from "./client";
import { createRegistryManager, type RegistryManager } from "./manager";
import { pullImage, pushImage } from "./transfer";

// The registry of this server, on globalThis (route bundles each load this
// module). Stopped when the server stops: scripts/serve.mjs awaits the
// supervisor holder's onShutdown, which this chains onto; a server that
// exits any other way kills it from its "exit" handler (manager.ts).

const KEY = Symbol.for("isolab.registry");
type Holder = { [KEY]?: RegistryManager };

export function registry(): RegistryManager {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const manager = createRegistryManager({ stateDir: config.stateDir });
    holder[KEY] = manager;
    const removed = manager.reconcile();
    if (removed.length) console.log(`[isolab] removed a registry an earlier run left: ${removed.join(", ")}`);
    chainShutdown(() => manager.stop().then(() => undefined));
  }
  return holder[KEY];
}

function chainShutdown(fn: () => Promise<void>) {
  const sup = (globalThis as Record<symbol, { onShutdown?: () => Promise<void> } | undefined>)[Symbol.for("isolab.supervisor")];
  if (!sup) return; // no server holder (a CLI or a test): the exit handler still stops it
  const previous = sup.onShutdown;
  sup.onShutdown = async () => {
    await previous?.();
    await fn();
  };
}

/** Every repository with its tags. */
export async function registryCatalog(): Promise<RegistryCatalogResponse> {
  const ep = registry().endpoint();
  const names = await listRepositories(ep.url);
  const repositories = await Promise.all(names.map(async (name) => ({ name, tags: await listTags(ep.url, name).catch(() => [] as string[]) })));
  return { url: ep.url, repositories };
}

export function push(req: PushRequest) {
  return pushImage(imageStore(), registry().endpoint(), req);
}

export function pull(req: PullRequest) {
  return pullImage(imageStore(), registry().endpoint(), req);
}
