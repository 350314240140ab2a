import { NextResponse } from "next/server";
import { PrometheusStartSchema } from "@/lib/schemas/fleet";
import { getApp } from "@/server/app";
import { parseBody, route } from "@/server/http/respond";
import { startPrometheus } from "@/server/services/fleet";

export const dynamic = "force-dynamic";

/** `{}` starts Isolab's own Prometheus on 127.0.0.1; `{ "url": … }` uses an existing one. */
export const POST = route(async (req: Request) => {
  const { url } = await parseBody(req, PrometheusStartSchema);
  return NextResponse.json(await startPrometheus(await getApp(), url));
});
