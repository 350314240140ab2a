import { FiguresView } from "@/components/figures/figures-view";
import "./figures.css";

export const dynamic = "force-dynamic";

export const metadata = { title: "Figures — Isolab" };

export default function FiguresPage() {
  return (
    <div className="stack">
      <p className="muted small" style={{ margin: 0 }}>
        The four figures of “Comparing containers to virtual machines”, drawn from this host&apos;s own measurements instead of clip art. Every box says where
        its number came from and when.
      </p>
      <FiguresView />
    </div>
  );
}
