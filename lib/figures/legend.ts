import { textWidth } from "./geometry";

// A legend drawn inside the SVG (so a downloaded file keeps it), wrapped
// into rows that fit the figure's width. Pure.

export interface LegendItem {
  key: string;
  label: string;
  /** CSS class of the swatch, the same as the boxes it explains. */
  swatch: string;
}

export interface LegendLayout {
  items: (LegendItem & { x: number; y: number })[];
  height: number;
}

const SWATCH = 12;
const ROW = 18;
const FONT = 11;

export function layoutLegend(items: readonly LegendItem[], x0: number, y0: number, width: number): LegendLayout {
  let x = x0;
  let y = y0;
  const out: LegendLayout["items"] = [];
  for (const item of items) {
    const w = SWATCH + 5 + textWidth(item.label, FONT) + 16;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += ROW;
    }
    out.push({ ...item, x, y });
    x += w;
  }
  return { items: out, height: items.length ? y - y0 + ROW : 0 };
}
