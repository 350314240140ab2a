import { formatBytes } from "@/lib/core/format";
import type { Fig24Data, FigureImage, FigureInstance } from "@/lib/schemas/figures";
import { truncate, VIEW_WIDTH, type LayoutMode, type Rect } from "./geometry";

// Figure 2.4: registry, images, containers. The local image store as it is
// (name:tag, size, layers, origin, digest), every running instance linked to
// the image the store says it was started from, and the registry only if one
// answers right now. Pure.

export interface Fig24ImageBox {
  image: FigureImage;
  lines: string[];
  detail: string;
}

export interface Fig24InstanceBox {
  instance: FigureInstance;
  /** The image box it links to; null when its image is not in the store. */
  imageName: string | null;
  lines: string[];
  detail: string;
}

export interface Fig24Model {
  registry: { running: boolean; lines: string[]; detail: string };
  images: Fig24ImageBox[];
  instances: Fig24InstanceBox[];
  missing: string | null;
}

const KIND_WORD = { process: "bare process", container: "container", vm: "VM" } as const;

function shortDigest(d: string | null): string | null {
  if (!d) return null;
  const hex = d.replace(/^sha256:/, "");
  return `sha256:${hex.slice(0, 12)}`;
}

export function fig24Model({ instances, fig24 }: { instances: FigureInstance[]; fig24: Fig24Data }): Fig24Model {
  const images: Fig24ImageBox[] = fig24.images.map((image) => {
    const parts = [
      image.sizeBytes !== null ? formatBytes(image.sizeBytes) : null,
      image.layers !== null ? `${image.layers} layer${image.layers === 1 ? "" : "s"}` : null,
      image.files !== null ? `${image.files} files` : null,
    ].filter(Boolean);
    const lines = [
      image.name,
      parts.join(" · ") || "size unknown",
      image.problem ? `incomplete: ${image.problem}` : (image.origin ?? ""),
      shortDigest(image.digest) ?? "",
    ].filter(Boolean);
    return {
      image,
      lines,
      detail: `image ${image.name}: ${parts.join(", ") || "size unknown"}${image.digest ? `, ${image.digest}` : ""}${image.origin ? `, ${image.origin}` : ""}${image.createdAt ? `, created ${image.createdAt}` : ""}${image.problem ? `; ${image.problem}` : ""} (${image.source} at ${image.at})`,
    };
  });
  const imageOf = new Map(fig24.images.flatMap((img) => img.instanceIds.map((id) => [id, img.name] as const)));
  const live = instances.filter((i) => i.state === "running" || i.state === "creating");
  const boxes: Fig24InstanceBox[] = live.map((instance) => {
    const imageName = imageOf.get(instance.id) ?? null;
    return {
      instance,
      imageName,
      lines: [
        instance.name,
        `${KIND_WORD[instance.kind]} from ${imageName ?? instance.image}${instance.hostMemory ? ` · ${formatBytes(instance.hostMemory.value)}` : ""}`,
      ],
      detail: `${KIND_WORD[instance.kind]} ${instance.name} (${instance.id}), ${instance.state}, started ${instance.createdAt} from image ${instance.image}${imageName ? "" : " (not in the local store)"}${instance.hostMemory ? `; host view ${formatBytes(instance.hostMemory.value)} (${instance.hostMemory.source})` : ""}`,
    };
  });
  const r = fig24.registry;
  const tags = r.repositories;
  const registry = r.running
    ? {
        running: true,
        lines: [
          "Registry",
          r.url ?? "",
          `${tags.length} tag${tags.length === 1 ? "" : "s"}${tags.length ? `: ${tags.slice(0, 3).join(", ")}${tags.length > 3 ? ", …" : ""}` : ""}`,
        ].filter(Boolean),
        detail: `${r.note}; holds ${tags.join(", ") || "nothing yet"}`,
      }
    : {
        running: false,
        lines: ["Registry", "no registry running"],
        detail: r.note.startsWith("no registry running") ? r.note : `no registry running (${r.note})`,
      };
  const missing = images.length === 0 ? (fig24.imagesNote ?? "No image is built yet: run `npm run setup`.") : null;
  return { registry, images, instances: boxes, missing };
}

// ── layout ──────────────────────────────────────────────────────────────

