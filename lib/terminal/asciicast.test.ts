import { describe, expect, it } from "vitest";
import { eventLine, headerLine, parseAsciicast, replaySchedule } from "./asciicast";

describe("asciicast v2", () => {
  it("writes a header and events that parse back", () => {
    const text =
      headerLine({ version: 2, width: 100, height: 30, timestamp: 1700000000 }) + eventLine(0.1234567, "o", "$ uname -r\r\n") + eventLine(1.5, "r", "120x40");
    const cast = parseAsciicast(text);
    expect(cast.header).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(cast.events).toEqual([
      [0.123457, "o", "$ uname -r\r\n"],
      [1.5, "r", "120x40"],
    ]);
  });
  it("skips a line cut off by the size bound, refuses what is not a v2 recording", () => {
    const text = `${headerLine({ version: 2, width: 80, height: 24, timestamp: 0 })}[0.1, "o", "a"]\n[0.2, "o", "b`;
    expect(parseAsciicast(text).events).toEqual([[0.1, "o", "a"]]);
    expect(() => parseAsciicast('{"version":1}\n')).toThrow("asciicast v2");
  });
  it("replays with the recorded gaps, each capped", () => {
    expect(
      replaySchedule(
        [
          [0.5, "o", "a"],
          [0.7, "o", "b"],
          [10, "o", "c"],
        ],
        1,
      ),
    ).toEqual([0.5, 0.7, 1.7]);
  });
});
