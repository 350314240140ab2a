import "server-only";
import { densityMarginals, densityTemplated, overheadFacts, pendingExperiments, startupFacts } from "@/lib/figures/experiment-facts";
import { EXPERIMENT_TYPES, type ExperimentListItem } from "@/lib/experiments/types";
import type { ImageWithInstances } from "@/lib/schemas/image";
import type { Fig24Data, FigureImage } from "@/lib/schemas/figures";
import type { App } from "@/server/app/create-app";
import { listImagesWithInstances } from "@/server/services/images";
import { registryCatalog } from "@/server/services/registry";

// The stored and slow-changing sources: experiments, the image store, the
// registry. Each answers what it has; a source that fails says why instead
// of failing the whole payload.

export function experimentSources(app: App): { items: ExperimentListItem[]; error: string | null } {
  try {
    return { items: app.runner.list(), error: null };
  } catch (err) {
    return { items: [], error: `experiments unavailable: ${(err as Error).message}` };
  }
}

export function experimentFacts(items: ExperimentListItem[]) {
  return {
    overhead: overheadFacts(items),
    startup: startupFacts(items),
    pending: pendingExperiments(items),
    density: densityMarginals(items),
    templated: densityTemplated(items),
    // Whether this Isolab can run a density experiment at all (it landed after the figures).
    densityAvailable: (EXPERIMENT_TYPES as readonly string[]).includes("density"),
  };
}

function originText(i: ImageWithInstances): string {
  const o = i.origin;
  const from = o.kind === "pulled" && o.registry ? `pulled from ${o.registry}` : o.kind;
  return `${from}${i.hasProbe ? "" : ", no probe (not measurable inside)"}`;
}

export function toFigureImage(i: ImageWithInstances, now: string): FigureImage {
  return {
    name: i.ref,
    sizeBytes: i.sizeBytes,
    files: null,
    layers: i.layers.length,
    digest: i.digest,
    origin: originText(i),
    createdAt: i.createdAt,
    problem: null,
    instanceIds: i.instances.map((x) => x.id),
    source: `OCI image store (${i.origin.detail})`,
    at: now,
  };
}

export async function imageFacts(app: App, now: string): Promise<Pick<Fig24Data, "images" | "imagesNote">> {
  try {
    const images = (await listImagesWithInstances(app)).map((i) => toFigureImage(i, now));
    return {
      images,
      imagesNote: images.length ? null : "The image store is empty: run `npm run setup` (it packs the probe image), or import one on the images page.",
    };
  } catch (err) {
    return { images: [], imagesNote: `The image store could not be read: ${(err as Error).message}` };
  }
}

/** The registry only if one answers right now; its tags when it does. */
export async function registryFacts(app: App, now: string): Promise<Fig24Data["registry"]> {
  try {
    const s = await app.registry.status();
    if (!s.reachable) return { running: false, mode: s.mode, url: s.url, repositories: [], note: s.note || "no registry running", at: now };
    const catalog = await registryCatalog(app).catch(() => ({ repositories: [] as { name: string; tags: string[] }[] }));
    const repositories = catalog.repositories.flatMap((r) => (r.tags.length ? r.tags.map((t) => `${r.name}:${t}`) : [r.name]));
    return {
      running: true,
      mode: s.mode,
      url: s.url,
      repositories,
      note: `${s.mode === "managed" ? "Isolab's registry" : "external registry"} at ${s.url}`,
      at: now,
    };
  } catch (err) {
    return { running: false, mode: "stopped", url: null, repositories: [], note: `no registry running: ${(err as Error).message}`, at: now };
  }
}
