import { describe, expect, it } from "vitest";
import { TailText } from "./tail-text";

describe("TailText", () => {
  it("keeps short output as it is", () => {
    const t = new TailText(10);
    t.push("abc");
    t.push("def");
    expect(t.truncated).toBe(false);
    expect(t.toString()).toBe("abcdef");
  });

  it("keeps only the last characters and says how many were cut", () => {
    const t = new TailText(10);
    for (let i = 0; i < 10; i++) t.push(`line ${i}\n`);
    expect(t.truncated).toBe(true);
    const text = t.toString();
    expect(text).toBe("[output truncated: the first 60 characters were cut; the last 10 are kept]\n 8\nline 9\n");
  });

  it("stays bounded however much is pushed", () => {
    const t = new TailText(1000);
    for (let i = 0; i < 10_000; i++) t.push("x".repeat(100));
    expect(t.toString().length).toBeLessThan(1200);
  });

  it("joins lines like Array.join, an empty first line included", () => {
    const t = new TailText(100);
    for (const line of ["", "a", ""]) t.push(t.empty ? line : `\n${line}`);
    expect(t.toString()).toBe(["", "a", ""].join("\n"));
  });
});
