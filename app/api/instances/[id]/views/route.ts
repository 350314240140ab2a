import { NextResponse } from "next/server";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { route } from "@/server/http/respond";
import { whatItSees } from "@/server/services/metrics";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** `probe info` inside the instance beside the host's own, with the differences marked. */
export const GET = route(async (_req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  return NextResponse.json(await whatItSees(await getApp(), id));
});
