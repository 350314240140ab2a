import { NextResponse } from "next/server";
import { ImportQuerySchema } from "@/lib/schemas/image";
import { route } from "@/server/http/respond";
import { importUpload, listImagesWithInstances } from "@/server/services/images";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

/** Every image in the store, with its origin and the instances started from it. */
export const GET = route(async () => NextResponse.json({ images: await listImagesWithInstances(await getApp()) }));

/** The body is the archive itself (OCI archive or `docker save` tarball); ?name=REF&filename=F. */
export const POST = route(async (req: Request) => {
  const query = ImportQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return NextResponse.json(await importUpload(await getApp(), req, query), { status: 201 });
});
