import { NextResponse } from "next/server";
import { route } from "@/server/http/respond";
import { listSnapshots } from "@/server/services/snapshots";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Every complete snapshot, newest first, with its size and whether this host can still restore it. */
export const GET = route(async () => NextResponse.json({ snapshots: await listSnapshots(await getApp()) }));
