import "server-only";
import { runtimeErrorMessage } from "./cli";
import { OciCliRuntime } from "./oci-cli-runtime";

/** runc 1.1: works on this project's hybrid cgroup v1 hosts (ARCHITECTURE.md, "Hosts it has run on"). */
export class RuncRuntime extends OciCliRuntime {
  constructor(root: string, binary = "runc") {
    super("runc", root, binary);
  }

  // runc exits 255 when it could not start the process at all (no such
  // binary, container not running) and says why in a logfmt error line; any
  // other code is the program's own exit status.
  protected isExecFailure(exitCode: number, stderr: string): boolean {
    return exitCode === 255 && runtimeErrorMessage(stderr) !== null;
  }
}
