import { NextResponse } from "next/server";
import { ExperimentPlanSchema } from "@/lib/schemas/experiment";
import { getApp } from "@/server/app";
import { parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Past and current runs, newest first, without raw samples. */
export const GET = route(async () => {
  return NextResponse.json({ experiments: (await getApp()).runner.list() });
});

/** Queues a run (one runs at a time, the rest wait as `queued`); 202 with its id. */
export const POST = route(async (req: Request) => {
  const plan = await parseBody(req, ExperimentPlanSchema);
  const item = (await getApp()).runner.submit(plan);
  return NextResponse.json({ id: item.id, status: item.status }, { status: 202, headers: { location: `/api/experiments/${item.id}` } });
});
