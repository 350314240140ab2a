"use client";
import { useEffect, useState } from "react";

/** Date.now(), refreshed every `everyMs`, so "12 s ago" keeps counting between data refreshes. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
