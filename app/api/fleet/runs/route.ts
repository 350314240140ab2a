import { NextResponse } from "next/server";
import { FleetRunInputSchema } from "@/lib/schemas/fleet";
import { getApp } from "@/server/app";
import { parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Fleet runs, newest first, as stored. */
export const GET = route(async () => NextResponse.json({ runs: (await getApp()).fleet.runs.list() }));

/** `{ hosts: [names], plan }`: the plan submitted to each host's Isolab with its token; 202 with each host's experiment id or why not. */
export const POST = route(async (req: Request) => {
  const input = await parseBody(req, FleetRunInputSchema);
  const run = await (await getApp()).fleet.runs.submit(input);
  return NextResponse.json(run, { status: 202, headers: { location: `/api/fleet/runs/${run.id}` } });
});
