import { describe, expect, it } from "vitest";
import { parseSampleQuery } from "./samples";

describe("parseSampleQuery", () => {
  it.each([
    ["http://x/a", { window: 60, format: "json" }],
    ["http://x/a?window=300", { window: 300, format: "json" }],
    ["http://x/a?window=900&format=csv", { window: 900, format: "csv" }],
  ])("%s", (url, q) => expect(parseSampleQuery(url)).toEqual(q));
  it.each([
    ["http://x/a?window=61", /window must be one of 60, 300, 900/],
    ["http://x/a?format=xml", /format must be json or csv/],
  ])("refuses %s", (url, err) => expect(() => parseSampleQuery(url)).toThrow(err));
});
