"use client";
import { useState, type FormEvent } from "react";
import { FleetHostInputSchema } from "@/lib/schemas/fleet";
import { useAddFleetHost } from "@/client/use-fleet";

/** Adds a host: its name (the `host` label), its Isolab's URL and the token Prometheus sends it. */
export function AddHostForm() {
  const add = useAddFleetHost();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = FleetHostInputSchema.safeParse({ name, url, ...(token ? { token } : {}) });
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return setError(i ? `${i.path.join(".")}: ${i.message}` : "invalid host");
    }
    setError(null);
    add.mutate(parsed.data, { onSuccess: () => (setName(""), setUrl(""), setToken("")) });
  }

  return (
    <form className="panel row" onSubmit={submit} aria-label="Add a host" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
      <label>
        Host name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="node-b" />
      </label>
      <label>
        Isolab URL
        <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://10.0.0.5:3000" />
      </label>
      <label>
        Token
        <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" placeholder="its admin or reader token" />
      </label>
      <button type="submit" className="primary" disabled={add.isPending}>
        {add.isPending ? "Adding…" : "Add host"}
      </button>
      {(error || add.error) && (
        <div className="error small" role="alert" style={{ flexBasis: "100%" }}>
          {error ?? add.error?.message}
        </div>
      )}
    </form>
  );
}
