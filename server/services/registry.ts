import "server-only";
import type { PullRequest, PushRequest, RegistryCatalogResponse } from "@/lib/schemas/registry";
import type { App } from "@/server/app/create-app";
import { listRepositories, listTags } from "@/server/registry/client";
import { pullImage, pushImage } from "@/server/registry/transfer";

// Transfers between the app's image store and its registry, and what the
// registry holds. The registry manager (start, stop, status) is app.registry.

/** Every repository with its tags. */
export async function registryCatalog(app: App): Promise<RegistryCatalogResponse> {
  const ep = app.registry.endpoint();
  const names = await listRepositories(ep.url);
  const repositories = await Promise.all(names.map(async (name) => ({ name, tags: await listTags(ep.url, name).catch(() => [] as string[]) })));
  return { url: ep.url, repositories };
}

export function push(app: App, req: PushRequest) {
  return pushImage(app.images, app.registry.endpoint(), req);
}

export function pull(app: App, req: PullRequest) {
  return pullImage(app.images, app.registry.endpoint(), req);
}
