"use client";
import { useRef, useState, type ReactNode } from "react";
import type { Caption } from "@/lib/figures/captions";
import { clockTime } from "@/lib/figures/age";
import { downloadPng, downloadSvg } from "@/client/figure-download";
import { DetailProvider } from "./detail-context";

export interface FigureFrameProps {
  /** "2.1" */
  number: string;
  title: string;
  caption: Caption;
  /** Shown above the drawing when data is missing: what to run, with a button. */
  missing?: ReactNode;
  /** Buttons beside the downloads (launch, tear down). */
  actions?: ReactNode;
  children: ReactNode;
}

const HINT = "Point at or focus (Tab) a box for its raw numbers.";

/** Heading, caption with the measurement's age, downloads, and the detail line of one figure. */
export function FigureFrame({ number, title, caption, missing, actions, children }: FigureFrameProps) {
  const holder = useRef<HTMLDivElement>(null);
  const [detail, setDetail] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const slug = `figure-${number.replace(".", "-")}`;
  const svg = () => holder.current?.querySelector("svg") ?? null;
  const save = (kind: "svg" | "png") => {
    const el = svg();
    if (!el) return;
    setError(null);
    if (kind === "svg") downloadSvg(el, `isolab-${slug}.svg`);
    else downloadPng(el, `isolab-${slug}.png`).catch((e: Error) => setError(`PNG failed: ${e.message}`));
  };
  return (
    <figure className="panel stack fig" aria-labelledby={`${slug}-title`} id={slug}>
      <div className="fig-head">
        <h2 id={`${slug}-title`}>
          Figure {number} — {title}
        </h2>
        <div className="fig-actions">
          {actions}
          <button type="button" onClick={() => save("svg")} aria-label={`Download Figure ${number} as SVG`}>
            SVG
          </button>
          <button type="button" onClick={() => save("png")} aria-label={`Download Figure ${number} as PNG`}>
            PNG
          </button>
        </div>
      </div>
      {missing && <div className="fig-missing small">{missing}</div>}
      <DetailProvider onDetail={setDetail}>
        <div ref={holder}>{children}</div>
      </DetailProvider>
      <p className="fig-detail" aria-live="polite" data-testid={`${slug}-detail`}>
        {detail ?? <span className="muted">{HINT}</span>}
      </p>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      <figcaption className="fig-caption" data-testid={`${slug}-caption`}>
        {caption.base}
        {caption.at && caption.freshness && (
          <>
            {" "}
            Measured {clockTime(caption.at)} (<span className={caption.freshness.stale ? "fig-stale" : undefined}>{caption.freshness.text}</span>).
          </>
        )}
      </figcaption>
    </figure>
  );
}
