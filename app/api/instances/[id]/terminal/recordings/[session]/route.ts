import { InstanceIdSchema } from "@/lib/schemas/instance";
import { getApp } from "@/server/app";
import { route } from "@/server/http/respond";
import { readRecording } from "@/server/services/terminal-recordings";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string; session: string }> };

/** The asciicast v2 file; `?download=1` asks the browser to save it. */
export const GET = route(async (req: Request, { params }: Ctx) => {
  const { id: rawId, session } = await params;
  const id = InstanceIdSchema.parse(rawId);
  const text = readRecording(await getApp(), id, session);
  const download = new URL(req.url).searchParams.get("download") === "1";
  return new Response(text, {
    headers: {
      "content-type": "application/x-asciicast; charset=utf-8",
      "cache-control": "no-store",
      ...(download ? { "content-disposition": `attachment; filename="${id}-${session}.cast"` } : {}),
    },
  });
});
