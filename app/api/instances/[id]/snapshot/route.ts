import { NextResponse } from "next/server";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { CreateSnapshotSchema } from "@/lib/schemas/snapshot";
import { parseBody, route } from "@/server/http/respond";
import { snapshotInstance } from "@/server/services/snapshots";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Saves a running VM as a snapshot; body `{ resume?: boolean }` (default true). */
export const POST = route(async (req: Request, { params }: Ctx) => {
  const id = InstanceIdSchema.parse((await params).id);
  const opts = await parseBody(req, CreateSnapshotSchema);
  return NextResponse.json(await snapshotInstance(await getApp(), id, opts), { status: 201 });
});
