"use client";
import { createContext, useContext, type ReactNode } from "react";

// The raw numbers of the box a reader points at or focuses, shown under the
// figure (the SVG <title> carries the same text for a native tooltip).

const DetailContext = createContext<(detail: string) => void>(() => {});

export function DetailProvider({ onDetail, children }: { onDetail: (detail: string) => void; children: ReactNode }) {
  return <DetailContext.Provider value={onDetail}>{children}</DetailContext.Provider>;
}

export interface FigItemProps {
  /** The raw numbers and sources: aria label, tooltip and detail line. */
  label: string;
  testId?: string;
  children: ReactNode;
}

/** One focusable, hoverable element of a figure. */
export function FigItem({ label, testId, children }: FigItemProps) {
  const show = useContext(DetailContext);
  return (
    <g className="fig-item" tabIndex={0} role="img" aria-label={label} data-testid={testId} onFocus={() => show(label)} onMouseEnter={() => show(label)}>
      <title>{label}</title>
      {children}
    </g>
  );
}
