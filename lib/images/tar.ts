// A streaming reader of tar headers (POSIX ustar, pax extended headers, GNU
// long names). Pure: it takes Buffers in any chunking and reports each entry;
// it never touches a file system. Image archives and their layers are checked
// with it before any tool unpacks them (lib/images/archive-policy.ts).
//
// The tools that unpack (skopeo, umoci) read tar with Go's archive/tar, so a
// header this reader understood differently would let an entry reach the disk
// unchecked. It reads what both read the same way and refuses, naming the
// entry, whatever Go would read otherwise or this reader does not model:
// - a '\0'-typeflag entry named `…/` (a body-less directory to Go, whose
//   "body" would hold headers Go reads and a file reader skips);
// - STAR headers (Go takes a 131-byte prefix there, not ustar's 155);
// - a GNU header whose atime/ctime do not parse (Go then reads a prefix);
// - pax keys outside PAX_KEYS (GNU.sparse.* renames and re-sizes in Go),
//   pax records Go would reject or ignore (an empty value keeps the ustar one);
// - a pax path and a GNU long name on one entry (Go takes the GNU one), the
//   same for link names, and two metadata headers of one kind for one entry;
// - pax global headers (umoci refuses them);
// - names that are not UTF-8 (two different byte strings must never read as
//   one name), negative base-256 numbers, a metadata header with no entry.

export const BLOCK = 512;
/** pax and GNU long-name records are metadata, never this large in a real archive. */
const MAX_META_BYTES = 1024 * 1024;

export type TarEntryType = "file" | "hardlink" | "symlink" | "char" | "block" | "directory" | "fifo";

export interface TarEntry {
  /** As written in the archive (after pax/GNU overrides), not normalised. */
  path: string;
  type: TarEntryType;
  /** The raw type flag, for messages. */
  typeflag: string;
  size: number;
  mode: number;
  /** Target of a symlink or hardlink; "" otherwise. */
  linkpath: string;
}

export class TarFormatError extends Error {
  override name = "TarFormatError";
}

/**
 * pax keys read the same by Go's archive/tar and here (or meaningless to
 * both); any other key is refused. SCHILY.xattr.* become extended attributes
 * (umoci applies them; the store strips file capabilities after unpacking).
 */
export const PAX_KEYS: ReadonlySet<string> = new Set(["path", "linkpath", "size", "uid", "gid", "uname", "gname", "mtime", "atime", "ctime", "comment"]);
export const PAX_KEY_PREFIXES: readonly string[] = ["SCHILY.xattr."];

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as UTF-8, refused when they are not (Go keeps the raw bytes; a lossy decode could merge two names). */
function decodeName(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TarFormatError(`${what} is not valid UTF-8`);
  }
}

const TYPES: Record<string, TarEntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "char",
  "4": "block",
  "5": "directory",
  "6": "fifo",
};

function cString(buf: Buffer, start: number, len: number, what = "a name in a tar header"): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return decodeName(slice.subarray(0, nul < 0 ? len : nul), what);
}

