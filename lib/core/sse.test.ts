import { describe, expect, it } from "vitest";
import { formatSseComment, formatSseEvent, formatSseRetry, SseParser } from "./sse";

describe("formatSseEvent", () => {
  it.each([
    ["instance", { id: "ct-1", state: "running" }, 'event: instance\ndata: {"id":"ct-1","state":"running"}\n\n'],
    ["sample", "two\nlines", "event: sample\ndata: two\ndata: lines\n\n"],
    ["instance-removed", { id: "x" }, 'event: instance-removed\ndata: {"id":"x"}\n\n'],
  ])("%s", (event, data, wire) => expect(formatSseEvent(event, data)).toBe(wire));
  it("refuses an event name that would break the framing", () => expect(() => formatSseEvent("a\nb", 1)).toThrow());
  it("comments and retry", () => {
    expect(formatSseComment("heartbeat\n1")).toBe(": heartbeat 1\n\n");
    expect(formatSseRetry(2000.4)).toBe("retry: 2000\n\n");
  });
});

describe("SseParser", () => {
  it("reassembles events split across chunks and skips comments", () => {
    const p = new SseParser();
    const wire = formatSseComment("hi") + formatSseRetry(1000) + formatSseEvent("instance", { a: 1 }) + formatSseEvent("sample", "x\ny");
    const got = [];
    for (let i = 0; i < wire.length; i += 7) got.push(...p.push(wire.slice(i, i + 7)));
    expect(got).toEqual([
      { event: "instance", data: '{"a":1}' },
      { event: "sample", data: "x\ny" },
    ]);
  });
  it("defaults the event name to message", () => expect(new SseParser().push("data: 1\n\n")).toEqual([{ event: "message", data: "1" }]));
});
