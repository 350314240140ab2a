import { NextResponse } from "next/server";
import { getHostInfo } from "@/server/host/host-info";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const { supervisor } = await getApp();
  return NextResponse.json(await getHostInfo(supervisor.limits));
});
