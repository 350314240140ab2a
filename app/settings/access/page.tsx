import { TokensPanel, UsersPanel } from "@/components/auth/access-admin";

export const dynamic = "force-dynamic";

/** Admins only: the front door (scripts/serve.mjs, lib/auth/roles.ts) refuses this page to other roles. */
export default function AccessPage() {
  return (
    <div className="stack">
      <h2 style={{ margin: 0, fontSize: "1.1rem" }}>Access</h2>
      <UsersPanel />
      <TokensPanel />
    </div>
  );
}
