import { NextResponse } from "next/server";
import { ImageRefSchema } from "@/lib/schemas/image";
import { route } from "@/server/http/respond";
import { deleteImage, getImageWithInstances } from "@/server/services/images";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";
// A reference may hold "/" (isolab/app:1): it arrives as several segments.
type Ctx = { params: Promise<{ ref: string[] }> };

const refOf = async ({ params }: Ctx) => ImageRefSchema.parse((await params).ref.map(decodeURIComponent).join("/"));

export const GET = route(async (_req: Request, ctx: Ctx) => NextResponse.json(await getImageWithInstances(await getApp(), await refOf(ctx))));

export const DELETE = route(async (_req: Request, ctx: Ctx) => {
  await deleteImage(await getApp(), await refOf(ctx));
  return new NextResponse(null, { status: 204 });
});
