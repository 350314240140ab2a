import { NextResponse } from "next/server";
import { samplesToCsv } from "@/lib/experiments/csv";
import { ExperimentIdSchema, ExportQuerySchema } from "@/lib/schemas/experiment";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** The record; `?format=csv` (one row per raw sample) or `?format=json` (the record) as a download. */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const id = ExperimentIdSchema.parse((await params).id);
  const { format } = ExportQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const record = (await getApp()).runner.get(id);
  const file = `isolab-${record.type}-${record.id}`;
  if (format === "csv") {
    return new NextResponse(samplesToCsv(record.id, record.samples), {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${file}.csv"` },
    });
  }
  if (format === "json") {
    return new NextResponse(JSON.stringify(record, null, 2), {
      headers: { "content-type": "application/json", "content-disposition": `attachment; filename="${file}.json"` },
    });
  }
  return NextResponse.json(record);
});

/** Cancels a queued or running run and removes its instances; a finished run is answered unchanged. */
export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const id = ExperimentIdSchema.parse((await params).id);
  return NextResponse.json(await (await getApp()).runner.cancel(id));
});
