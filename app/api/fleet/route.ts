import { NextResponse } from "next/server";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";
import { overview } from "@/server/services/fleet";

export const dynamic = "force-dynamic";

/** Every host side by side from Prometheus; faults are per host and per figure, never a failed answer. */
export const GET = route(async () => NextResponse.json(await overview(await getApp())));