/** Octal (space/NUL padded) or GNU base-256 for values over 8 GiB. */
export function parseNumeric(buf: Buffer, start: number, len: number): number {
  const field = buf.subarray(start, start + len);
  if (field[0] & 0x80) {
    // Go reads 0x40 in the first byte as the sign.
    if (field[0] & 0x40) throw new TarFormatError("negative base-256 number in a tar header");
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    if (!Number.isSafeInteger(n)) throw new TarFormatError("number in a tar header is too large");
    return n;
  }
  const text = field
    .toString("latin1")
    .replace(/[\0 ]+$/, "")
    .replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`not an octal number in a tar header: ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = parseNumeric(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/**
 * pax records: "LEN key=value\n", LEN counting the whole record. As strict
 * as Go's parsePAXRecord (decimal length, no padding, a newline, a key), and
 * stricter: a key given twice, a key outside PAX_KEYS, an empty value, a
 * number that does not parse, or a NUL are refused.
 */
export function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    if (space < 0) throw new TarFormatError("malformed pax record (no length)");
    const lenText = body.subarray(pos, space).toString("latin1");
    const len = /^[0-9]{1,9}$/.test(lenText) ? Number(lenText) : NaN;
    if (!Number.isInteger(len) || len < 5 || len <= space - pos + 1 || pos + len > body.length) throw new TarFormatError("malformed pax record length");
    const record = body.subarray(space + 1, pos + len);
    if (record[record.length - 1] !== 0x0a) throw new TarFormatError("pax record does not end with a newline");
    const raw = record.subarray(0, record.length - 1);
    const eq = raw.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError("pax record without key=value");
    const key = decodeName(raw.subarray(0, eq), "a pax key");
    // An extended attribute's value is bytes (a file capability is a binary struct), never a name: kept as they are.
    const value = key.startsWith("SCHILY.xattr.")
      ? Buffer.from(raw.subarray(eq + 1)).toString("latin1")
      : decodeName(raw.subarray(eq + 1), `the pax value of ${key}`);
    checkPaxRecord(key, value);
    if (Object.hasOwn(out, key)) throw new TarFormatError(`the pax key ${key} is given twice`);
    out[key] = value;
    pos += len;
  }
  return out;
}

function checkPaxRecord(key: string, value: string): void {
  if (key.startsWith("GNU.sparse.")) throw new TarFormatError(`GNU sparse files (pax key ${key}) are not supported`);
  if (!PAX_KEYS.has(key) && !PAX_KEY_PREFIXES.some((p) => key.startsWith(p) && key.length > p.length)) {
    throw new TarFormatError(`the pax key ${JSON.stringify(key)} is not one Isolab reads the way the unpacking tools do`);
  }
  if (key.includes("\0")) throw new TarFormatError("a pax key with a NUL byte");
  if (value === "") throw new TarFormatError(`the pax key ${key} has an empty value (which unpacking tools read as "keep the header's")`);
  if (key === "path" || key === "linkpath" || key === "uname" || key === "gname") {
    if (value.includes("\0")) throw new TarFormatError(`the pax ${key} holds a NUL byte`);
  }
  if ((key === "size" || key === "uid" || key === "gid") && !/^[0-9]{1,18}$/.test(value)) {
    throw new TarFormatError(`the pax ${key} ${JSON.stringify(value)} is not a decimal number`);
  }
  if ((key === "mtime" || key === "atime" || key === "ctime") && !/^-?[0-9]{1,18}(\.[0-9]{1,18})?$/.test(value)) {
    throw new TarFormatError(`the pax ${key} ${JSON.stringify(value)} is not a time`);
  }
}

export interface TarHandlers {
  /** Called once per entry; return a byte count to receive up to that much of its body in `end`. */
  entry(entry: TarEntry): number | void;
  /** After the entry's body: the collected bytes (null when none were asked for, or it was larger). */
  end?(entry: TarEntry, body: Buffer | null): void;
}

type State =
  | { kind: "header" }
  | { kind: "meta"; typeflag: string; name: string; remaining: number; padding: number; parts: Buffer[] }
  | { kind: "body"; entry: TarEntry; remaining: number; padding: number; collect: number; parts: Buffer[] | null }
  | { kind: "done" };

/**
 * Feed chunks with push(), then call finish(). Throws TarFormatError on a
 * malformed archive: bad checksum, unknown entry type, truncated data.
 */
export class TarReader {
  private state: State = { kind: "header" };
  private pending: Buffer = Buffer.alloc(0);
  private pax: Record<string, string> | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;
  /** Bytes offset of the first metadata header waiting for its entry, for messages. */
  private metaAt: number | null = null;
  private zeroBlocks = 0;
  private sawEntry = false;
  /** Bytes the archive held before its end marker. */
  bytes = 0;

  constructor(private readonly handlers: TarHandlers) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      const s = this.state;
      if (s.kind === "done") return; // trailing padding after the end marker
      if (s.kind === "header") {
        if (buf.length < BLOCK) break;
        this.header(buf.subarray(0, BLOCK));
        buf = buf.subarray(BLOCK);
        this.bytes += BLOCK;
        continue;
      }
      const take = Math.min(buf.length, s.remaining + s.padding);
      const data = buf.subarray(0, Math.min(take, s.remaining));
      if (s.kind === "meta") s.parts.push(data);
      else if (s.parts && data.length) s.parts.push(data);
      const used = Math.min(take, s.remaining);
      s.remaining -= used;
      s.padding -= take - used;
      buf = buf.subarray(take);
      this.bytes += take;
      if (s.remaining === 0 && s.padding === 0) this.finishBody();
    }
    if (buf.length) this.pending = Buffer.from(buf);
  }

  /** Checks the archive ended where it should. */
  finish(): void {
    const s = this.state;
    if (s.kind === "meta" || s.kind === "body") throw new TarFormatError("the archive ends in the middle of an entry");
    if (this.metaAt !== null) throw new TarFormatError(`the metadata header at byte ${this.metaAt} belongs to no entry`);
    if (this.pending.length && this.pending.some((b) => b !== 0)) throw new TarFormatError("the archive ends in the middle of a header");
    if (!this.sawEntry && this.zeroBlocks === 0 && s.kind === "header") throw new TarFormatError("not a tar archive (empty)");
  }

  private header(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      // Two zero blocks end the archive; some writers stop after one.
      if (++this.zeroBlocks >= 2) this.state = { kind: "done" };
      return;
    }
    if (this.zeroBlocks > 0) throw new TarFormatError("data after a zero block");
    let sumOk: boolean;
    try {
      sumOk = checksumOk(h);
    } catch (err) {
      if (this.sawEntry) throw err;
      throw new TarFormatError(`not a tar archive (${(err as Error).message})`);
    }
    if (!sumOk) throw new TarFormatError(this.sawEntry ? "bad tar header checksum" : "not a tar archive (bad header checksum)");
    const typeflag = String.fromCharCode(h[156]);
    const size = parseNumeric(h, 124, 12);
    const name = headerName(h);
    const named = (what: string) => new TarFormatError(`entry ${JSON.stringify(name)}: ${what}`);
    // Go hands a global header to its caller as an entry of its own, and umoci refuses it ("unknown typeflag").
    if (typeflag === "g") throw named("a pax global header, which the unpacking tools do not accept");
    if (typeflag === "x" || typeflag === "L" || typeflag === "K") {
      if (size > MAX_META_BYTES) throw named(`a ${typeflag} metadata entry of ${size} bytes is too large`);
      const already = typeflag === "x" ? this.pax : typeflag === "L" ? this.longName : this.longLink;
      if (already !== null) throw named(`a second ${typeflag} metadata header for one entry`);
      this.metaAt ??= this.bytes;
      this.state = { kind: "meta", typeflag, name, remaining: size, padding: pad(size), parts: [] };
      if (size === 0) this.finishBody();
      return;
    }
    const type = TYPES[typeflag];
    if (!type) throw named(`unsupported tar entry type ${JSON.stringify(typeflag)}`);
    const pax = this.pax ?? {};
    if (pax.path !== undefined && this.longName !== null) throw named("both a pax path and a GNU long name (Go's archive/tar takes the GNU one)");
    if (pax.linkpath !== undefined && this.longLink !== null) throw named("both a pax linkpath and a GNU long link name");
    const path = pax.path ?? this.longName ?? name;
    if (typeflag === "\0" && path.endsWith("/")) {
      throw new TarFormatError(
        `entry ${JSON.stringify(path)}: an old-style ('\\0' type) entry named like a directory, which Go's archive/tar reads as one without a body`,
      );
    }
    const entry: TarEntry = {
      path,
      type,
      typeflag,
      size: pax.size !== undefined ? paxSize(pax.size) : size,
      mode: parseNumeric(h, 100, 8),
      linkpath: pax.linkpath ?? this.longLink ?? cString(h, 157, 100, "a link name in a tar header"),
    };
    this.pax = null;
    this.longName = null;
    this.longLink = null;
    this.metaAt = null;
    this.sawEntry = true;
    // Links, devices, directories and fifos carry no data, whatever size says.
    const bodySize = type === "file" ? entry.size : 0;
    const collect = this.handlers.entry(entry) ?? 0;
    this.state = {
      kind: "body",
      entry,
      remaining: bodySize,
      padding: pad(bodySize),
      collect,
      parts: collect > 0 && bodySize <= collect ? [] : null,
    };
    if (bodySize === 0) this.finishBody();
  }

  private finishBody(): void {
    const s = this.state;
    this.state = { kind: "header" };
    if (s.kind === "meta") {
      const body = Buffer.concat(s.parts);
      const named = (err: unknown) =>
        err instanceof TarFormatError ? new TarFormatError(`the ${s.typeflag} header ${JSON.stringify(s.name)}: ${err.message}`) : err;
      try {
        if (s.typeflag === "x") this.pax = parsePax(body);
        else {
          const nul = body.indexOf(0);
          const text = decodeName(body.subarray(0, nul < 0 ? body.length : nul), "a GNU long name");
          if (text === "") throw new TarFormatError("an empty GNU long name (Go keeps the header's own name)");
          if (s.typeflag === "L") this.longName = text;
          else this.longLink = text;
        }
      } catch (err) {
        throw named(err);
      }
    } else if (s.kind === "body") {
      this.handlers.end?.(s.entry, s.parts ? Buffer.concat(s.parts) : null);
    }
  }
}

