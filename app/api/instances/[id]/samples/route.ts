import { NextResponse } from "next/server";
import { samplesToCsv } from "@/lib/metrics/samples";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { parseSampleQuery } from "@/lib/schemas/samples";
import { route } from "@/server/http/respond";
import { instanceSamples } from "@/server/services/metrics";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** ?window=60|300|900 seconds, &format=json|csv (csv downloads as a file). */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  const { window, format } = parseSampleQuery(req.url);
  const result = instanceSamples(await getApp(), id, window);
  if (format === "json") return NextResponse.json(result);
  return new Response(samplesToCsv(result.samples), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${result.name}-${window}s.csv"`,
    },
  });
});
