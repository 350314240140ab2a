import type { Rect } from "./geometry";

// Squarified treemap (Bruls, Huizing & van Wijk, 2000): each cell's area is
// proportional to its value and cells stay as close to square as the values
// allow, so a 2 MiB container is a small square rather than an invisible sliver.

export interface TreemapItem {
  id: string;
  value: number;
}

export interface TreemapCell extends Rect {
  id: string;
  value: number;
}

const usable = (v: number) => (Number.isFinite(v) && v > 0 ? v : 0);

/** Worst aspect ratio of a row of areas laid along a side of length `side`. */
function worst(areas: number[], side: number): number {
  const s = areas.reduce((a, b) => a + b, 0);
  const max = Math.max(...areas);
  const min = Math.min(...areas);
  return Math.max((side * side * max) / (s * s), (s * s) / (side * side * min));
}

/**
 * Lays `items` out over `rect`; the values fill it completely (include a
 * "free" item for space that is not used). Non-finite, zero or negative
 * values get an empty cell at the rectangle's corner. Output is in input order.
 */
export function squarify(items: readonly TreemapItem[], rect: Rect): TreemapCell[] {
  const values = items.map((i) => usable(i.value));
  const total = values.reduce((a, b) => a + b, 0);
  const out: TreemapCell[] = items.map((i, k) => ({ id: i.id, value: values[k], x: rect.x, y: rect.y, w: 0, h: 0 }));
  if (!(total > 0) || !(rect.w > 0) || !(rect.h > 0)) return out;

  const scale = (rect.w * rect.h) / total;
  const order = values
    .map((v, k) => ({ k, area: v * scale }))
    .filter((e) => e.area > 0)
    .sort((a, b) => b.area - a.area || a.k - b.k);

  let free: Rect = { ...rect };
  let row: { k: number; area: number }[] = [];

  const place = () => {
    const s = row.reduce((a, e) => a + e.area, 0);
    if (free.w >= free.h) {
      const width = Math.min(free.w, s / free.h);
      let y = free.y;
      for (const e of row) {
        const h = e.area / width;
        out[e.k] = { ...out[e.k], x: free.x, y, w: width, h };
        y += h;
      }
      free = { x: free.x + width, y: free.y, w: Math.max(0, free.w - width), h: free.h };
    } else {
      const height = Math.min(free.h, s / free.w);
      let x = free.x;
      for (const e of row) {
        const w = e.area / height;
        out[e.k] = { ...out[e.k], x, y: free.y, w, h: height };
        x += w;
      }
      free = { x: free.x, y: free.y + height, w: free.w, h: Math.max(0, free.h - height) };
    }
    row = [];
  };

  for (let i = 0; i < order.length;) {
    const side = Math.min(free.w, free.h);
    const areas = row.map((e) => e.area);
    if (row.length === 0 || worst([...areas, order[i].area], side) <= worst(areas, side)) {
      row.push(order[i]);
      i++;
    } else {
      place();
    }
  }
  if (row.length) place();
  return out;
}

/** Splits `rect` into strips along its longer side, widths proportional to values (for a box's parts). */
export function slice(items: readonly TreemapItem[], rect: Rect): TreemapCell[] {
  const values = items.map((i) => usable(i.value));
  const total = values.reduce((a, b) => a + b, 0);
  const horizontal = rect.w >= rect.h;
  let at = horizontal ? rect.x : rect.y;
  return items.map((i, k) => {
    const frac = total > 0 ? values[k] / total : 0;
    const len = (horizontal ? rect.w : rect.h) * frac;
    const cell = horizontal
      ? { id: i.id, value: values[k], x: at, y: rect.y, w: len, h: rect.h }
      : { id: i.id, value: values[k], x: rect.x, y: at, w: rect.w, h: len };
    at += len;
    return cell;
  });
}
