import "server-only";
import { IsolabError } from "@/server/errors";

// Named refusals and failures of VM snapshots. Routes map them by status
// (isIsolabError(err) && err.status === N), never by instanceof.

/** The file is not a usable snapshot: truncated, foreign, unreadable metadata, or QEMU would not load it (422). */
export class SnapshotCorruptError extends IsolabError {
  override readonly status = 422;
}

/** A sound snapshot of something else: other QEMU version, arguments, memory size, kernel or image (409). */
export class SnapshotMismatchError extends IsolabError {
  override readonly status = 409;
  constructor(
    readonly reasons: string[],
    message = `The snapshot cannot be restored here: ${reasons.join("; ")}.`,
  ) {
    super(message, { reasons });
  }
}

/** The disk filled up while saving; the VM was left as it was and no partial snapshot remains (507). */
export class SnapshotDiskFullError extends IsolabError {
  override readonly status = 507;
}

/** Saving failed for another reason (QEMU refused, the VM went away); nothing partial remains (500). */
export class SnapshotSaveError extends IsolabError {
  override readonly status = 500;
}

/** The shared-memory filesystem (/dev/shm) has no room for a template's RAM; nothing was left behind (507). */
export class SharedMemoryFullError extends IsolabError {
  override readonly status = 507;
}

/** A pooled start was asked for while the pool is off (ISOLAB_VM_POOL_SIZE=0) (409). */
export class PoolDisabledError extends IsolabError {
  override readonly status = 409;
}
