"use client";
import type { ReactNode } from "react";
import { useCan, useMe } from "@/client/use-me";
import type { Role } from "@/lib/auth/roles";

/** Renders its children only for `role` or above; others see why, not a control that would answer 403. */
export function RequireRole({ role, children, note }: { role: Role; children: ReactNode; note?: string }) {
  const me = useMe();
  const can = useCan(role);
  if (can) return <>{children}</>;
  if (!me.data || !note) return null;
  return (
    <p className="muted small" role="note">
      {note} needs the {role} role; you are signed in as {me.data.name} ({me.data.role}).
    </p>
  );
}
