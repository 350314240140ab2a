import { notFound } from "next/navigation";
import { InstanceDetail } from "@/components/instance/instance-detail";
import { WindowProvider } from "@/components/metrics/window-context";
import { InstanceIdSchema } from "@/lib/schemas/instance";
import { isIsolabError } from "@/server/errors";
import { getApp } from "@/server/app";

export const dynamic = "force-dynamic";

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!InstanceIdSchema.safeParse(id).success) notFound();
  try {
    (await getApp()).supervisor.get(id);
  } catch (err) {
    if (isIsolabError(err) && err.status === 404) notFound();
    throw err;
  }
  return (
    <WindowProvider>
      <InstanceDetail id={id} />
    </WindowProvider>
  );
}
