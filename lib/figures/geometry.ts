// Rectangles and text fitting shared by the figure layouts. Pure.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type LayoutMode = "wide" | "narrow";

/** viewBox widths: wide fills ~1200 px at 1:1; narrow keeps 11–12 px text legible on a 390 px phone. */
export const VIEW_WIDTH: Record<LayoutMode, number> = { wide: 1200, narrow: 400 };

/** Below this container width (CSS px) the figures stack. */
export const NARROW_BELOW_PX = 700;

export function modeForWidth(px: number | undefined): LayoutMode {
  return px !== undefined && Number.isFinite(px) && px > 0 && px < NARROW_BELOW_PX ? "narrow" : "wide";
}

export const FONT_PX = 12;
/** Average advance of a system-ui glyph at FONT_PX, generous so labels never spill. */
const CHAR_PX = 6.8;
export const LINE_PX = 15;

export function textWidth(text: string, fontPx = FONT_PX): number {
  return text.length * CHAR_PX * (fontPx / FONT_PX);
}

/** Whether `lines` of text fit inside `r` with a small padding. */
export function fitsText(r: Rect, lines: readonly string[], fontPx = FONT_PX): boolean {
  if (lines.length === 0) return true;
  const widest = Math.max(...lines.map((l) => textWidth(l, fontPx)));
  return r.w >= widest + 8 && r.h >= lines.length * LINE_PX * (fontPx / FONT_PX) + 4;
}

/** Cuts a label to fit `maxPx`, ending in "…". */
export function truncate(text: string, maxPx: number, fontPx = FONT_PX): string {
  if (textWidth(text, fontPx) <= maxPx) return text;
  const n = Math.max(0, Math.floor(maxPx / (CHAR_PX * (fontPx / FONT_PX))) - 1);
  return n === 0 ? "" : `${text.slice(0, n)}…`;
}

export function area(r: Rect): number {
  return Math.max(0, r.w) * Math.max(0, r.h);
}

export function inset(r: Rect, by: number): Rect {
  const d = Math.min(by, r.w / 2, r.h / 2);
  return { x: r.x + d, y: r.y + d, w: r.w - 2 * d, h: r.h - 2 * d };
}

/**
 * A cell too small to see is drawn at least `minPx` on each side, centred on
 * where it belongs and kept inside `bounds`; the caller marks it as enlarged
 * so the picture never pretends a 0.1 px container is to scale.
 */
export function atLeast(r: Rect, minPx: number, bounds: Rect): { rect: Rect; enlarged: boolean } {
  if (r.w >= minPx && r.h >= minPx) return { rect: r, enlarged: false };
  const w = Math.max(r.w, minPx);
  const h = Math.max(r.h, minPx);
  const x = Math.min(Math.max(r.x + r.w / 2 - w / 2, bounds.x), bounds.x + bounds.w - w);
  const y = Math.min(Math.max(r.y + r.h / 2 - h / 2, bounds.y), bounds.y + bounds.h - h);
  return { rect: { x, y, w, h }, enlarged: true };
}

/** Rounds for SVG attributes: stable output, small files. */
export function r2(n: number): number {
  return Math.round(n * 100) / 100;
}
