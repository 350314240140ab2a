import { formatBytes } from "@/lib/core/format";
import type { ImageSummary } from "@/lib/schemas/image";
import { ResultTable } from "@/components/ui/result-table";

/** An image's layers, bottom first, as stored (compressed sizes). */
export function LayerTable({ image }: { image: ImageSummary }) {
  return (
    <ResultTable
      label={`Layers of ${image.ref}`}
      rows={image.layers}
      rowKey={(l, i) => `${l.digest}-${i}`}
      columns={[
        { header: "#", numeric: true, cell: (_, i) => i + 1 },
        {
          header: "Layer digest",
          className: "mono small",
          cellProps: (l) => ({ title: l.digest }),
          cell: (l) => <>{l.digest.slice(0, 19)}…</>,
        },
        { header: "Size", numeric: true, cellProps: () => ({ "data-testid": "layer-size" }), cell: (l) => formatBytes(l.sizeBytes) },
        { header: "Media type", className: "small muted", cell: (l) => l.mediaType.replace(/^application\/vnd\./, "") },
      ]}
    />
  );
}
