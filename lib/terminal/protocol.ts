// The terminal WebSocket, as both ends speak it: binary frames carry the
// tty's bytes (keystrokes in, output out); text frames carry JSON control
// messages (lib/schemas/terminal.ts). Bounds live here so the page splits
// a paste exactly as the server expects.

/** The path a terminal session is served on (scripts/terminal-upgrade.mjs); `?rows=&cols=` give its first size. */
export const TERMINAL_PATH_PREFIX = "/ws/terminal/";

/** One input frame at most; a larger one is refused with a notice (the page never sends one). */
export const MAX_INPUT_FRAME_BYTES = 64 * 1024;
/** The page splits pastes into frames of this size. */
export const PASTE_CHUNK_BYTES = 16 * 1024;
/** Anything bigger is cut off by the WebSocket server itself (close code 1009). */
export const MAX_WS_PAYLOAD_BYTES = 1024 * 1024;

export const MAX_ROWS = 500;
export const MAX_COLS = 1000;
export const DEFAULT_SIZE = { rows: 24, cols: 80 } as const;

/** WebSocket close codes of a session (4000–4999 are the application's). */
export const CLOSE_CODES = { ended: 1000, refused: 4403, notFound: 4404, limit: 4429, failed: 4500 } as const;

export type SizeVerdict = { ok: true; rows: number; cols: number; clamped: boolean } | { ok: false; message: string };

/** A size below 1×1 is refused (a 0×0 tty breaks every full-screen program); one above the maximum is clamped. */
export function checkSize(rows: number, cols: number): SizeVerdict {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    return { ok: false, message: `a terminal size must be at least 1×1 whole cells; got ${rows}×${cols}` };
  }
  const r = Math.min(rows, MAX_ROWS);
  const c = Math.min(cols, MAX_COLS);
  return { ok: true, rows: r, cols: c, clamped: r !== rows || c !== cols };
}

/** The first size, from the upgrade URL's query; absent or bad values fall back to 24×80. */
export function sizeFromQuery(params: URLSearchParams): { rows: number; cols: number } {
  const v = checkSize(Number(params.get("rows") ?? DEFAULT_SIZE.rows), Number(params.get("cols") ?? DEFAULT_SIZE.cols));
  return v.ok ? { rows: v.rows, cols: v.cols } : { ...DEFAULT_SIZE };
}

/** `bytes` in pieces of at most `size` (a paste, written to a tty a piece at a time). */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The instance id in a terminal path, or null when the path is not one. */
export function terminalInstanceId(pathname: string): string | null {
  if (!pathname.startsWith(TERMINAL_PATH_PREFIX)) return null;
  const id = pathname.slice(TERMINAL_PATH_PREFIX.length);
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) ? id : null;
}
