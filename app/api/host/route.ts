import { NextResponse } from "next/server";
import { getHostInfo } from "@/server/host/host-info";
import { getSupervisor } from "@/server/instances";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const supervisor = await getSupervisor();
  return NextResponse.json(await getHostInfo(supervisor.limits));
});
