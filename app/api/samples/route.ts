import { NextResponse } from "next/server";
import { hostSamplesToCsv } from "@/lib/metrics/samples";
import { parseSampleQuery } from "@/lib/schemas/samples";
import { route } from "@/server/http/respond";
import { samplesSnapshot } from "@/server/services/metrics";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Host history for ?window= seconds, the sampler's own cost and every instance's latest reading; &format=csv: the host history alone. */
export const GET = route(async (req: Request) => {
  const { window, format } = parseSampleQuery(req.url);
  const snapshot = samplesSnapshot(await getApp(), window);
  if (format === "json") return NextResponse.json(snapshot);
  return new Response(hostSamplesToCsv(snapshot.host), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="host-${window}s.csv"` },
  });
});
