import { NextResponse } from "next/server";
import { eventStream, MAX_EVENT_STREAMS, openStreamCount, SSE_HEADERS, STREAMS_FULL_RETRY_AFTER_S } from "@/server/metrics/event-stream";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Server-sent events: instance, instance-removed, sample, experiment; a heartbeat comment every 15 s. */
export const GET = route(async (req: Request) => {
  const app = await getApp();
  if (openStreamCount(app.bus) >= MAX_EVENT_STREAMS) {
    const error = `Isolab already serves ${MAX_EVENT_STREAMS} live streams (the most it keeps open); close another dashboard tab or retry in ${STREAMS_FULL_RETRY_AFTER_S} s.`;
    return NextResponse.json({ error, details: { limit: MAX_EVENT_STREAMS } }, { status: 503, headers: { "retry-after": String(STREAMS_FULL_RETRY_AFTER_S) } });
  }
  return new Response(eventStream({ signal: req.signal, events: app.bus }), { headers: SSE_HEADERS });
});
