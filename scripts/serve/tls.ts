// The server's TLS, done once at start (scripts/serve.mjs): what
// lib/http/tls-config.ts decided, carried out — certificate and key read and
// checked against each other, or a self-signed pair generated once with the
// openssl CLI (an argument array, no shell) into <state>/tls/, key 0600.
import { execFile } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { missingAltNames, opensslArgs, planTls, TlsConfigError } from "../../lib/http/tls-config";

export interface ServerTls {
  /** For https.createServer. */
  options: { cert: Buffer; key: Buffer };
  certPath: string;
  fingerprint256: string;
  /** What to print at start. */
  notes: string[];
}

/** Where server/config.ts puts the state directory (that module is server-only; this is the same rule). */
export function stateDirFrom(env: Record<string, string | undefined>, cwd = process.cwd()): string {
  const dataDir = path.resolve(cwd, env.ISOLAB_DATA_DIR || path.join(cwd, ".isolab"));
  return path.resolve(cwd, env.ISOLAB_STATE_DIR || path.join(dataDir, "state"));
}

/** This machine's own names and addresses, for a certificate that must also verify when reached by them. */
function machineNames(env: Record<string, string | undefined>): string[] {
  const names = [os.hostname()];
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (!a.internal) names.push(a.address);
  if (env.ISOLAB_PUBLIC_URL) names.unshift(safeHostname(env.ISOLAB_PUBLIC_URL));
  for (const h of (env.ISOLAB_ALLOWED_HOSTS ?? "").split(",")) names.push(h.trim().replace(/:\d+$/, ""));
  return names.filter(Boolean);
}

function safeHostname(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/** undefined when the listener stays plain HTTP (loopback, no TLS asked for); throws TlsConfigError with the fix otherwise. */
export async function prepareTls(env: Record<string, string | undefined>, bindHost: string): Promise<ServerTls | undefined> {
  const plan = planTls(env, { bindHost, stateDir: stateDirFrom(env), names: machineNames(env) });
  if (plan.mode === "off") return undefined;
  const notes: string[] = [];
  if (plan.mode === "generate") {
    if (!fs.existsSync(plan.certPath) || !fs.existsSync(plan.keyPath)) {
      await generate(plan.dir, plan.certPath, plan.keyPath, plan.altNames);
      notes.push(`generated a self-signed certificate for ${plan.altNames.join(", ")} in ${plan.dir}/`);
    }
  }
  const [certVar, keyVar] = plan.mode === "files" ? ["ISOLAB_TLS_CERT", "ISOLAB_TLS_KEY"] : [`the generated ${plan.certPath}`, `the generated ${plan.keyPath}`];
  const cert = readOrExplain(plan.certPath, certVar);
  const key = readOrExplain(plan.keyPath, keyVar);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new TlsConfigError(`${certVar} (${plan.certPath}) is not a PEM certificate: ${(err as Error).message}`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error("it is the key of another certificate");
  } catch (err) {
    throw new TlsConfigError(`${keyVar} (${plan.keyPath}) is not the private key of ${plan.certPath}: ${(err as Error).message}`);
  }
  if (Date.parse(x509.validTo) < Date.now()) notes.push(`WARNING: the certificate expired on ${x509.validTo}; browsers and curl will refuse it.`);
  if (plan.mode === "generate") {
    const missing = missingAltNames(x509.subjectAltName, plan.altNames);
    if (missing.length) notes.push(`the certificate in ${plan.dir}/ does not cover ${missing.join(", ")}: delete that directory to generate a new one.`);
  }
  return { options: { cert, key }, certPath: plan.certPath, fingerprint256: x509.fingerprint256, notes };
}

function readOrExplain(file: string, name: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new TlsConfigError(`${name}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function generate(dir: string, certPath: string, keyPath: string, altNames: string[]): Promise<void> {
  // The directory is the key's first protection: nobody else may look in while openssl writes.
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const tmpCert = path.join(dir, `.cert-${process.pid}.pem`);
  const tmpKey = path.join(dir, `.key-${process.pid}.pem`);
  try {
    await new Promise<void>((resolve, reject) => {
      execFile("openssl", opensslArgs(altNames, tmpCert, tmpKey), { timeout: 30_000 }, (err, _stdout, stderr) => {
        if (!err) return resolve();
        const why =
          (err as NodeJS.ErrnoException).code === "ENOENT" ? "the openssl command is not installed (apt-get install openssl)" : stderr.trim() || err.message;
        reject(new TlsConfigError(`ISOLAB_TLS_GENERATE=1: openssl could not generate a certificate: ${why}. Or give ISOLAB_TLS_CERT and ISOLAB_TLS_KEY.`));
      });
    });
    fs.chmodSync(tmpKey, 0o600);
    fs.chmodSync(tmpCert, 0o644);
    // Key first: a certificate without its key is never left as the pair.
    fs.renameSync(tmpKey, keyPath);
    fs.renameSync(tmpCert, certPath);
  } finally {
    fs.rmSync(tmpCert, { force: true });
    fs.rmSync(tmpKey, { force: true });
  }
}
