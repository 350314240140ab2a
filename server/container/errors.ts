import "server-only";
import { IsolabError } from "@/server/errors";

/** The OCI runtime CLI itself failed (not the program inside the container). */
export class OciRuntimeError extends IsolabError {
  override readonly status = 500;
}

/** The runtime is installed but refuses this host's setup (crun on hybrid cgroups). */
export class UnsupportedHostError extends IsolabError {
  override readonly status = 503;
}
