import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { launchScenario, teardownScenario } from "@/server/services/figures";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Starts the Figure 2.3 scenario (3 processes, 2 VMs, 3 containers); 201 once all are ready. */
export const POST = route(async () => NextResponse.json(await launchScenario(await getApp()), { status: 201 }));

/** Stops and removes every instance of the scenario (idempotent). */
export const DELETE = route(async () => NextResponse.json(await teardownScenario(await getApp())));
