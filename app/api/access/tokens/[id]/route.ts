import { NextResponse } from "next/server";
import { z } from "zod";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Revokes the token and every session opened with it. */
export const DELETE = route(async (_req: Request, { params }: Ctx) => {
  const id = z
    .string()
    .regex(/^[0-9a-f]{12}$/, "a token id is 12 hex digits")
    .parse((await params).id);
  (await getApp()).auth.tokens.revoke(id);
  return new NextResponse(null, { status: 204 });
});
