"use client";
import { createContext, useContext, useState, type ReactNode } from "react";
import { DEFAULT_WINDOW_S, SAMPLE_WINDOWS_S, type SampleWindowS } from "@/lib/metrics/samples";

// The history window every chart on a page shows: 1, 5 or 15 minutes.

const WindowContext = createContext<{ windowS: SampleWindowS; setWindowS: (w: SampleWindowS) => void }>({
  windowS: DEFAULT_WINDOW_S,
  setWindowS: () => {},
});

export function WindowProvider({ children }: { children: ReactNode }) {
  const [windowS, setWindowS] = useState<SampleWindowS>(DEFAULT_WINDOW_S);
  return <WindowContext.Provider value={{ windowS, setWindowS }}>{children}</WindowContext.Provider>;
}

export function useWindowS(): SampleWindowS {
  return useContext(WindowContext).windowS;
}

export function WindowSelector() {
  const { windowS, setWindowS } = useContext(WindowContext);
  return (
    <div className="segmented" role="group" aria-label="History window">
      <span className="muted small">History</span>
      {SAMPLE_WINDOWS_S.map((w) => (
        <button key={w} type="button" aria-pressed={w === windowS} onClick={() => setWindowS(w)}>
          {w / 60} min
        </button>
      ))}
    </div>
  );
}
