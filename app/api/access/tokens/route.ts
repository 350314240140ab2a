import { NextResponse } from "next/server";
import { CreateTokenSchema } from "@/lib/schemas/access";
import { getApp } from "@/server/app";
import { requestPrincipal } from "@/server/http/principal";
import { parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Every API token (never the secret). Admin only, like every /api/access route (lib/auth/roles.ts). */
export const GET = route(async () => NextResponse.json({ tokens: (await getApp()).auth.tokens.list() }));

/** A new token: the answer carries the secret, the only time it is ever shown. */
export const POST = route(async (req: Request) => {
  const input = await parseBody(req, CreateTokenSchema);
  const created = (await getApp()).auth.tokens.create(input.name, input.role, requestPrincipal(req).name);
  return NextResponse.json(created, { status: 201 });
});
