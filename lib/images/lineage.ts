import { canonicalRef } from "./ref";
import type { ImageSummary, ImageWithInstances } from "../schemas/image";
import type { Instance } from "../core/types";

// Which instances run from which image (Figure 2.4's links, the images page,
// and the refusal to delete an image in use). Pure: instances name their
// image as they were created ("probe", "hello:1"); both sides are compared as
// canonical `name:tag`.

type InstanceFacts = Pick<Instance, "id" | "name" | "kind" | "state" | "image">;

const LIVE = new Set(["creating", "running", "stopping"]);

export function attachInstances(images: ImageSummary[], instances: InstanceFacts[]): ImageWithInstances[] {
  const byRef = new Map<string, InstanceFacts[]>();
  for (const i of instances) {
    const ref = canonicalRef(i.image);
    if (!ref) continue;
    byRef.set(ref, [...(byRef.get(ref) ?? []), i]);
  }
  return images.map((image) => ({
    ...image,
    instances: (byRef.get(image.ref) ?? []).map(({ id, name, kind, state }) => ({ id, name, kind, state })),
  }));
}

/** Names of the live instances started from `ref` (creating, running or stopping). */
export function liveUsers(ref: string, instances: InstanceFacts[]): string[] {
  const want = canonicalRef(ref);
  return instances.filter((i) => LIVE.has(i.state) && canonicalRef(i.image) === want).map((i) => `${i.kind} ${i.name}`);
}
