import { describe, expect, it } from "vitest";
import { MAX_COLS, MAX_ROWS, checkSize, chunks, sizeFromQuery, terminalInstanceId } from "./protocol";

describe("checkSize", () => {
  it.each([
    [0, 0],
    [24, 0],
    [-1, 80],
    [24.5, 80],
    [Number.NaN, 80],
  ])("refuses %s×%s", (rows, cols) => {
    expect(checkSize(rows, cols)).toMatchObject({ ok: false });
  });
  it("clamps sizes beyond the maximum and says so", () => {
    expect(checkSize(24, 100_000)).toEqual({ ok: true, rows: 24, cols: MAX_COLS, clamped: true });
    expect(checkSize(10_000, 80)).toEqual({ ok: true, rows: MAX_ROWS, cols: 80, clamped: true });
    expect(checkSize(40, 120)).toEqual({ ok: true, rows: 40, cols: 120, clamped: false });
  });
});

describe("sizeFromQuery", () => {
  it("takes a good size, falls back to 24×80 for a bad one", () => {
    expect(sizeFromQuery(new URLSearchParams("rows=30&cols=100"))).toEqual({ rows: 30, cols: 100 });
    expect(sizeFromQuery(new URLSearchParams("rows=0&cols=0"))).toEqual({ rows: 24, cols: 80 });
    expect(sizeFromQuery(new URLSearchParams("rows=abc"))).toEqual({ rows: 24, cols: 80 });
    expect(sizeFromQuery(new URLSearchParams(""))).toEqual({ rows: 24, cols: 80 });
  });
});

describe("chunks", () => {
  it("cuts bytes into pieces of at most the size, in order", () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);
    expect(chunks(bytes, 4).map((c) => [...c])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(chunks(new Uint8Array(0), 4)).toEqual([]);
  });
});

describe("terminalInstanceId", () => {
  it("takes an instance id from a terminal path and nothing else", () => {
    expect(terminalInstanceId("/ws/terminal/ct-1a2b")).toBe("ct-1a2b");
    expect(terminalInstanceId("/ws/terminal/../etc")).toBeNull();
    expect(terminalInstanceId("/ws/terminal/")).toBeNull();
    expect(terminalInstanceId("/ws/terminal/a/b")).toBeNull();
    expect(terminalInstanceId("/_next/webpack-hmr")).toBeNull();
  });
});
