import { NextResponse } from "next/server";
import { ExecRequestSchema, InstanceIdSchema } from "@/lib/schemas/instance";
import { getApp } from "@/server/app";
import { parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const POST = route(async (req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  const body = await parseBody(req, ExecRequestSchema);
  // req.signal aborts when the client goes away: the command is killed
  // rather than left running for nobody.
  return NextResponse.json(await (await getApp()).supervisor.exec(id, body, { signal: req.signal }));
});
