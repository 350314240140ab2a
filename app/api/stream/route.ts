import { eventStream, SSE_HEADERS } from "@/server/metrics/event-stream";
import { liveSampler } from "@/server/metrics";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Server-sent events: instance, instance-removed, sample, experiment; a heartbeat comment every 15 s. */
export const GET = route(async (req: Request) => {
  await liveSampler();
  return new Response(eventStream({ signal: req.signal }), { headers: SSE_HEADERS });
});
