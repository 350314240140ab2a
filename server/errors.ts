// Domain errors carry the HTTP status a route maps them to and a hint that
// tells the user how to fix the cause. Route handlers map these; anything
// else becomes a 500.

export const SETUP_COMMAND = "npm run setup";

// Next bundles instrumentation (which builds the supervisor) and each route
// separately, each with its own copy of this module, so `instanceof` fails
// for errors the supervisor throws. A registered symbol marks them instead.
const BRAND = Symbol.for("isolab.error");

export class IsolabError extends Error {
  readonly status: number = 500;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any Isolab domain error, whichever bundle's copy of this module made it. */
export function isIsolabError(err: unknown): err is IsolabError {
  return err instanceof IsolabError || (typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[BRAND] === true);
}

/** Input that passed the schema but is wrong for this host (422). */
export class InvalidRequestError extends IsolabError {
  override readonly status = 422;
}

export class NotFoundError extends IsolabError {
  override readonly status = 404;
}

/** Name already taken, or an action that conflicts with the current state. */
export class ConflictError extends IsolabError {
  override readonly status = 409;
}

/** A host part (qemu, runc, kernel, image) is missing: names it and the fix. */
export class MissingDependencyError extends IsolabError {
  override readonly status = 503;
  constructor(
    readonly part: string,
    message: string,
  ) {
    super(`${message} Run \`${SETUP_COMMAND}\` to install it.`, { part, fix: SETUP_COMMAND });
  }
}

/** No credentials, or wrong ones: says how to authenticate (401). */
/** Signed in, but the role is too small for this particular request (the front door judged only its method and path). */
export class ForbiddenError extends IsolabError {
  override readonly status = 403;
}

export class AuthenticationError extends IsolabError {
  override readonly status = 401;
}

/** Too many failed sign-ins for an account or an address; `details.retryAfterSeconds` says when to try again (429). */
export class SignInRateLimitedError extends IsolabError {
  override readonly status = 429;
}

/** Memory or instance-count cap reached; says which cap and how far. */
export class CapacityError extends IsolabError {
  override readonly status = 429;
}

/** The instance was asked to start but never became ready. */
export class StartFailedError extends IsolabError {
  override readonly status = 500;
}

/** A write under the state directory found its disk full (ENOSPC) or over quota (EDQUOT); names the directory (507). */
export class DiskFullError extends IsolabError {
  override readonly status = 507;
}

const DISK_FULL_CODES = ["ENOSPC", "EDQUOT"] as const;
export type DiskFullCode = (typeof DISK_FULL_CODES)[number];

/** The errno of a full disk (ENOSPC) or an exceeded quota (EDQUOT) on this error itself, or undefined. */
export function diskFullCode(err: unknown): DiskFullCode | undefined {
  const code = (err as NodeJS.ErrnoException | null | undefined)?.code;
  return DISK_FULL_CODES.find((c) => c === code);
}

/**
 * The ENOSPC/EDQUOT behind an error, if any, and the path it names: the
 * errno itself, a cause it was wrapped around, or the words of an error an
 * engine re-threw in its own (its message keeps the errno's text).
 */
export function diskFullCause(err: unknown, depth = 0): { code: DiskFullCode; path?: string } | null {
  if (typeof err !== "object" || err === null || depth > 4) return null;
  const e = err as NodeJS.ErrnoException & { details?: { cause?: unknown } };
  const code = diskFullCode(e);
  if (code) return { code, ...(e.path ? { path: e.path } : {}) };
  const inner = diskFullCause(e.cause, depth + 1) ?? diskFullCause(e.details?.cause, depth + 1);
  if (inner) return inner;
  const text = typeof e.message === "string" ? e.message : "";
  const named = /\b(ENOSPC|EDQUOT)\b/.exec(text)?.[1] as DiskFullCode | undefined;
  const worded = /no space left on device/i.test(text) ? "ENOSPC" : /disk quota exceeded/i.test(text) ? "EDQUOT" : undefined;
  const found = named ?? worded;
  if (!found) return null;
  const quoted = /'(\/[^']+)'/.exec(text)?.[1];
  return { code: found, ...(quoted ? { path: quoted } : {}) };
}

/** A command inside an instance failed to run (not a non-zero exit). */
export class ExecError extends IsolabError {
  override readonly status: number = 502;
}

/** A command ran past its `timeoutMs` and was killed: 504, so a caller can tell a slow command from one that could not run. */
export class ExecTimeoutError extends ExecError {
  override readonly status: number = 504;
}

/**
 * The caller went away (the HTTP client disconnected, or the server is
 * stopping) and the command was killed. 499, as nginx names a client that
 * closed its request; usually nobody is left to read it.
 */
export class ExecCancelledError extends ExecError {
  override readonly status: number = 499;
}
