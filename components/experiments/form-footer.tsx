import Link from "next/link";

/** The submit row every experiment form ends with: the button, the run it started, the error. */
export function ExperimentFormFooter({
  label,
  pending,
  started,
  error,
}: {
  label: string;
  pending: boolean;
  started: string | null | undefined;
  error: string | null | undefined;
}) {
  return (
    <>
      <div className="row">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Starting…" : label}
        </button>
        {started && !pending && (
          <span role="status" className="small">
            Started <Link href={`/experiments/${started}`}>{started}</Link>
          </span>
        )}
      </div>
      {error && (
        <div className="error small" role="alert">
          {error}
        </div>
      )}
    </>
  );
}
