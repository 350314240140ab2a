import { NextResponse } from "next/server";
import { FleetHostInputSchema } from "@/lib/schemas/fleet";
import { getApp } from "@/server/app";
import { parseBody, route } from "@/server/http/respond";
import { addHost } from "@/server/services/fleet";

export const dynamic = "force-dynamic";

/** The fleet's hosts (the local one first); tokens are never sent back. */
export const GET = route(async () => NextResponse.json({ hosts: (await getApp()).fleet.hosts.list() }));

/** `{ name, url, token? }`: one more target for Prometheus, scraped with that token. */
export const POST = route(async (req: Request) => {
  const input = await parseBody(req, FleetHostInputSchema);
  return NextResponse.json(await addHost(await getApp(), input), { status: 201 });
});
