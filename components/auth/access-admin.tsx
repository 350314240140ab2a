"use client";
import { useState, type FormEvent } from "react";
import { useAddUser, useCreateToken, useRemoveUser, useRevokeToken, useTokens, useUsers } from "@/client/use-access";
import { ROLES, type Role } from "@/lib/auth/roles";

const when = (ms: number | null) => (ms === null ? "never" : new Date(ms).toLocaleString());

function RoleSelect() {
  return (
    <label>
      Role
      <select name="role" defaultValue="viewer">
        {ROLES.map((r) => (
          <option key={r}>{r}</option>
        ))}
      </select>
    </label>
  );
}

function Failure({ error }: { error: Error | null }) {
  return error ? (
    <div className="error small" role="alert">
      {error.message}
    </div>
  ) : null;
}

/** Accounts: add (name, role, password) and remove. */
export function UsersPanel() {
  const users = useUsers();
  const add = useAddUser();
  const remove = useRemoveUser();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    add.mutate({ name: String(f.get("name")), role: String(f.get("role")) as Role, password: String(f.get("password")) }, { onSuccess: () => form.reset() });
  };
  return (
    <section className="panel stack" aria-label="Accounts">
      <h3 style={{ margin: 0, fontSize: "1rem" }}>Accounts</h3>
      <table className="small">
        <thead>
          <tr>
            <th align="left">Name</th>
            <th align="left">Role</th>
            <th align="left">Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.data?.users.map((u) => (
            <tr key={u.name}>
              <td>{u.name}</td>
              <td>{u.role}</td>
              <td>{when(u.createdAt)}</td>
              <td>
                <button className="danger" onClick={() => remove.mutate(u.name)} aria-label={`Remove ${u.name}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" style={{ alignItems: "flex-end" }} aria-label="Add an account" onSubmit={submit}>
        <label>
          Name
          <input name="name" required />
        </label>
        <RoleSelect />
        <label>
          Password (8+ characters)
          <input name="password" type="password" autoComplete="new-password" required minLength={8} />
        </label>
        <button type="submit" disabled={add.isPending}>
          Add account
        </button>
      </form>
      <Failure error={users.error ?? add.error ?? remove.error} />
    </section>
  );
}

/** API tokens: create (shown once) and revoke. */
export function TokensPanel() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [shown, setShown] = useState<string>();
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    create.mutate(
      { name: String(f.get("name")), role: String(f.get("role")) as Role },
      {
        onSuccess: (r) => {
          setShown(r.token);
          form.reset();
        },
      },
    );
  };
  return (
    <section className="panel stack" aria-label="API tokens">
      <h3 style={{ margin: 0, fontSize: "1rem" }}>API tokens</h3>
      <table className="small">
        <thead>
          <tr>
            <th align="left">Id</th>
            <th align="left">Name</th>
            <th align="left">Role</th>
            <th align="left">Created by</th>
            <th align="left">Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tokens.data?.tokens.map((t) => (
            <tr key={t.id}>
              <td className="mono">{t.id}</td>
              <td>{t.name}</td>
              <td>{t.role}</td>
              <td>{t.createdBy}</td>
              <td>{when(t.lastUsedAt)}</td>
              <td>
                <button className="danger" onClick={() => revoke.mutate(t.id)} aria-label={`Revoke ${t.name}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" style={{ alignItems: "flex-end" }} aria-label="Create an API token" onSubmit={submit}>
        <label>
          Name
          <input name="name" required />
        </label>
        <RoleSelect />
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {shown && (
        <div className="stack small" role="status">
          <span>Copy this token now; Isolab keeps only its hash and will not show it again:</span>
          <code className="mono" data-testid="new-token">
            {shown}
          </code>
        </div>
      )}
      <Failure error={tokens.error ?? create.error ?? revoke.error} />
    </section>
  );
}
