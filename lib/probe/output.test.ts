import { describe, expect, it } from "vitest";
import { parseLastJson, parseProgressLines } from "./output";

describe("parseLastJson", () => {
  it.each([
    ['{"a":1}\n', { a: 1 }],
    ['{"progress":true,"n":1}\n{"done":2}\n\n', { done: 2 }],
    ["plain text\n", undefined],
    ['{"torn":', undefined],
    ["", undefined],
    ['{"x":1}\nKilled\n', { x: 1 }],
  ])("%j → %j", (output, expected) => expect(parseLastJson(output)).toEqual(expected));
});

describe("parseProgressLines", () => {
  it("keeps progress lines only and survives a torn last line", () => {
    const out = '{"progress":true,"touchedMiB":8}\n{"progress":true,"touchedMiB":16}\n{"progress":tr';
    expect(parseProgressLines(out)).toEqual([
      { progress: true, touchedMiB: 8 },
      { progress: true, touchedMiB: 16 },
    ]);
  });
});
