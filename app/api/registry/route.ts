import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { registry } from "@/server/registry";

export const dynamic = "force-dynamic";

/** Whether a registry is started or pointed at, and whether it answers. */
export const GET = route(async () => NextResponse.json(await registry().status()));
