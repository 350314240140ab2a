import { describe, expect, it } from "vitest";
import { measurePoints, scheduleFor } from "./schedule";

describe("measurePoints", () => {
  it.each([
    [300, "geometric", [1, 2, 5, 10, 20, 50, 100, 200, 300]],
    [500, "geometric", [1, 2, 5, 10, 20, 50, 100, 200, 500]],
    [7, "geometric", [1, 2, 5, 7]],
    [1, "geometric", [1]],
    [4, "each", [1, 2, 3, 4]],
    [0, "each", []],
  ] as const)("up to %d, %s", (max, schedule, points) => expect(measurePoints(max, schedule)).toEqual(points));
});

describe("scheduleFor", () => {
  it.each([
    [10, undefined, "each"],
    [20, undefined, "each"],
    [21, undefined, "geometric"],
    [300, "each", "each"],
    [5, "geometric", "geometric"],
  ] as const)("max %d, planned %s → %s", (max, planned, want) => expect(scheduleFor(max, planned, 20)).toBe(want));
});
