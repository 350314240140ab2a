import { RegistryCatalog } from "@/components/registry/registry-catalog";
import { RegistryPanel } from "@/components/registry/registry-panel";

export const dynamic = "force-dynamic";

export default function RegistryPage() {
  return (
    <div className="stack">
      <RegistryPanel />
      <RegistryCatalog />
    </div>
  );
}
