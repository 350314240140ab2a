import { NextResponse } from "next/server";
import { z } from "zod";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };
const LinesSchema = z.coerce.number().int().min(1).max(5000).default(200);

export const GET = route(async (req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  const lines = LinesSchema.parse(new URL(req.url).searchParams.get("lines") ?? undefined);
  return NextResponse.json({ id, log: (await getApp()).supervisor.logTail(id, lines) });
});
