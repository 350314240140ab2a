import { notFound } from "next/navigation";
import { ExperimentDetail } from "@/components/experiments/experiment-detail";
import { getApp } from "@/server/app";
import { findExperiment } from "@/server/services/experiments";

export const dynamic = "force-dynamic";

export default async function ExperimentPage({ params }: { params: Promise<{ id: string }> }) {
  const record = findExperiment(await getApp(), (await params).id);
  if (!record) notFound();
  return <ExperimentDetail record={record} />;
}
