import { NextResponse } from "next/server";
import { ImportQuerySchema } from "@/lib/schemas/image";
import { route } from "@/server/http/respond";
import { importUpload, listImagesWithInstances } from "@/server/images/service";

export const dynamic = "force-dynamic";

/** Every image in the store, with its origin and the instances started from it. */
export const GET = route(async () => NextResponse.json({ images: await listImagesWithInstances() }));

/** The body is the archive itself (OCI archive or `docker save` tarball); ?name=REF&filename=F. */
export const POST = route(async (req: Request) => {
  const query = ImportQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return NextResponse.json(await importUpload(req, query), { status: 201 });
});
