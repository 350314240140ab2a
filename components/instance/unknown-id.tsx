"use client";
import { usePathname } from "next/navigation";

/** Names the id that was asked for; a not-found page gets no params, so it is read from the path. */
export function UnknownInstanceId() {
  const id = decodeURIComponent(usePathname().split("/").filter(Boolean).at(-1) ?? "");
  return (
    <span>
      There is no instance with id{" "}
      <code className="mono" data-testid="unknown-id">
        {id}
      </code>
      .
    </span>
  );
}
