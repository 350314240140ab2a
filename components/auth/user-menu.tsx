"use client";
import Link from "next/link";
import { useState } from "react";
import { signOut } from "@/client/use-access";
import { useMe } from "@/client/use-me";

/** Who is signed in, the access page for admins, and sign-out. Nothing while nobody is. */
export function UserMenu() {
  const me = useMe();
  const [leaving, setLeaving] = useState(false);
  if (!me.data) return null;
  const leave = async () => {
    setLeaving(true);
    await signOut().catch(() => {});
    // A full load, not a client navigation: every cached answer belonged to the session that just ended.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign("/sign-in");
  };
  return (
    <div className="row small" style={{ marginLeft: "auto" }}>
      {me.data.role === "admin" && <Link href="/settings/access">Access</Link>}
      <span className="muted" data-testid="signed-in-as">
        {me.data.name} · {me.data.role}
      </span>
      {me.data.via === "session" && (
        <button type="button" onClick={leave} disabled={leaving}>
          {leaving ? "Signing out…" : "Sign out"}
        </button>
      )}
    </div>
  );
}
