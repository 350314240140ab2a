import { describe, expect, it } from "vitest";
import { area, atLeast, fitsText, modeForWidth, truncate, type Rect } from "./geometry";
import { slice, squarify, type TreemapCell } from "./treemap";

const R: Rect = { x: 10, y: 20, w: 600, h: 400 };
const inside = (c: TreemapCell, r: Rect) => c.x >= r.x - 1e-6 && c.y >= r.y - 1e-6 && c.x + c.w <= r.x + r.w + 1e-6 && c.y + c.h <= r.y + r.h + 1e-6;
const overlap = (a: TreemapCell, b: TreemapCell) =>
  Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1e-6 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1e-6;

describe("squarify", () => {
  it.each([
    ["a host of 24 GiB: OS, two VMs, three containers, free", [4096, 170, 165, 1.2, 1.1, 1.3, 19800]],
    ["equal parts", [1, 1, 1, 1]],
    ["one item", [42]],
    ["wildly different", [1e9, 1, 1e-3]],
  ])("areas are proportional to values: %s", (_, values) => {
    const cells = squarify(
      values.map((value, i) => ({ id: `c${i}`, value })),
      R,
    );
    const total = values.reduce((a, b) => a + b, 0);
    cells.forEach((c, i) => expect(area(c) / area(R)).toBeCloseTo(values[i] / total, 9));
    cells.forEach((c) => expect(inside(c, R)).toBe(true));
    for (let i = 0; i < cells.length; i++) for (let j = i + 1; j < cells.length; j++) expect(overlap(cells[i], cells[j])).toBe(false);
  });

  it("keeps input order and ids", () => {
    const cells = squarify(
      [
        { id: "small", value: 1 },
        { id: "big", value: 9 },
      ],
      R,
    );
    expect(cells.map((c) => c.id)).toEqual(["small", "big"]);
    expect(cells[1].w * cells[1].h).toBeCloseTo(0.9 * 600 * 400, 6);
  });

  it("keeps cells near square for equal values", () => {
    const cells = squarify(
      Array.from({ length: 6 }, (_, i) => ({ id: String(i), value: 1 })),
      { x: 0, y: 0, w: 300, h: 200 },
    );
    for (const c of cells) expect(Math.max(c.w / c.h, c.h / c.w)).toBeLessThan(2.5);
  });

  it.each([
    ["no items", []],
    ["all zero", [0, 0]],
    ["NaN and negative", [NaN, -5, Infinity]],
  ])("degenerate input gives empty cells, not NaN: %s", (_, values) => {
    const cells = squarify(
      values.map((value, i) => ({ id: `c${i}`, value })),
      R,
    );
    expect(cells).toHaveLength(values.length);
    for (const c of cells) expect([c.x, c.y, c.w, c.h]).toEqual([R.x, R.y, 0, 0]);
  });

  it("a bad value among good ones gets nothing and the rest still fill the rectangle", () => {
    const cells = squarify(
      [
        { id: "a", value: 3 },
        { id: "bad", value: NaN },
        { id: "b", value: 1 },
      ],
      R,
    );
    expect(area(cells[1])).toBe(0);
    expect(area(cells[0]) + area(cells[2])).toBeCloseTo(area(R), 6);
  });

  it("a zero-sized rectangle gives empty cells", () => {
    expect(squarify([{ id: "a", value: 1 }], { x: 0, y: 0, w: 0, h: 50 })[0].w).toBe(0);
  });
});

describe("slice", () => {
  it("splits along the longer side in proportion", () => {
    const cells = slice(
      [
        { id: "a", value: 1 },
        { id: "b", value: 3 },
      ],
      { x: 0, y: 0, w: 100, h: 20 },
    );
    expect(cells.map((c) => [c.x, c.w, c.h])).toEqual([
      [0, 25, 20],
      [25, 75, 20],
    ]);
    const tall = slice(
      [
        { id: "a", value: 1 },
        { id: "b", value: 1 },
      ],
      { x: 0, y: 0, w: 10, h: 100 },
    );
    expect(tall.map((c) => [c.y, c.h])).toEqual([
      [0, 50],
      [50, 50],
    ]);
  });
  it("all zero gives zero-length strips", () => {
    expect(slice([{ id: "a", value: 0 }], { x: 0, y: 0, w: 10, h: 5 })[0].w).toBe(0);
  });
});

describe("geometry", () => {
  it("atLeast enlarges a tiny cell around its centre, inside the bounds, and says so", () => {
    const b = { x: 0, y: 0, w: 100, h: 100 };
    expect(atLeast({ x: 50, y: 50, w: 0.2, h: 0.2 }, 4, b)).toEqual({ rect: { x: 48.1, y: 48.1, w: 4, h: 4 }, enlarged: true });
    expect(atLeast({ x: 99.9, y: 0, w: 0.1, h: 0.1 }, 4, b).rect).toEqual({ x: 96, y: 0, w: 4, h: 4 });
    expect(atLeast({ x: 1, y: 1, w: 10, h: 10 }, 4, b)).toEqual({ rect: { x: 1, y: 1, w: 10, h: 10 }, enlarged: false });
  });
  it("fitsText and truncate", () => {
    expect(fitsText({ x: 0, y: 0, w: 200, h: 40 }, ["guest OS", "40 MiB"])).toBe(true);
    expect(fitsText({ x: 0, y: 0, w: 20, h: 40 }, ["guest OS"])).toBe(false);
    expect(fitsText({ x: 0, y: 0, w: 200, h: 10 }, ["guest OS"])).toBe(false);
    expect(truncate("6.1.0-56-cloud-amd64", 60)).toMatch(/…$/);
    expect(truncate("short", 200)).toBe("short");
    expect(truncate("abc", 1)).toBe("");
  });
  it.each([
    [390, "narrow"],
    [1240, "wide"],
    [undefined, "wide"],
    [0, "wide"],
    [NaN, "wide"],
  ] as const)("modeForWidth(%s) = %s", (px, mode) => expect(modeForWidth(px)).toBe(mode));
});
