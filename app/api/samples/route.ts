import { NextResponse } from "next/server";
import { parseSampleQuery } from "@/lib/schemas/samples";
import { route } from "@/server/http/respond";
import { samplesSnapshot } from "@/server/metrics/queries";

export const dynamic = "force-dynamic";

/** Host history for ?window= seconds, the sampler's own cost and every instance's latest reading. */
export const GET = route(async (req: Request) => {
  const { window } = parseSampleQuery(req.url);
  return NextResponse.json(await samplesSnapshot(window));
});
