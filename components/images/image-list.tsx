"use client";
import { useImages } from "@/client/use-images";
import { useRegistryStatus } from "@/client/use-registry";
import { ImageCard } from "./image-card";

/** Every image in the store, the built-in probe first. */
export function ImageList() {
  const images = useImages();
  const registry = useRegistryStatus();
  if (images.isLoading)
    return (
      <div className="panel" aria-busy="true">
        Loading the image store…
      </div>
    );
  if (images.error)
    return (
      <div className="panel error" role="alert">
        The image store could not be read: {images.error.message}
      </div>
    );
  return (
    <section className="stack" aria-label="Images">
      {images.data?.length === 0 && <div className="panel muted">No image yet: run `npm run setup` to build the probe, or import one.</div>}
      {images.data?.map((image) => (
        <ImageCard key={image.ref} image={image} registry={registry.data} />
      ))}
    </section>
  );
}
