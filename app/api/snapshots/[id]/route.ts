import { NextResponse } from "next/server";
import { SnapshotIdSchema } from "@/lib/schemas/snapshot";
import { route } from "@/server/http/respond";
import { deleteSnapshot, getSnapshot } from "@/server/vm/snapshot-service";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (_req: Request, { params }: Ctx) => {
  const id = SnapshotIdSchema.parse((await params).id);
  return NextResponse.json(await getSnapshot(id));
});

export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const id = SnapshotIdSchema.parse((await params).id);
  deleteSnapshot(id);
  return new NextResponse(null, { status: 204 });
});
