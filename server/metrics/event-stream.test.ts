import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { SseParser } from "@/lib/core/sse";
import type { BusEvents } from "@/server/events";
import { eventStream, openStreamCount, streamListenerCount } from "./event-stream";

async function readSome(stream: ReadableStream<Uint8Array>, n: number) {
  const reader = stream.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const got: { event: string; data: string }[] = [];
  let raw = "";
  while (got.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += decoder.decode(value);
    got.push(...parser.push(decoder.decode(value)));
  }
  reader.releaseLock();
  return { got, raw };
}

describe("eventStream", () => {
  it("forwards every bus event by name and removes its listeners on abort", async () => {
    const events = new EventEmitter<BusEvents>();
    const ac = new AbortController();
    const stream = eventStream({ signal: ac.signal, events, heartbeatMs: 60_000 });
    expect(streamListenerCount(events)).toBe(4);
    events.emit("instance", { id: "ct-1", name: "a", kind: "container", image: "probe", state: "running", memoryMiB: 64, cpus: 1, createdAt: "x" });
    events.emit("instance-removed", { id: "ct-1" });
    events.emit("sample", { t: 1 });
    events.emit("experiment", { id: "e1", progress: 0.5 });
    const { got, raw } = await readSome(stream, 4);
    expect(raw.startsWith("retry: 1500\n\n: connected\n\n")).toBe(true);
    expect(got.map((m) => m.event)).toEqual(["instance", "instance-removed", "sample", "experiment"]);
    expect(JSON.parse(got[3].data)).toEqual({ id: "e1", progress: 0.5 });
    ac.abort();
    expect(streamListenerCount(events)).toBe(0);
  });

  it("formats an event once for every client and keeps names apart", async () => {
    const events = new EventEmitter<BusEvents>();
    const [a, b] = [new AbortController(), new AbortController()];
    const streams = [eventStream({ signal: a.signal, events }), eventStream({ signal: b.signal, events })];
    const payload = { t: 1 };
    events.emit("sample", payload);
    events.emit("experiment", payload);
    for (const s of streams) expect((await readSome(s, 2)).got.map((m) => m.event)).toEqual(["sample", "experiment"]);
    a.abort();
    b.abort();
  });

  it("sends heartbeat comments", async () => {
    const events = new EventEmitter<BusEvents>();
    const ac = new AbortController();
    const reader = eventStream({ signal: ac.signal, events, heartbeatMs: 20 }).getReader();
    const decoder = new TextDecoder();
    let raw = "";
    while (!raw.includes(": heartbeat")) raw += decoder.decode((await reader.read()).value);
    ac.abort();
    expect(streamListenerCount(events)).toBe(0);
  });

  it("cleans up when the reader cancels", async () => {
    const events = new EventEmitter<BusEvents>();
    const stream = eventStream({ events });
    await stream.cancel();
    expect(streamListenerCount(events)).toBe(0);
  });

  it("counts open streams per bus, down again on abort and on cancel", async () => {
    const events = new EventEmitter<BusEvents>();
    const ac = new AbortController();
    eventStream({ signal: ac.signal, events });
    const cancelled = eventStream({ events });
    expect(openStreamCount(events)).toBe(2);
    expect(openStreamCount(new EventEmitter<BusEvents>())).toBe(0);
    ac.abort();
    ac.abort();
    await cancelled.cancel();
    expect(openStreamCount(events)).toBe(0);
  });
});
