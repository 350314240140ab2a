import "server-only";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { judgeRedirect, judgeRegistryUrl, refusedAddress } from "@/lib/images/registry-policy";
import { RegistryError, RegistryUnavailableError } from "@/server/images/errors";

// The one way Isolab's own code talks HTTP to a registry
// (lib/images/registry-policy.ts decides what is allowed):
// - every address a name resolves to is judged in the socket's own lookup,
//   so the address checked is the address connected to (no DNS rebinding
//   between a check and the connection);
// - TLS is verified unless the host is loopback;
// - a redirect is followed only on the same scheme, host and port, at most
//   MAX_REDIRECTS times, each hop judged again;
// - an answer's body is read up to a bound, and never put into an error
//   message: errors name the request, the status and what to do.

const MAX_REDIRECTS = 3;
const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

export interface RegistryResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text (empty for HEAD). */
  text: string;
  /** The URL that answered, after redirects. */
  url: string;
}

export interface RegistryRequestOptions {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  timeoutMs: number;
  maxBodyBytes?: number;
  /** Name resolution, injectable for tests; dns.lookup otherwise. */
  lookup?: typeof dns.lookup;
}

/** A socket lookup that refuses link-local, metadata, unspecified and multicast answers. */
export function checkedLookup(resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as unknown as dns.LookupAddress[];
      for (const a of list) {
        const why = refusedAddress(a.address);
        if (why) {
          const e = Object.assign(new Error(`${hostname} resolves to ${why}`), { code: "EREFUSEDADDRESS" });
          return callback(e, "", 0);
        }
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      callback(null, list[0].address, list[0].family);
    });
  };
}

function once(url: URL, loopback: boolean, o: RegistryRequestOptions): Promise<RegistryResponse & { location?: string }> {
  const mod = url.protocol === "https:" ? https : http;
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: o.method ?? "GET",
        headers: o.headers,
        agent: false,
        lookup: checkedLookup(o.lookup),
        rejectUnauthorized: !loopback,
        timeout: o.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBody) {
            req.destroy(new RegistryError(`The registry's answer to ${o.method ?? "GET"} ${url.pathname} is larger than ${maxBody} bytes.`));
            return;
          }
          chunks.push(c);
        });
        res.on("error", reject);
        res.on("end", () => {
          const location = typeof res.headers.location === "string" ? res.headers.location : undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), url: url.toString(), location });
        });
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

/** GET or HEAD `pathname` on the registry at `base`, under the policy above. */
export async function registryRequest(base: string, pathname: string, o: RegistryRequestOptions): Promise<RegistryResponse> {
  let url = new URL(pathname, base).toString();
  const what = `${o.method ?? "GET"} ${new URL(url).pathname}`;
  for (let hop = 0; ; hop++) {
    const verdict = judgeRegistryUrl(url);
    if (!verdict.ok) throw new RegistryError(`Refused ${what} at ${base}: ${verdict.reason}.`, { url: base });
    let res: RegistryResponse & { location?: string };
    try {
      res = await once(new URL(url), verdict.loopback, o);
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      const e = err as NodeJS.ErrnoException;
      if (e.code === "EREFUSEDADDRESS") throw new RegistryError(`Refused ${what} at ${base}: ${e.message}.`, { url: base });
      const cause = e.code ?? e.name;
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(cause)
        ? "; its TLS certificate is not trusted here (install its CA in the system store; only a registry on this host skips verification)"
        : "";
      throw new RegistryUnavailableError(`The registry at ${base} does not answer ${what} (${cause})${tls}.`, { url: base });
    }
    if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
    if (!res.location) throw new RegistryError(`${what} at ${base} answered ${res.status} without a Location.`, { url: base });
    if (hop >= MAX_REDIRECTS) throw new RegistryError(`${what} at ${base} redirected more than ${MAX_REDIRECTS} times.`, { url: base });
    const next = judgeRedirect(url, res.location);
    if (!next.ok) {
      throw new RegistryError(
        `Refused ${what} at ${base}: it answered ${res.status} with ${next.reason}, which Isolab does not follow. ` +
          "If the registry really lives there, point Isolab at that URL instead.",
        { url: base, status: res.status },
      );
    }
    url = next.url;
  }
}
