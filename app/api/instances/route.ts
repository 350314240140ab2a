import { NextResponse } from "next/server";
import { CreateInstanceSchema } from "@/lib/schemas/instance";
import { getSupervisor } from "@/server/instances";
import { parseBody, route } from "@/server/http/respond";
import { checkLaunchSnapshot } from "@/server/vm/snapshot-service";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const supervisor = await getSupervisor();
  return NextResponse.json({ instances: supervisor.list() });
});

export const POST = route(async (req: Request) => {
  // First thing: the start's `prepare` phase runs from here, so its total is what the caller waits for.
  const receivedAt = performance.now();
  const input = await parseBody(req, CreateInstanceSchema);
  // A named snapshot that cannot be restored is refused (404, 409, 422) before an instance exists.
  await checkLaunchSnapshot(input);
  const supervisor = await getSupervisor();
  const instance = await supervisor.create(input, { receivedAt });
  return NextResponse.json(instance, { status: 201 });
});
