import "server-only";
import { densityMarginals, overheadFacts, pendingExperiments, startupFacts } from "@/lib/figures/experiment-facts";
import { EXPERIMENT_TYPES, type ExperimentListItem } from "@/lib/experiment-types";
import type { Fig24Data, FigureImage } from "@/lib/schemas/figures";
import { getExperimentRunner } from "@/server/experiments";
import { listImages } from "@/server/images/store";

// The stored and slow-changing sources: experiments, the image store, the
// registry. Each answers what it has; a source that fails says why instead
// of failing the whole payload.

export function experimentSources(): { items: ExperimentListItem[]; error: string | null } {
  try {
    return { items: getExperimentRunner().list(), error: null };
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
    // Whether this Isolab can run a density experiment at all (it landed after the figures).
    densityAvailable: (EXPERIMENT_TYPES as readonly string[]).includes("density"),
  };
}

export async function imageFacts(now: string): Promise<Pick<Fig24Data, "images" | "imagesNote">> {
  try {
    const listings = await listImages();
    const images: FigureImage[] = listings.map((l) =>
      l.ready
        ? {
            name: l.name,
            sizeBytes: l.image.meta.sizeBytes,
            files: l.image.meta.files,
            layers: null,
            digest: `sha256:${l.image.meta.sha256}`,
            origin: `built by npm run setup (busybox ${l.image.meta.busyboxVersion})`,
            createdAt: l.image.meta.builtAt,
            problem: null,
            source: "image store (image.json)",
            at: now,
          }
        : { name: l.name, sizeBytes: null, files: null, layers: null, digest: null, origin: null, createdAt: null, problem: l.problem, source: "image store", at: now },
    );
    return { images, imagesNote: images.length ? null : "No image is built yet: run `npm run setup`." };
  } catch (err) {
    return { images: [], imagesNote: `The image store could not be read: ${(err as Error).message}` };
  }
}

export function registryFacts(now: string): Fig24Data["registry"] {
  // Isolab does not start a registry (yet); nothing is drawn as if it did.
  return { running: false, url: null, repositories: [], note: "no registry running: Isolab has not started one", at: now };
}
