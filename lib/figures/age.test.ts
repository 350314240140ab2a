import { describe, expect, it } from "vitest";
import { formatAge, freshness, oldest } from "./age";

describe("age", () => {
  it.each([
    [0, "just now"],
    [-500, "just now"],
    [12_000, "12 s ago"],
    [12 * 60_000 + 5000, "12 min ago"],
    [3 * 3600_000, "3 h ago"],
    [5 * 86400_000, "5 d ago"],
    [NaN, "at an unknown time"],
  ])("formatAge(%s) = %s", (ms, text) => expect(formatAge(ms)).toBe(text));

  it("freshness marks old readings stale", () => {
    const now = Date.parse("2026-01-01T12:12:00Z");
    expect(freshness("2026-01-01T12:00:00Z", now, 60_000)).toEqual({ ageMs: 720_000, stale: true, text: "stale: 12 min ago" });
    expect(freshness("2026-01-01T12:11:50Z", now, 60_000)?.text).toBe("10 s ago");
    expect(freshness(null, now, 1)).toBeNull();
    expect(freshness("not a date", now, 1)).toBeNull();
  });

  it("oldest picks the earliest valid timestamp", () => {
    expect(oldest(["2026-01-01T12:00:05Z", null, "bad", "2026-01-01T12:00:01Z"])).toBe("2026-01-01T12:00:01Z");
    expect(oldest([])).toBeNull();
  });
});
