import { NextResponse } from "next/server";
import { CreateUserSchema } from "@/lib/schemas/access";
import { getApp } from "@/server/app";
import { parseBody, route } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Every account: name, role, created (never the hash). */
export const GET = route(async () => NextResponse.json({ users: (await getApp()).auth.users.list() }));

export const POST = route(async (req: Request) => {
  const input = await parseBody(req, CreateUserSchema);
  return NextResponse.json(await (await getApp()).auth.users.add(input.name, input.role, input.password), { status: 201 });
});