const STAR_TRAILER = "tar\0";

/**
 * The name as Go's archive/tar reads it: ustar (and pax) join a 155-byte
 * prefix; GNU and v7 headers have none. STAR headers (131-byte prefix, with
 * times after it) and GNU headers whose times do not parse (read as a prefix
 * by Go, for files of old Go writers) are refused.
 */
function headerName(h: Buffer): string {
  const magic = h.subarray(257, 263).toString("latin1");
  const version = h.subarray(263, 265).toString("latin1");
  const name = cString(h, 0, 100);
  if (magic === "ustar\0") {
    if (h.subarray(508, 512).toString("latin1") === STAR_TRAILER) {
      throw new TarFormatError(`entry ${JSON.stringify(name)}: a STAR header (its prefix is 131 bytes to Go's archive/tar), not supported`);
    }
    const prefix = cString(h, 345, 155);
    return prefix ? `${prefix}/${name}` : name;
  }
  if (magic === "ustar " && version === " \0") {
    for (const [at, what] of [
      [345, "access"],
      [357, "change"],
    ] as const) {
      if (h[at] === 0) continue;
      try {
        parseNumeric(h, at, 12);
      } catch {
        throw new TarFormatError(`entry ${JSON.stringify(name)}: a GNU header whose ${what} time does not parse (Go's archive/tar reads a name prefix there)`);
      }
    }
  }
  return name;
}

