import { describe, expect, it } from "vitest";
import { howManyFit, linearFit } from "./linear-fit";

describe("linearFit", () => {
  it("recovers an exact line with R² 1", () => {
    const fit = linearFit([0, 1, 2, 3].map((x) => ({ x, y: 5 + 2 * x })));
    expect(fit).toEqual({ slope: 2, intercept: 5, r2: 1, n: 4 });
  });

  it("fits noise by least squares", () => {
    const fit = linearFit([
      { x: 0, y: 0 },
      { x: 1, y: 1.2 },
      { x: 2, y: 1.8 },
      { x: 3, y: 3.1 },
    ])!;
    expect(fit.slope).toBeCloseTo(0.99, 10);
    expect(fit.r2).toBeGreaterThan(0.98);
    expect(fit.r2).toBeLessThan(1);
  });

  it("gives a falling slope for a falling series", () => {
    expect(
      linearFit([
        { x: 0, y: 10 },
        { x: 2, y: 6 },
      ])!.slope,
    ).toBe(-2);
  });

  it.each([
    ["no points", []],
    ["one point", [{ x: 1, y: 1 }]],
    [
      "every x the same",
      [
        { x: 2, y: 1 },
        { x: 2, y: 5 },
      ],
    ],
    [
      "only one finite point",
      [
        { x: 0, y: NaN },
        { x: 1, y: 1 },
        { x: Infinity, y: 2 },
      ],
    ],
  ])("is null for %s", (_name, points) => {
    expect(linearFit(points)).toBeNull();
  });

  it("leaves non-finite points out", () => {
    expect(
      linearFit([
        { x: 0, y: 0 },
        { x: 1, y: NaN },
        { x: 2, y: 4 },
      ]),
    ).toMatchObject({ slope: 2, n: 2 });
  });

  it("has no R² when y never moves", () => {
    expect(
      linearFit([
        { x: 0, y: 3 },
        { x: 1, y: 3 },
      ]),
    ).toEqual({ slope: 0, intercept: 3, r2: null, n: 2 });
  });
});

describe("howManyFit", () => {
  it.each([
    [100, 10, 10],
    [105, 10, 10],
    [9, 10, 0],
    [-5, 10, 0],
    [100, 0, null],
    [100, -1, null],
    [100, NaN, null],
    [NaN, 10, null],
    [Infinity, 10, null],
    [100, Infinity, null],
  ])("%d / %d → %s", (budget, per, expected) => {
    expect(howManyFit(budget, per)).toBe(expected);
  });
});
