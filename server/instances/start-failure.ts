import "server-only";
import type { Instance } from "@/lib/core/types";
import { ConflictError, diskFullCause, DiskFullError, InvalidRequestError, isIsolabError, StartFailedError, type IsolabError } from "@/server/errors";

export interface StartFailure {
  /** What the failed record says, in words a user can act on. */
  reason: string;
  consoleTail?: string;
  /** The error the start rejects with, carrying the record as it was left. */
  toError(instance: Instance | undefined): IsolabError;
}

/**
 * What a failed start says: a full disk at any of its writes is a 507
 * naming the directory, an abort (shutdown, a stop) a 409, a refusal before
 * the engine was asked keeps its own status, anything else is a failed start.
 */
export function describeStartFailure(opts: {
  /** `container "web"` */
  label: string;
  /** The instance directory. */
  dir: string;
  stateDir: string;
  cause: unknown;
  /** What went wrong while undoing it. */
  problems: string[];
  aborted: boolean;
  /** The engine was about to be asked: there is a record. */
  registered: boolean;
}): StartFailure {
  const { label, dir, cause } = opts;
  const details = isIsolabError(cause) ? (cause.details as { consoleTail?: string } | undefined) : undefined;
  const consoleTail = details?.consoleTail;
  const disk = diskFullCause(cause);
  const why = disk
    ? `the disk holding ${dir} is full (${disk.code}${disk.path && disk.path !== dir ? ` writing ${disk.path}` : ""}); ` +
      `the start was undone. Free space on the disk of the state directory ${opts.stateDir}, or set ISOLAB_STATE_DIR to another disk.`
    : ((cause as Error)?.message ?? String(cause));
  const reason = opts.problems.length ? `${why} (${opts.problems.join("; ")})` : why;
  const toError = (instance: Instance | undefined): IsolabError => {
    if (disk) return new DiskFullError(`${label} did not start: ${reason}`, { directory: dir, path: disk.path, code: disk.code, instance, consoleTail });
    if (opts.aborted) return new ConflictError(`${label} did not start: ${reason}`, { instance });
    // A refusal before the engine was asked (a missing part, an unknown image) keeps its own status,
    // and so does an image the engine refused to run (its User or WorkingDir, 422).
    if (!opts.registered && isIsolabError(cause)) return cause;
    if (isIsolabError(cause) && cause.status === 422) {
      return new InvalidRequestError(`${label} did not start: ${reason}`, { ...(cause.details as object | undefined), instance });
    }
    return new StartFailedError(`${label} failed to start: ${reason}`, { instance, consoleTail });
  };
  return { reason, consoleTail, toError };
}
