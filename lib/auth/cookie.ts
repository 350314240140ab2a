// Reads one cookie from a Cookie header (RFC 6265 pairs separated by "; ").

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other scheme or shape. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header ?? "");
  return m?.[1];
}
