import { BLOCK } from "./tar";

// A tar writer for crafted archives: every header field as the test wants it,
// including what a well-behaved writer never emits (STAR trailers, GNU
// headers with garbage times, a pax record and a GNU long name for one entry,
// '\0' typeflags, raw non-UTF-8 names). Pure; used by the tar reader's tests
// and the differential test against umoci (server/images/differential.int.test.ts).

export type CraftFormat = "ustar" | "gnu" | "v7" | "star";

export interface CraftHeader {
  /** Raw bytes of the 100-byte name field (a string is written as UTF-8). */
  name: string | Uint8Array;
  typeflag?: string;
  mode?: number;
  /** The size field; defaults to the body's length. */
  size?: number;
  /** Written as GNU base-256 instead of octal. */
  base256Size?: boolean;
  linkname?: string;
  format?: CraftFormat;
  /** ustar's 155-byte prefix (STAR: 131). */
  prefix?: string;
  /** Raw bytes of the GNU access-time field (offset 345). */
  gnuAtime?: string;
}

export interface CraftEntry extends CraftHeader {
  body?: string | Uint8Array;
  /** pax records before the entry ('x'): pairs, or raw record bytes. */
  pax?: [string, string][] | Uint8Array;
  /** GNU long name ('L') and long link ('K') before the entry. */
  gnuLongName?: string;
  gnuLongLink?: string;
  /** A pax global header ('g') before the entry. */
  globalPax?: [string, string][];
}

const enc = new TextEncoder();
const bytes = (v: string | Uint8Array) => (typeof v === "string" ? enc.encode(v) : v);

function put(h: Uint8Array, at: number, len: number, v: string | Uint8Array) {
  h.set(bytes(v).subarray(0, len), at);
}
function octal(h: Uint8Array, at: number, len: number, n: number) {
  put(h, at, len, n.toString(8).padStart(len - 1, "0") + "\0");
}

/** One 512-byte header with a valid checksum. */
export function craftHeader(c: CraftHeader & { size: number }): Uint8Array {
  const h = new Uint8Array(BLOCK);
  put(h, 0, 100, c.name);
  octal(h, 100, 8, c.mode ?? (c.typeflag === "5" ? 0o755 : 0o644));
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  if (c.base256Size) {
    h[124] = 0x80;
    let n = c.size;
    for (let i = 135; i > 124; i--, n = Math.floor(n / 256)) h[i] = n % 256;
  } else octal(h, 124, 12, c.size);
  octal(h, 136, 12, 0);
  put(h, 156, 1, c.typeflag ?? "0");
  put(h, 157, 100, c.linkname ?? "");
  const format = c.format ?? "ustar";
  if (format === "ustar" || format === "star") put(h, 257, 8, "ustar\x0000");
  if (format === "gnu") put(h, 257, 8, "ustar  \0");
  if (c.prefix) put(h, 345, format === "star" ? 131 : 155, c.prefix);
  if (format === "star") put(h, 508, 4, "tar\0");
  if (c.gnuAtime !== undefined) put(h, 345, 12, c.gnuAtime);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/** "LEN key=value\n" records. */
export function paxRecords(records: [string, string][]): Uint8Array {
  return enc.encode(
    records
      .map(([k, v]) => {
        const body = ` ${k}=${v}\n`;
        const n = enc.encode(body).length;
        let len = n + 1;
        while (String(len).length + n !== len) len++;
        return `${len}${body}`;
      })
      .join(""),
  );
}

function block(header: CraftHeader, body: Uint8Array): Uint8Array[] {
  const out = [craftHeader({ ...header, size: header.size ?? body.length }), body];
  const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
  if (pad) out.push(new Uint8Array(pad));
  return out;
}

/** A whole archive, ended by two zero blocks unless `end` is false. */
export function craftTar(entries: CraftEntry[], opts: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const format = e.format ?? "ustar";
    if (e.globalPax) parts.push(...block({ name: "pax_global_header", typeflag: "g", format }, paxRecords(e.globalPax)));
    if (e.pax) parts.push(...block({ name: "PaxHeaders/x", typeflag: "x", format }, e.pax instanceof Uint8Array ? e.pax : paxRecords(e.pax)));
    if (e.gnuLongLink !== undefined) parts.push(...block({ name: "././@LongLink", typeflag: "K", format: "gnu" }, enc.encode(`${e.gnuLongLink}\0`)));
    if (e.gnuLongName !== undefined) parts.push(...block({ name: "././@LongLink", typeflag: "L", format: "gnu" }, enc.encode(`${e.gnuLongName}\0`)));
    parts.push(...block(e, bytes(e.body ?? "")));
  }
  if (opts.end !== false) parts.push(new Uint8Array(BLOCK * 2));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
