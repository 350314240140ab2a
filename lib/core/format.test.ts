import { describe, expect, it } from "vitest";
import { formatBytes, formatMs, formatPercent } from "./format";

describe("format", () => {
  it.each([
    [undefined, "—"],
    [0.42, "0.4 ms"],
    [31.6, "32 ms"],
    [1234, "1.23 s"],
    [12_345, "12.3 s"],
  ])("formatMs(%s) = %s", (v, s) => expect(formatMs(v)).toBe(s));
  it.each([
    [512, "512 B"],
    [1536, "1.5 KiB"],
    [128 * 2 ** 20, "128 MiB"],
    [24 * 2 ** 30, "24.0 GiB"],
    [NaN, "—"],
  ])("formatBytes(%s) = %s", (v, s) => expect(formatBytes(v)).toBe(s));
  it("formatPercent", () => {
    expect(formatPercent(3.14159)).toBe("3.1 %");
    expect(formatPercent(42.2)).toBe("42 %");
  });
});
