import { NextResponse } from "next/server";
import { getHostInfo } from "@/server/host/host-info";
import { vmPoolInfo } from "@/server/vm/pool-info";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const { supervisor, engines } = await getApp();
  return NextResponse.json({ ...(await getHostInfo(supervisor.limits)), vmPool: vmPoolInfo(engines.vm) });
});
