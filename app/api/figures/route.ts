import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { figures } from "@/server/services/figures";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** The facts Figures 2.1–2.4 are drawn from, each with its source and time (lib/schemas/figures.ts). */
export const GET = route(async () => NextResponse.json(await figures(await getApp())));
