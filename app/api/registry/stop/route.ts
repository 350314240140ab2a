import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Idempotent; the registry's data stays under the state directory. */
export const POST = route(async () => NextResponse.json(await (await getApp()).registry.stop()));
