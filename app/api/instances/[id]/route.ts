import { NextResponse } from "next/server";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { getSupervisor } from "@/server/instances";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  return NextResponse.json((await getSupervisor()).get(id));
});

/** Stops the instance if it runs, then forgets it and removes its files. */
export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  await (await getSupervisor()).remove(id);
  return new NextResponse(null, { status: 204 });
});
