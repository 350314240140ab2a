"use client";
import Link from "next/link";
import { formatBytes } from "@/lib/core/format";
import type { ImageOrigin, ImageWithInstances } from "@/lib/schemas/image";
import type { RegistryStatus } from "@/lib/schemas/registry";
import { useDeleteImage, usePushImage } from "@/client/use-images";
import { useCan } from "@/client/use-me";
import { LayerTable } from "./layer-table";

export function originText(o: ImageOrigin): string {
  if (o.kind === "built") return `built by ${o.detail}`;
  if (o.kind === "pulled") return `pulled from ${o.detail}`;
  return `imported from ${o.detail}`;
}

const LIVE = new Set(["creating", "running", "stopping"]);

/** One image: what it runs, where it came from, its layers, the instances started from it; push and delete. */
export function ImageCard({ image, registry }: { image: ImageWithInstances; registry: RegistryStatus | undefined }) {
  const push = usePushImage();
  const remove = useDeleteImage();
  const live = image.instances.filter((i) => LIVE.has(i.state));
  const command = [...image.entrypoint, ...image.cmd];
  const canPush = registry?.reachable === true;
  const canOperate = useCan("operator");
  return (
    <article className="card stack" aria-label={`Image ${image.ref}`}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h3 className="mono" style={{ margin: 0, fontSize: "1rem" }}>
          {image.ref}
        </h3>
        <span className="small muted">{originText(image.origin)}</span>
      </div>
      <dl className="facts small">
        <dt>Digest</dt>
        <dd className="mono">{image.digest}</dd>
        <dt>Size</dt>
        <dd data-testid="image-size">
          {formatBytes(image.sizeBytes)} in {image.layers.length} layer{image.layers.length === 1 ? "" : "s"}
        </dd>
        <dt>Runs</dt>
        <dd className="mono">{command.length ? JSON.stringify(command) : "(no entrypoint)"}</dd>
        <dt>Working dir</dt>
        <dd className="mono">{image.workingDir || "/"}</dd>
        <dt>Environment</dt>
        <dd className="mono">{image.env.join(" ") || "—"}</dd>
        <dt>Created</dt>
        <dd>{image.createdAt ?? "unknown"}</dd>
        <dt>Probe</dt>
        <dd>
          {image.hasProbe ? "yes: guest view and commands in a container" : "no: a container of it shows the host view only (a VM always gets Isolab's probe)"}
        </dd>
        <dt>Instances</dt>
        <dd data-testid="image-instances">
          {image.instances.length === 0
            ? "none"
            : image.instances.map((i, n) => (
                <span key={i.id}>
                  {n > 0 && ", "}
                  <Link href={`/instances/${i.id}`}>{i.name}</Link> ({i.kind}, {i.state})
                </span>
              ))}
        </dd>
      </dl>
      <LayerTable image={image} />
      {canOperate && (
        <div className="row">
          <button type="button" onClick={() => push.mutate({ image: image.ref })} disabled={!canPush || push.isPending} aria-label={`Push ${image.ref}`}>
            {push.isPending ? "Pushing…" : "Push to registry"}
          </button>
          {!canPush && (
            <span className="small muted">
              <Link href="/registry">Start a registry</Link> to push.
            </span>
          )}
          {!image.builtIn && (
            <button
              type="button"
              className="danger"
              onClick={() => remove.mutate(image.ref)}
              disabled={remove.isPending || live.length > 0}
              aria-label={`Delete ${image.ref}`}
              title={live.length ? "Instances run from it" : undefined}
            >
              Delete
            </button>
          )}
        </div>
      )}
      {push.isSuccess && (
        <div className="small" role="status">
          Pushed as <span className="mono">{push.data.reference}</span>, <span className="mono">{push.data.digest.slice(0, 19)}…</span>
        </div>
      )}
      {(push.error || remove.error) && (
        <div className="small error" role="alert">
          {(push.error ?? remove.error)?.message}
        </div>
      )}
    </article>
  );
}
