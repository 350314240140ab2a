import { SideBySide } from "@/components/terminal/side-by-side";
import { InstanceIdSchema } from "@/lib/schemas/instance";

export const dynamic = "force-dynamic";

type Search = Promise<{ left?: string | string[]; right?: string | string[] }>;
const idOrNull = (v: string | string[] | undefined) => (typeof v === "string" && InstanceIdSchema.safeParse(v).success ? v : null);

/** A container's and a VM's shell next to each other: /terminal?left=<container id>&right=<vm id>. */
export default async function TerminalPage({ searchParams }: { searchParams: Search }) {
  const q = await searchParams;
  return <SideBySide left={idOrNull(q.left)} right={idOrNull(q.right)} />;
}
