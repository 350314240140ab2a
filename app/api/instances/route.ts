import { NextResponse } from "next/server";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import { getSupervisor } from "@/server/instances";
import { parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const supervisor = await getSupervisor();
  return NextResponse.json({ instances: supervisor.list() });
});

export const POST = route(async (req: Request) => {
  const input = await parseBody(req, CreateInstanceSchema);
  const supervisor = await getSupervisor();
  const instance = await supervisor.create(input);
  return NextResponse.json(instance, { status: 201 });
});
