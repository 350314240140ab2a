import { PROMETHEUS_CONTENT_TYPE } from "@/lib/metrics/prometheus";
import { route } from "@/server/http/respond";
import { metricsText } from "@/server/services/metrics";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Prometheus text exposition: per-instance host and guest views, startup, host totals, sampler cost. */
export const GET = route(async () => new Response(metricsText(await getApp()), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } }));
