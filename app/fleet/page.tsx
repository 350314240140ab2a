import { FleetView } from "@/components/fleet/fleet-view";

export const dynamic = "force-dynamic";

export default function FleetPage() {
  return <FleetView />;
}
