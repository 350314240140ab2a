import { eventStream, SSE_HEADERS } from "@/server/metrics/event-stream";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Server-sent events: instance, instance-removed, sample, experiment; a heartbeat comment every 15 s. */
export const GET = route(async (req: Request) => {
  const app = await getApp();
  return new Response(eventStream({ signal: req.signal, events: app.bus }), { headers: SSE_HEADERS });
});
