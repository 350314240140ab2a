// The one gate every request passes before Next.js sees it (scripts/serve.mjs
// applies it): the Host must be one Isolab answers to (DNS rebinding), a
// state-changing request must come from the dashboard's own origin (CSRF),
// a body must have the type its route reads, and a JSON body is bounded.
// Pure: request facts in, verdict out. No imports, so plain Node can load it.

/** The largest JSON body any route reads; bigger ones get 413 before they are buffered. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Types the image upload route takes: the archive itself as the body (client/upload.ts sends application/x-tar). */
export const ARCHIVE_CONTENT_TYPES = ["application/x-tar", "application/tar", "application/gzip", "application/x-gzip", "application/octet-stream"] as const;

/** The one route whose body is not JSON. */
export const UPLOAD_PATH = "/api/images";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface GatePolicy {
  /** `host[:port]` values, lower case, exactly as a browser sends them in `Host`. */
  allowedHosts: readonly string[];
  /** `scheme://host[:port]` values a state-changing request may carry in `Origin`. */
  allowedOrigins: readonly string[];
  maxJsonBodyBytes: number;
}

export interface RequestFacts {
  method: string;
  /** The path without the query. */
  path: string;
  host?: string;
  origin?: string;
  secFetchSite?: string;
  contentType?: string;
  /** Parsed Content-Length; undefined when absent. */
  contentLength?: number;
  /** True when a Transfer-Encoding header announces a streamed body. */
  chunked: boolean;
  /** A WebSocket (or other) upgrade: judged like a state-changing request. */
  upgrade?: boolean;
}

export type GateVerdict = { allow: true } | { allow: false; status: 403 | 413 | 415 | 421; message: string };

const HOW_TO_ADD =
  "To reach Isolab under another name, set ISOLAB_PUBLIC_URL (e.g. https://isolab.example.org) or ISOLAB_ALLOWED_HOSTS " +
  "(a comma list of host:port) and restart; see “Exposing Isolab” in the README.";

export function judgeRequest(req: RequestFacts, policy: GatePolicy): GateVerdict {
  const host = req.host?.trim().toLowerCase();
  if (!host || !policy.allowedHosts.includes(host)) {
    const named = host ? `named the host "${host}"` : "named no host";
    return refuse(421, `This request ${named}; Isolab answers only to ${policy.allowedHosts.join(", ")}. ${HOW_TO_ADD}`);
  }

  const method = req.method.toUpperCase();
  if (STATE_CHANGING.has(method) || req.upgrade) {
    const why = crossSiteReason(req, policy);
    if (why) return refuse(403, `Refused a ${method} ${why}: Isolab changes state only for ${ownOrigins(policy)}. ${HOW_TO_ADD}`);
  }

  const hasBody = req.chunked || (req.contentLength ?? 0) > 0;
  if (!hasBody || !STATE_CHANGING.has(method)) return { allow: true };

  const type = mediaType(req.contentType);
  if (method === "POST" && req.path === UPLOAD_PATH) {
    if (!(ARCHIVE_CONTENT_TYPES as readonly string[]).includes(type)) {
      return refuse(415, `An image upload is the archive itself; send it as ${ARCHIVE_CONTENT_TYPES.join(", ")} (got ${describeType(type)}).`);
    }
    return { allow: true };
  }
  if (type !== "application/json") {
    return refuse(415, `${method} ${req.path} reads a JSON body; send it with content-type: application/json (got ${describeType(type)}).`);
  }
  if (req.contentLength !== undefined && req.contentLength > policy.maxJsonBodyBytes) {
    return refuse(
      413,
      `The JSON body is ${req.contentLength} bytes; Isolab reads at most ${policy.maxJsonBodyBytes} bytes (${formatKiB(policy.maxJsonBodyBytes)}).`,
    );
  }
  return { allow: true };
}

/** Why a state-changing request looks cross-site, or undefined when it is the dashboard's own (or no browser's). */
function crossSiteReason(req: RequestFacts, policy: GatePolicy): string | undefined {
  const origin = req.origin?.trim();
  if (origin !== undefined && origin !== "") {
    return policy.allowedOrigins.includes(origin.toLowerCase()) ? undefined : `from the origin "${origin}"`;
  }
  // No Origin: browsers send one on every cross-site POST/PUT/PATCH/DELETE,
  // so its absence means a same-origin browser request or a non-browser client.
  const site = req.secFetchSite?.trim().toLowerCase();
  if (site === undefined || site === "" || site === "same-origin" || site === "none") return undefined;
  return `sent from a ${site} page (Sec-Fetch-Site: ${site})`;
}

function ownOrigins(policy: GatePolicy): string {
  return `its own dashboard (${policy.allowedOrigins.join(", ")}) or for clients that send no Origin (curl, scripts)`;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

function describeType(type: string): string {
  return type ? `"${type}"` : "no content-type";
}

function formatKiB(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

function refuse(status: 403 | 413 | 415 | 421, message: string): GateVerdict {
  return { allow: false, status, message };
}
