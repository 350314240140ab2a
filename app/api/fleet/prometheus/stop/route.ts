import { NextResponse } from "next/server";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Stops Isolab's own Prometheus (its data is kept) or forgets the external one. */
export const POST = route(async () => NextResponse.json(await (await getApp()).fleet.prometheus.stop()));
