"use client";
import { useState, type FormEvent } from "react";
import { signIn } from "@/client/use-access";

/** An account and password, or an API token (a fresh install has only the admin token); then on to `next`. */
export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const submit = (read: (form: FormData) => Parameters<typeof signIn>[0]) => async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setPending(true);
    setError(undefined);
    try {
      await signIn(read(new FormData(e.currentTarget)));
      // A full load, so the header and every query start over as the new principal.
      window.location.assign(next);
    } catch (err) {
      setError((err as Error).message);
      setPending(false);
    }
  };
  return (
    <div className="stack" style={{ maxWidth: "26rem", margin: "2rem auto" }}>
      <h2 style={{ margin: 0, fontSize: "1.1rem" }}>Sign in to Isolab</h2>
      <form
        className="panel stack"
        aria-label="Sign in with an account"
        onSubmit={submit((f) => ({ username: String(f.get("username")), password: String(f.get("password")) }))}
      >
        <label>
          Account
          <input name="username" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="primary" disabled={pending}>
          Sign in
        </button>
      </form>
      <form className="panel stack" aria-label="Sign in with an API token" onSubmit={submit((f) => ({ token: String(f.get("token")) }))}>
        <label>
          API token
          <input name="token" type="password" autoComplete="off" required />
        </label>
        <p className="muted small" style={{ margin: 0 }}>
          The first start wrote an admin token to <span className="mono">&lt;ISOLAB_STATE_DIR&gt;/admin-token</span>; accounts are made with{" "}
          <span className="mono">npm run access -- user add NAME --role admin</span> or on the Access page.
        </p>
        <button type="submit" disabled={pending}>
          Sign in with the token
        </button>
      </form>
      {error && (
        <div className="error small" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
