import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { registry } from "@/server/registry";

export const dynamic = "force-dynamic";

/** Idempotent; the registry's data stays under the state directory. */
export const POST = route(async () => NextResponse.json(await registry().stop()));