export interface Fig24Layout {
  width: number;
  height: number;
  registry: { rect: Rect; lines: string[] };
  store: { frame: Rect; titleY: number };
  images: { box: Fig24ImageBox; rect: Rect; lines: string[] }[];
  instancesFrame: { frame: Rect; titleY: number };
  instances: { box: Fig24InstanceBox; rect: Rect; lines: string[] }[];
  links: { from: string; to: string; d: string }[];
  /** Registry ⇄ store, only drawn when a registry runs, with its label's position. */
  registryLink: { d: string; labelX: number; labelY: number } | null;
}

const IMG_H = 76;
const INST_H = 42;
const GAP = 10;

const fit = (lines: string[], w: number) => lines.map((l) => truncate(l, w - 16, 11));

export function layoutFig24(model: Fig24Model, mode: LayoutMode): Fig24Layout {
  const width = VIEW_WIDTH[mode];
  const wide = mode === "wide";
  const regRect: Rect = wide ? { x: 10, y: 40, w: 240, h: 70 } : { x: 34, y: 30, w: width - 44, h: 62 };
  const storeX = wide ? 310 : 34;
  const storeW = wide ? 380 : width - 44;
  const storeTop = wide ? 30 : regRect.y + regRect.h + 40;
  const imgs = model.images.map((box, k) => {
    const rect = { x: storeX + 10, y: storeTop + 10 + k * (IMG_H + GAP), w: storeW - 20, h: IMG_H };
    return { box, rect, lines: fit(box.lines, rect.w) };
  });
  const storeH = Math.max(IMG_H + 20, imgs.length * (IMG_H + GAP) + 10);
  const store = { frame: { x: storeX, y: storeTop, w: storeW, h: storeH }, titleY: storeTop - 8 };

  const instX = wide ? 750 : 34;
  const instW = wide ? width - 760 : width - 44;
  const instTop = wide ? 30 : storeTop + storeH + 40;
  const insts = model.instances.map((box, k) => {
    const rect = { x: instX + 10, y: instTop + 10 + k * (INST_H + GAP), w: instW - 20, h: INST_H };
    return { box, rect, lines: fit(box.lines, rect.w) };
  });
  const instH = Math.max(INST_H + 20, insts.length * (INST_H + GAP) + 10);
  const instancesFrame = { frame: { x: instX, y: instTop, w: instW, h: instH }, titleY: instTop - 8 };

  const links = insts.flatMap((i) => {
    const img = imgs.find((m) => m.box.image.name === i.box.imageName);
    if (!img) return [];
    let d: string;
    if (wide) {
      const x1 = img.rect.x + img.rect.w;
      const y1 = img.rect.y + img.rect.h / 2;
      const x2 = i.rect.x;
      const y2 = i.rect.y + i.rect.h / 2;
      const mx = (x1 + x2) / 2;
      d = `M${x1} ${y1} C${mx} ${y1} ${mx} ${y2} ${x2} ${y2}`;
    } else {
      // Narrow: down the left gutter, from the image's left edge to the instance's.
      const x1 = img.rect.x;
      const y1 = img.rect.y + img.rect.h / 2;
      const x2 = i.rect.x;
      const y2 = i.rect.y + i.rect.h / 2;
      const gx = 16;
      d = `M${x1} ${y1} C${gx} ${y1} ${gx} ${y2} ${x2} ${y2}`;
    }
    return [{ from: img.box.image.name, to: i.box.instance.id, d }];
  });
  const registryLink = model.registry.running
    ? wide
      ? {
          d: `M${regRect.x + regRect.w} ${regRect.y + regRect.h / 2} L${storeX} ${regRect.y + regRect.h / 2}`,
          labelX: regRect.x + regRect.w + 6,
          labelY: regRect.y + regRect.h / 2 - 6,
        }
      : {
          d: `M${regRect.x + regRect.w / 2} ${regRect.y + regRect.h} L${regRect.x + regRect.w / 2} ${storeTop}`,
          labelX: regRect.x + regRect.w / 2 + 8,
          labelY: regRect.y + regRect.h + 22,
        }
    : null;
  const height = Math.max(regRect.y + regRect.h, storeTop + storeH, instTop + instH) + 16;
  return {
    width,
    height,
    registry: { rect: regRect, lines: fit(model.registry.lines, regRect.w) },
    store,
    images: imgs,
    instancesFrame,
    instances: insts,
    links,
    registryLink,
  };
}
