import { NextResponse } from "next/server";
import { SnapshotIdSchema } from "@/lib/schemas/snapshot";
import { route } from "@/server/http/respond";
import { deleteSnapshot, getSnapshot } from "@/server/services/snapshots";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const id = SnapshotIdSchema.parse((await params).id);
  return NextResponse.json(await getSnapshot(await getApp(), id));
});

export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const id = SnapshotIdSchema.parse((await params).id);
  deleteSnapshot(await getApp(), id);
  return new NextResponse(null, { status: 204 });
});
