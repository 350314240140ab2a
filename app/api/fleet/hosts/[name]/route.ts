import { NextResponse } from "next/server";
import { FleetHostNameSchema } from "@/lib/schemas/fleet";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";
import { removeHost } from "@/server/services/fleet";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ name: string }> };

/** Removes the host and its token; Prometheus stops scraping it at its next reload. */
export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const name = FleetHostNameSchema.parse((await params).name);
  await removeHost(await getApp(), name);
  return new NextResponse(null, { status: 204 });
});
