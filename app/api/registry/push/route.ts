import { NextResponse } from "next/server";
import { PushRequestSchema } from "@/lib/schemas/registry";
import { parseBody, route } from "@/server/http/respond";
import { push } from "@/server/services/registry";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** `{ image, repository?, tag? }` → `{ reference, digest, tookMs }`. */
export const POST = route(async (req: Request) => NextResponse.json(await push(await getApp(), await parseBody(req, PushRequestSchema))));
