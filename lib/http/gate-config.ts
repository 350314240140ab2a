import { z } from "zod";
import { MAX_JSON_BODY_BYTES, type GatePolicy } from "./gate";

// The gate's policy, built once when the server starts from the address it
// binds and two variables, validated here: a bad value stops the start.

const HostEntry = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx) => {
    try {
      const url = new URL(`http://${value}`);
      if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) throw new Error();
      return { hostname: url.hostname.toLowerCase(), port: url.port || (/:\d+$/.test(value) ? "80" : "") };
    } catch {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a host or host:port` });
      return z.NEVER;
    }
  });

const GateEnvSchema = z.object({
  ISOLAB_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. https://isolab.example.org" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  ISOLAB_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").filter((s) => s.trim() !== ""))
    .pipe(z.array(HostEntry)),
});

const WILDCARD_BINDS = new Set(["0.0.0.0", "::", "[::]"]);
const LOOPBACK_BINDS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** True when `HOST` exposes the port beyond this machine. */
export function bindsBeyondLoopback(bindHost: string): boolean {
  return !LOOPBACK_BINDS.has(bindHost.toLowerCase()) && !bindHost.startsWith("127.");
}

/** `bind.tls`: the listener speaks HTTPS, so the dashboard's own origins are https:// ones. */
export function loadGatePolicy(env: Record<string, string | undefined>, bind: { host: string; port: number; tls?: boolean }): GatePolicy {
  const parsed = GateEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid Isolab environment: ${issues.join("; ")}`);
  }
  const port = String(bind.port);
  const hosts = new Set<string>();
  const origins = new Set<string>();
  const addHost = (hostname: string, p: string, schemes: string[]) => {
    const name = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
    const host = p === "" || p === "80" ? name : `${name}:${p}`;
    hosts.add(host);
    for (const s of schemes) origins.add(`${s}://${s === "https" && p === "443" ? name : host}`);
    if (p === "443") hosts.add(name);
  };

  const own = [bind.tls ? "https" : "http"];
  for (const name of ["127.0.0.1", "localhost", "[::1]"]) addHost(name, port, own);
  // A specific address to bind (not a wildcard) is how the user means to reach it.
  const bindHost = bind.host.toLowerCase();
  if (!WILDCARD_BINDS.has(bindHost)) addHost(bindHost, port, own);

  for (const entry of parsed.data.ISOLAB_ALLOWED_HOSTS) {
    // A bare name: on the server's port, and on the default ports behind a proxy.
    const ports = entry.port ? [entry.port] : [port, "80", "443"];
    for (const p of ports) addHost(entry.hostname, p, ["http", "https"]);
  }

  const publicUrl = parsed.data.ISOLAB_PUBLIC_URL;
  if (publicUrl) {
    const url = new URL(publicUrl);
    hosts.add(url.host.toLowerCase());
    origins.add(url.origin.toLowerCase());
  }
  return { allowedHosts: [...hosts], allowedOrigins: [...origins], maxJsonBodyBytes: MAX_JSON_BODY_BYTES };
}
