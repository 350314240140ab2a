import { NextResponse } from "next/server";
import { RegistryStartSchema } from "@/lib/schemas/registry";
import { parseBody, route } from "@/server/http/respond";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** `{}` starts Isolab's own registry on 127.0.0.1; `{ "url": … }` uses an existing one. */
export const POST = route(async (req: Request) => {
  const { url } = await parseBody(req, RegistryStartSchema);
  const { registry } = await getApp();
  return NextResponse.json(url ? await registry.useUrl(url) : await registry.start());
});
