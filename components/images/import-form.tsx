"use client";
import { useState, type FormEvent } from "react";
import { formatBytes } from "@/lib/core/format";
import { ImageRefSchema } from "@/lib/schemas/image";
import { useImportImage } from "@/client/use-images";

/** Upload an OCI archive or a `docker save` tarball, with the bytes sent as a progress bar. */
export function ImportForm() {
  const importImage = useImportImage();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const { progress } = importImage;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return setFormError("Choose an archive first.");
    const parsed = name ? ImageRefSchema.safeParse(name) : null;
    if (parsed && !parsed.success) return setFormError(`name: ${parsed.error.issues[0]?.message}`);
    setFormError(null);
    importImage.mutate({ file, name: name || undefined });
  }

  const pct = progress && progress.total > 0 ? Math.round((100 * progress.loaded) / progress.total) : 0;
  const uploaded = progress !== null && progress.loaded >= progress.total;
  return (
    <form className="panel stack" onSubmit={submit} aria-label="Import an image">
      <h3 style={{ margin: 0, fontSize: "1rem" }}>Import an image</h3>
      <div className="row" style={{ alignItems: "flex-end" }}>
        <label>
          Archive (OCI archive or docker save)
          <input type="file" accept=".tar,.tgz,.gz,application/x-tar,application/gzip" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          Name (optional)
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="from the archive" />
        </label>
        <button type="submit" className="primary" disabled={importImage.isPending}>
          {importImage.isPending ? "Importing…" : "Import"}
        </button>
      </div>
      {importImage.isPending && progress && (
        <div className="stack" style={{ gap: "0.2rem" }}>
          <div
            className="xp-progress"
            role="progressbar"
            aria-label="Upload progress"
            aria-valuemin={0}
            aria-valuemax={progress.total}
            aria-valuenow={progress.loaded}
            aria-valuetext={`${pct} %`}
          >
            <span style={{ width: `${pct}%` }} />
          </div>
          <span className="small muted">
            {uploaded
              ? "Uploaded; checking every path and layer, then adding it to the store…"
              : `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)} sent (${pct} %)`}
          </span>
        </div>
      )}
      {importImage.isSuccess && (
        <div className="small" role="status">
          Imported <span className="mono">{importImage.data.image.ref}</span> ({importImage.data.format}),{" "}
          <span className="mono">{importImage.data.image.digest.slice(0, 19)}…</span>
        </div>
      )}
      {(formError || importImage.error) && (
        <div className="error small" role="alert">
          {formError ?? importImage.error?.message}
        </div>
      )}
    </form>
  );
}
