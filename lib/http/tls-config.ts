import { z } from "zod";
import { bindsBeyondLoopback } from "./gate-config";

// Whether and how the server speaks TLS, decided once at start from HOST and
// three variables: beyond loopback it must (traffic to a root service and,
// once signed in, its session cookie must not cross a network in clear);
// on loopback it may. Pure: the server (scripts/serve/tls.ts) reads files
// and runs openssl with what this decides.

export class TlsConfigError extends Error {}

const path = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const TlsEnvSchema = z.object({
  ISOLAB_TLS_CERT: path,
  ISOLAB_TLS_KEY: path,
  ISOLAB_TLS_GENERATE: z
    .enum(["", "0", "1", "false", "true"], { message: "must be 1 (generate a self-signed certificate once) or 0" })
    .optional()
    .transform((v) => v === "1" || v === "true"),
});

export type TlsPlan =
  | { mode: "off" }
  | { mode: "files"; certPath: string; keyPath: string }
  /** A self-signed certificate in `dir`, made once; `altNames` as openssl writes them (DNS:…, IP:…). */
  | { mode: "generate"; dir: string; certPath: string; keyPath: string; altNames: string[] };

const HOW =
  "Set ISOLAB_TLS_CERT and ISOLAB_TLS_KEY to the paths of a PEM certificate and its private key, " +
  "or ISOLAB_TLS_GENERATE=1 to have Isolab generate a self-signed certificate once";

export function planTls(env: Record<string, string | undefined>, opts: { bindHost: string; stateDir: string; names?: readonly string[] }): TlsPlan {
  const parsed = TlsEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new TlsConfigError(`Invalid Isolab environment: ${issues.join("; ")}`);
  }
  const { ISOLAB_TLS_CERT: cert, ISOLAB_TLS_KEY: key, ISOLAB_TLS_GENERATE: generate } = parsed.data;
  const dir = `${opts.stateDir.replace(/\/+$/, "")}/tls`;
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? ["ISOLAB_TLS_KEY", "ISOLAB_TLS_CERT"] : ["ISOLAB_TLS_CERT", "ISOLAB_TLS_KEY"];
    throw new TlsConfigError(`${given} is set but ${missing} is not: set both, to the PEM certificate and its private key.`);
  }
  if (cert !== undefined && key !== undefined) {
    if (generate) throw new TlsConfigError("ISOLAB_TLS_GENERATE=1 and ISOLAB_TLS_CERT/ISOLAB_TLS_KEY are both set: unset one of them.");
    return { mode: "files", certPath: cert, keyPath: key };
  }
  if (generate) {
    return { mode: "generate", dir, certPath: `${dir}/cert.pem`, keyPath: `${dir}/key.pem`, altNames: subjectAltNames([opts.bindHost, ...(opts.names ?? [])]) };
  }
  if (bindsBeyondLoopback(opts.bindHost)) {
    throw new TlsConfigError(
      `HOST=${opts.bindHost} serves Isolab beyond this machine, and Isolab serves the network only over TLS. ${HOW} into ${dir}/ ` +
        `(its SHA-256 fingerprint is printed at every start). Or keep HOST=127.0.0.1 and reach Isolab through an SSH tunnel. See “Exposing Isolab” in the README.`,
    );
  }
  return { mode: "off" };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);

/**
 * The names a generated certificate covers: the loopback names, then each
 * given name (the bind address, the public URL's host, this machine's names)
 * as DNS or IP, once. A value that is neither is left out: openssl parses
 * the list, so nothing but plain names and addresses may reach it.
 */
export function subjectAltNames(names: readonly string[]): string[] {
  const out = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"];
  for (const raw of names) {
    const name = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, "$1");
    if (WILDCARDS.has(name)) continue;
    const entry = IPV4.test(name) || (name.includes(":") && IPV6.test(name)) ? `IP:${name}` : DNS_NAME.test(name) ? `DNS:${name}` : undefined;
    if (entry && !out.includes(entry)) out.push(entry);
  }
  return out;
}

/** openssl's arguments for a self-signed P-256 certificate and key (no passphrase) over `altNames`, valid 825 days. */
export function opensslArgs(altNames: readonly string[], certOut: string, keyOut: string): string[] {
  // prettier-ignore
  return [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "825",
    "-subj", "/CN=Isolab self-signed", "-addext", `subjectAltName=${altNames.join(",")}`,
    "-addext", "extendedKeyUsage=serverAuth", "-keyout", keyOut, "-out", certOut,
  ];
}

/**
 * The wanted names a certificate's subjectAltName (as node:crypto's
 * X509Certificate spells it) lacks. IPv6 entries are not compared: the
 * certificate spells them expanded (0:0:0:0:0:0:0:1).
 */
export function missingAltNames(certAltNames: string | undefined, wanted: readonly string[]): string[] {
  const have = new Set(
    (certAltNames ?? "")
      .split(",")
      .map((s) => s.trim().replace(/^IP Address:/, "IP:"))
      .map((s) => s.toLowerCase()),
  );
  return wanted.filter((w) => !(w.startsWith("IP:") && w.slice(3).includes(":")) && !have.has(w.toLowerCase()));
}
