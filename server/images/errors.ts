import "server-only";
import type { PathViolation } from "@/lib/images/archive-policy";
import { ConflictError, IsolabError } from "@/server/errors";

// Named refusals of the image store and the registry. Each carries its HTTP
// status (routes map `isIsolabError(err) && err.status`) and its name, both as
// `name` and as `details.code` — spelled out, because a minified server
// bundle renames classes — so the API, the CLI and the tests tell them apart.

type Details = Record<string, unknown>;

abstract class NamedError extends IsolabError {
  constructor(code: string, message: string, details: Details = {}) {
    super(message, { code, ...details });
    this.name = code;
  }
}

/** The archive is bigger than Isolab accepts (413). */
export class ArchiveTooLargeError extends NamedError {
  override readonly status = 413;
  constructor(message: string, details?: Details) {
    super("ArchiveTooLargeError", message, details);
  }
}

/** One layer, packed or unpacked, or the image as a whole, is over the limit (413). */
export class LayerTooLargeError extends NamedError {
  override readonly status = 413;
  constructor(message: string, details?: Details) {
    super("LayerTooLargeError", message, details);
  }
}

/** Not a tar, no index.json / manifest.json, bad JSON, a digest that does not match (422). */
export class MalformedArchiveError extends NamedError {
  override readonly status = 422;
  constructor(message: string, details?: Details) {
    super("MalformedArchiveError", message, details);
  }
}

/** An entry whose path, link or type would reach outside the image root (422). */
export class UnsafeArchiveEntryError extends NamedError {
  override readonly status = 422;
  constructor(
    readonly violation: PathViolation,
    where: string,
  ) {
    super("UnsafeArchiveEntryError", `Refused ${where}: ${violation.path}: ${violation.detail} (${violation.kind}).`, { violation, where });
  }
}

/** A manifest, config or layer media type Isolab cannot unpack (415). */
export class UnsupportedMediaTypeError extends NamedError {
  override readonly status = 415;
  constructor(message: string, details?: Details) {
    super("UnsupportedMediaTypeError", message, details);
  }
}

/** `probe:latest` is the image npm run setup builds; nothing may replace or delete it (409). */
export class ReservedImageError extends NamedError {
  override readonly status = 409;
  constructor(message: string, details?: Details) {
    super("ReservedImageError", message, details);
  }
}

/** An image a live instance runs from (409): a ConflictError, named like the others. */
export class ImageInUseError extends ConflictError {
  constructor(message: string, details?: Details) {
    super(message, { code: "ImageInUseError", ...details });
    this.name = "ImageInUseError";
  }
}

/** The store has no such image (404). */
export class ImageNotFoundError extends NamedError {
  override readonly status = 404;
  constructor(message: string, details?: Details) {
    super("ImageNotFoundError", message, details);
  }
}

/** umoci, skopeo or cpio failed for a reason that is not the input's fault (502). */
export class ImageToolError extends NamedError {
  override readonly status = 502;
  constructor(message: string, details?: Details) {
    super("ImageToolError", message, details);
  }
}

/** No registry is running or configured, or it does not answer (503). */
export class RegistryUnavailableError extends NamedError {
  override readonly status = 503;
  constructor(message: string, details?: Details) {
    super("RegistryUnavailableError", message, details);
  }
}

/** The registry has no such repository or tag (404). */
export class TagNotFoundError extends NamedError {
  override readonly status = 404;
  constructor(message: string, details?: Details) {
    super("TagNotFoundError", message, details);
  }
}

/** The registry refused or failed a request (502). */
export class RegistryError extends NamedError {
  override readonly status = 502;
  constructor(message: string, details?: Details) {
    super("RegistryError", message, details);
  }
}

/** A command that needs the probe in an image that has none (409). */
export class ProbeUnavailableError extends NamedError {
  override readonly status = 409;
  constructor(message: string, details?: Details) {
    super("ProbeUnavailableError", message, details);
  }
}
