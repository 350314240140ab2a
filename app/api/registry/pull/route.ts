import { NextResponse } from "next/server";
import { PullRequestSchema } from "@/lib/schemas/registry";
import { parseBody, route } from "@/server/http/respond";
import { pull } from "@/server/services/registry";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** `{ repository, tag?, name? }` → 201 `{ image, reference, tookMs }`. */
export const POST = route(async (req: Request) => NextResponse.json(await pull(await getApp(), await parseBody(req, PullRequestSchema)), { status: 201 }));
