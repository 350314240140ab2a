import { NextResponse } from "next/server";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Idempotent: stopping a stopped instance answers 200 with it. */
export const POST = route(async (_req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  return NextResponse.json(await (await getApp()).supervisor.stop(id));
});
