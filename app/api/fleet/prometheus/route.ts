import { NextResponse } from "next/server";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Whether a Prometheus is started or pointed at, and whether it answers. */
export const GET = route(async () => NextResponse.json(await (await getApp()).fleet.prometheus.status()));
