import { formatBytes } from "@/lib/core/format";
import type { ImageSummary } from "@/lib/schemas/image";

/** An image's layers, bottom first, as stored (compressed sizes). */
export function LayerTable({ image }: { image: ImageSummary }) {
  return (
    <table className="xp-table" aria-label={`Layers of ${image.ref}`}>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Layer digest</th>
          <th scope="col">Size</th>
          <th scope="col">Media type</th>
        </tr>
      </thead>
      <tbody>
        {image.layers.map((l, i) => (
          <tr key={`${l.digest}-${i}`}>
            <td>{i + 1}</td>
            <td className="mono small" title={l.digest}>
              {l.digest.slice(0, 19)}…
            </td>
            <td data-testid="layer-size">{formatBytes(l.sizeBytes)}</td>
            <td className="small muted">{l.mediaType.replace(/^application\/vnd\./, "")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
