export default function Loading() {
  return (
    <div className="panel" aria-busy="true">
      Loading experiments…
    </div>
  );
}