function pad(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function paxSize(v: string): number {
  if (!/^\d+$/.test(v)) throw new TarFormatError(`bad pax size ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new TarFormatError("pax size is too large");
  return n;
}

// ── writing, for tests and the tools that craft archives ─────────────────

export interface TarHeaderSpec {
  path: string;
  type?: TarEntryType;
  /** Raw typeflag, overriding type (to craft unsupported entries). */
  typeflag?: string;
  mode?: number;
  size?: number;
  linkpath?: string;
}

const FLAG_OF: Record<TarEntryType, string> = { file: "0", hardlink: "1", symlink: "2", char: "3", block: "4", directory: "5", fifo: "6" };

function writeOctal(h: Buffer, start: number, len: number, n: number) {
  h.write(n.toString(8).padStart(len - 1, "0") + "\0", start, len, "latin1");
}

/** One ustar header block (names over 100 bytes get a pax header first). */
export function encodeTarHeader(spec: TarHeaderSpec): Buffer {
  const blocks: Buffer[] = [];
  const needsPax = Buffer.byteLength(spec.path) > 100 || Buffer.byteLength(spec.linkpath ?? "") > 100;
  if (needsPax) {
    const rec = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`;
      let len = Buffer.byteLength(body) + 1;
      while (String(len).length + Buffer.byteLength(body) !== len) len++;
      return `${len}${body}`;
    };
    const pax = Buffer.from(rec("path", spec.path) + (spec.linkpath ? rec("linkpath", spec.linkpath) : ""));
    blocks.push(encodeTarHeader({ path: "PaxHeader", typeflag: "x", size: pax.length }), padTo(pax));
  }
  const h = Buffer.alloc(BLOCK);
  h.write(spec.path.slice(0, 100), 0, 100, "utf8");
  writeOctal(h, 100, 8, spec.mode ?? (spec.type === "directory" ? 0o755 : 0o644));
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, spec.size ?? 0);
  writeOctal(h, 136, 12, 0);
  h.write(spec.typeflag ?? FLAG_OF[spec.type ?? "file"], 156, 1, "latin1");
  h.write((spec.linkpath ?? "").slice(0, 100), 157, 100, "utf8");
  h.write("ustar\0", 257, 6, "latin1");
  h.write("00", 263, 2, "latin1");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "latin1");
  blocks.push(h);
  return Buffer.concat(blocks);
}

function padTo(body: Buffer): Buffer {
  return Buffer.concat([body, Buffer.alloc(pad(body.length))]);
}

/** A whole archive from entries with optional bodies, ended by two zero blocks. */
export function buildTar(entries: (TarHeaderSpec & { body?: Buffer | string })[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.body === undefined ? Buffer.alloc(0) : Buffer.from(e.body);
    parts.push(encodeTarHeader({ ...e, size: e.size ?? body.length }), padTo(body));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
