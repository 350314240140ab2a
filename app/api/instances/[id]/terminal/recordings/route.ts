import { NextResponse } from "next/server";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";
import { listRecordings } from "@/server/services/terminal-recordings";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  return NextResponse.json({ recordings: listRecordings(await getApp(), id) });
});
