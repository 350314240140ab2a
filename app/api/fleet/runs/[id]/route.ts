import { NextResponse } from "next/server";
import { FleetRunIdSchema } from "@/lib/schemas/fleet";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Every host's run side by side: asked of the hosts until all finished, then from the stored copy. */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const id = FleetRunIdSchema.parse((await params).id);
  return NextResponse.json(await (await getApp()).fleet.runs.get(id));
});
