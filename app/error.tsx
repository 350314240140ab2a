"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="panel stack" role="alert">
      <h2>Something went wrong</h2>
      <p className="error">{error.message}</p>
      <div>
        <button className="primary" onClick={reset}>
          Try again
        </button>
      </div>
    </div>
  );
}
