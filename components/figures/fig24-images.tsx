import { fig24Caption } from "@/lib/figures/captions";
import { fig24Model, layoutFig24 } from "@/lib/figures/fig24";
import type { LayoutMode } from "@/lib/figures/geometry";
import { layoutLegend } from "@/lib/figures/legend";
import type { FiguresPayload } from "@/lib/schemas/figures";
import { FigItem } from "./detail-context";
import { FigureFrame } from "./figure-frame";
import { ArrowDefs, Box, Legend, Lines } from "./svg-parts";

const KIND_CLASS = { process: "fig-process", vm: "fig-vm", container: "fig-container" } as const;

const LEGEND = [
  { key: "registry", label: "registry", swatch: "fig-registry" },
  { key: "image", label: "image", swatch: "fig-image" },
  { key: "process", label: "bare process", swatch: "fig-process" },
  { key: "container", label: "container", swatch: "fig-container" },
  { key: "vm", label: "VM", swatch: "fig-vm" },
];

const MARKER = "fig24-arrow";

export function Fig24Images({ data, mode, now }: { data: FiguresPayload; mode: LayoutMode; now: number }) {
  const model = fig24Model(data);
  const layout = layoutFig24(model, mode);
  const legend = layoutLegend(LEGEND, 10, layout.height + 4, layout.width - 20);
  const height = layout.height + legend.height + 12;
  const caption = fig24Caption(data, now);
  const missing = model.missing ? (
    <span>
      {model.missing} (<code>npm run setup</code> builds the probe image.)
    </span>
  ) : null;
  return (
    <FigureFrame number="2.4" title="Images, registry and running instances" caption={caption} missing={missing}>
      <svg
        className="fig-svg"
        viewBox={`0 0 ${layout.width} ${height}`}
        role="group"
        aria-label="Figure 2.4: the local image store, the registry and the instances started from each image"
      >
        <title>Figure 2.4 — images, registry, instances</title>
        <desc>{caption.text}</desc>
        <ArrowDefs id={MARKER} />
        <rect className="fig-bg" x={0} y={0} width={layout.width} height={height} />
        <FigItem label={`Registry: ${model.registry.detail}`} testId="fig24-registry">
          <Box rect={layout.registry.rect} className={model.registry.running ? "fig-registry" : "fig-registry-off"} rx={6} />
          <Lines x={layout.registry.rect.x + 8} y={layout.registry.rect.y + 4} lines={layout.registry.lines} title />
        </FigItem>
        {layout.registryLink && (
          <g aria-hidden="true">
            <path className="fig-link" d={layout.registryLink.d} markerEnd={`url(#${MARKER})`} markerStart={`url(#${MARKER})`} />
            <text x={layout.registryLink.labelX} y={layout.registryLink.labelY} className="fig-small fig-muted">
              push / pull
            </text>
          </g>
        )}
        <text x={layout.store.frame.x} y={layout.store.titleY} className="fig-title">
          Local image store ({model.images.length})
        </text>
        <rect className="fig-frame" x={layout.store.frame.x} y={layout.store.frame.y} width={layout.store.frame.w} height={layout.store.frame.h} rx={6} />
        <text x={layout.instancesFrame.frame.x} y={layout.instancesFrame.titleY} className="fig-title">
          Running instances ({model.instances.length}), from their image
        </text>
        <rect
          className="fig-frame"
          x={layout.instancesFrame.frame.x}
          y={layout.instancesFrame.frame.y}
          width={layout.instancesFrame.frame.w}
          height={layout.instancesFrame.frame.h}
          rx={6}
        />
        <g aria-hidden="true">
          {layout.links.map((l) => (
            <path key={l.to} className="fig-link" d={l.d} markerEnd={`url(#${MARKER})`} />
          ))}
        </g>
        {layout.images.map((i) => (
          <FigItem key={i.box.image.name} label={i.box.detail} testId={`fig24-image-${i.box.image.name}`}>
            <Box rect={i.rect} className="fig-image" />
            <Lines x={i.rect.x + 8} y={i.rect.y + 4} lines={i.lines} title />
          </FigItem>
        ))}
        {layout.instances.map((i) => (
          <FigItem key={i.box.instance.id} label={i.box.detail} testId={`fig24-instance-${i.box.instance.name}`}>
            <Box rect={i.rect} className={KIND_CLASS[i.box.instance.kind]} />
            <Lines x={i.rect.x + 8} y={i.rect.y + 3} lines={i.lines} title />
          </FigItem>
        ))}
        {model.instances.length === 0 && (
          <text x={layout.instancesFrame.frame.x + 10} y={layout.instancesFrame.frame.y + 30} className="fig-small fig-muted">
            none running
          </text>
        )}
        <Legend layout={legend} />
      </svg>
    </FigureFrame>
  );
}
