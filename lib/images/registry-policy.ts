// Where Isolab's registry client may connect, and how. Pure: addresses and
// URLs in, verdicts out; server/registry/http.ts applies them at connect time
// (to every address a name resolves to) and to every redirect.
//
// - Link-local addresses (169.254.0.0/16, fe80::/10) and cloud metadata
//   endpoints are never a registry: a registry (or a DNS answer) that points
//   there is a server-side request forgery, refused before connecting.
// - Unspecified and multicast addresses are refused too (never a server).
// - Plain http and unverified TLS only for loopback (the registry Isolab
//   starts listens on 127.0.0.1); anything else is https, verified.
// - Redirects: only to the same scheme, host and port; a redirect to another
//   host is refused (Isolab's own calls — /v2/, catalog, tags, a manifest
//   HEAD — never need one), and https never downgrades to http.

export type AddressClass = "loopback" | "link-local" | "metadata" | "unspecified" | "multicast" | "other";

/** Cloud metadata endpoints outside 169.254/16 (AWS IPv6, Alibaba, Oracle's is inside it). */
const METADATA_ADDRESSES = new Set(["fd00:ec2::254", "100.100.100.200"]);
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

function ipv4Octets(a: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  return o.every((n) => n <= 255) ? o : null;
}

/** The 8 groups of an IPv6 address (an embedded IPv4 tail as two groups), or null. */
export function ipv6Groups(a: string): number[] | null {
  let text = a.toLowerCase().replace(/^\[|\]$/g, "");
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(text) || !text.includes(":")) return null;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = ipv4Octets(v4[1]);
    if (!o) return null;
    text = text.slice(0, v4.index) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if ([...head, ...tail].some(Number.isNaN)) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  return [...head, ...Array<number>(Math.max(fill, 0)).fill(0), ...tail];
}

/** What kind of address an IP literal is; null when it is not one (a name). */
export function classifyAddress(address: string): AddressClass | null {
  const v4 = ipv4Octets(address);
  if (v4) return classifyV4(v4, address);
  const g = ipv6Groups(address);
  if (!g) return null;
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are the IPv4 address.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0) && (g[6] !== 0 || g[7] > 1)) {
    const o = [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff];
    return classifyV4(o, o.join("."));
  }
  const canonical = g.map((x) => x.toString(16)).join(":");
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
  if ((g[0] & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0] & 0xff00) === 0xff00) return "multicast";
  if (canonical === "fd00:ec2:0:0:0:0:0:254" || METADATA_ADDRESSES.has(address.toLowerCase())) return "metadata";
  return "other";
}

function classifyV4(o: number[], text: string): AddressClass {
  if (text === "169.254.169.254" || METADATA_ADDRESSES.has(text)) return "metadata";
  if (o[0] === 127) return "loopback";
  if (o[0] === 169 && o[1] === 254) return "link-local";
  if (o[0] === 0) return "unspecified";
  if (o[0] >= 224) return "multicast"; // and the reserved 240/4, broadcast
  return "other";
}

const REFUSED: Record<Exclude<AddressClass, "loopback" | "other">, string> = {
  "link-local": "a link-local address (169.254.0.0/16, fe80::/10)",
  metadata: "a cloud metadata endpoint",
  unspecified: "an unspecified address",
  multicast: "a multicast or reserved address",
};

/** Why a registry may not be reached at this resolved address, or null. */
export function refusedAddress(address: string): string | null {
  const c = classifyAddress(address);
  if (c === null) return `${address} is not an IP address`;
  return c === "loopback" || c === "other" ? null : `${address} is ${REFUSED[c]}`;
}

/** Whether a host name (or literal) is this machine: plain http and unverified TLS are allowed only then. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || classifyAddress(h) === "loopback";
}

export type UrlVerdict = { ok: true; loopback: boolean } | { ok: false; reason: string };

/** A registry base URL or a request URL, before any name is resolved. */
export function judgeRegistryUrl(urlText: string): UrlVerdict {
  let u: URL;
  try {
    u = new URL(urlText);
  } catch {
    return { ok: false, reason: `${urlText} is not a URL` };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return { ok: false, reason: `${u.protocol} is not http or https` };
  if (u.username || u.password) return { ok: false, reason: "a registry URL carries no credentials" };
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (METADATA_NAMES.has(host.replace(/\.$/, ""))) return { ok: false, reason: `${host} is a cloud metadata endpoint` };
  const cls = classifyAddress(host);
  if (cls && cls !== "loopback" && cls !== "other") return { ok: false, reason: refusedAddress(host)! };
  const loopback = isLoopbackHost(host);
  if (u.protocol === "http:" && !loopback) return { ok: false, reason: `plain http is used only for a registry on this host; use https for ${u.host}` };
  return { ok: true, loopback };
}

/** Whether a redirect from `from` to `location` may be followed (same scheme, host and port, and an allowed URL). */
export function judgeRedirect(from: string, location: string): { ok: true; url: string } | { ok: false; reason: string } {
  let to: URL;
  const src = new URL(from);
  try {
    to = new URL(location, src);
  } catch {
    return { ok: false, reason: "a redirect to something that is not a URL" };
  }
  if (to.protocol !== src.protocol) return { ok: false, reason: `a redirect from ${src.protocol} to ${to.protocol}` };
  if (to.host !== src.host) return { ok: false, reason: `a redirect to another host (${to.host})` };
  const v = judgeRegistryUrl(to.toString());
  return v.ok ? { ok: true, url: to.toString() } : { ok: false, reason: v.reason };
}
