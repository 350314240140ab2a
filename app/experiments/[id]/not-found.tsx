import Link from "next/link";

export default function ExperimentNotFound() {
  return (
    <div className="panel stack" role="alert">
      <h2 style={{ margin: 0 }}>No such experiment</h2>
      <p className="muted">It may have been run against another state directory.</p>
      <Link href="/experiments">All experiments</Link>
    </div>
  );
}
