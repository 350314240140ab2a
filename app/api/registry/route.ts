import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Whether a registry is started or pointed at, and whether it answers. */
export const GET = route(async () => NextResponse.json(await (await getApp()).registry.status()));
