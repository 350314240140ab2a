import { NextResponse } from "next/server";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  return NextResponse.json((await getApp()).supervisor.get(id));
});

/** Stops the instance if it runs, then forgets it and removes its files. */
export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  await (await getApp()).supervisor.remove(id);
  return new NextResponse(null, { status: 204 });
});
