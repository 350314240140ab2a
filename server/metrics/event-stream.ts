import "server-only";
import type { EventEmitter } from "node:events";
import { formatSseComment, formatSseEvent, formatSseRetry } from "@/lib/core/sse";
import { bus, type BusEvents } from "@/server/events";

// GET /api/stream as a ReadableStream: every bus event, as a server-sent
// event of the same name, plus a heartbeat comment. Listeners are removed
// when the client goes away (abort) or the stream is cancelled.

export const STREAMED_EVENTS = ["instance", "instance-removed", "sample", "experiment"] as const satisfies readonly (keyof BusEvents)[];
export const HEARTBEAT_MS = 15_000;
/** Open streams one server serves at most: each holds a connection and a listener per event. */
export const MAX_EVENT_STREAMS = 32;
/** What a refused client is told to wait before trying again, seconds. */
export const STREAMS_FULL_RETRY_AFTER_S = 10;
/** How long a browser waits before reconnecting after the server went away, ms. */
export const RECONNECT_MS = 1500;

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-transform: Next's gzip would otherwise buffer events until a chunk fills.
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

// Every connected browser gets the same event object; format it once.
const formatted = new WeakMap<object, { name: string; text: string }>();
function serialized(name: string, payload: unknown): string {
  if (typeof payload !== "object" || payload === null) return formatSseEvent(name, payload);
  const hit = formatted.get(payload);
  if (hit?.name === name) return hit.text;
  const text = formatSseEvent(name, payload);
  formatted.set(payload, { name, text });
  return text;
}

// Open streams per bus (the app's, or a test's own).
const openStreams = new WeakMap<object, number>();

/** Streams currently open on this bus. */
export function openStreamCount(events: EventEmitter<BusEvents> = bus()): number {
  return openStreams.get(events) ?? 0;
}

export function eventStream(opts: { signal?: AbortSignal; heartbeatMs?: number; events?: EventEmitter<BusEvents> } = {}): ReadableStream<Uint8Array> {
  const events = opts.events ?? bus();
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      openStreams.set(events, openStreamCount(events) + 1);
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const listeners = STREAMED_EVENTS.map((name) => {
        const fn = (payload: unknown) => write(serialized(name, payload));
        events.on(name, fn as never);
        return [name, fn] as const;
      });
      const heartbeat = setInterval(() => write(formatSseComment(`heartbeat ${new Date().toISOString()}`)), opts.heartbeatMs ?? HEARTBEAT_MS);
      heartbeat.unref();
      cleanup = () => {
        if (closed) return;
        closed = true;
        openStreams.set(events, openStreamCount(events) - 1);
        clearInterval(heartbeat);
        for (const [name, fn] of listeners) events.off(name, fn as never);
        opts.signal?.removeEventListener("abort", onAbort);
        try {
          controller.close();
        } catch {
          // already closed by the reader
        }
      };
      const onAbort = () => cleanup();
      if (opts.signal?.aborted) return cleanup();
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      // Sent at once so the browser's `open` fires before the first event.
      write(formatSseRetry(RECONNECT_MS) + formatSseComment("connected"));
    },
    cancel() {
      cleanup();
    },
  });
}

/** Listeners currently attached for the stream (for tests and the leak check). */
export function streamListenerCount(events: EventEmitter<BusEvents> = bus()): number {
  return STREAMED_EVENTS.reduce((n, name) => n + events.listenerCount(name), 0);
}
