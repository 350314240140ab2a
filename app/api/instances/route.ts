import { NextResponse } from "next/server";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import { getApp } from "@/server/app";
import { parseBody, route } from "@/server/http/respond";
import { checkLaunchSnapshot } from "@/server/services/snapshots";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const { supervisor } = await getApp();
  return NextResponse.json({ instances: supervisor.list() });
});

export const POST = route(async (req: Request) => {
  // First thing: the start's `prepare` phase runs from here, so its total is what the caller waits for.
  const receivedAt = performance.now();
  const input = await parseBody(req, CreateInstanceSchema);
  // A named snapshot that cannot be restored is refused (404, 409, 422) before an instance exists.
  const app = await getApp();
  await checkLaunchSnapshot(app, input);
  const instance = await app.supervisor.create(input, { receivedAt });
  return NextResponse.json(instance, { status: 201 });
});
