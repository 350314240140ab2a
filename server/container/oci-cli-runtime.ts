import "server-only";
import fs from "node:fs";
import { RuncListSchema, RuncStateSchema } from "@/lib/schemas/oci";
import { MissingDependencyError } from "@/server/errors";
import type { EngineExecResult } from "@/server/engine/contract";
import { tailFile } from "@/server/host/process-tools";
import { lastLine, meansGone, parseVersionOutput, runCli, runtimeErrorMessage, type CliResult } from "./cli";
import { execInContainer } from "./cli-exec";
import { runThroughShim } from "./shim";
import { OciRuntimeError } from "./errors";
import { toContainerState, type ContainerRuntime, type ContainerState, type CreateOptions, type RuntimeExecOptions, type RuntimeName } from "./runtime";

// runc and crun share their CLI verbs and JSON; this drives either, and the
// subclasses say how each reports its own failures.

export abstract class OciCliRuntime implements ContainerRuntime {
  constructor(
    readonly name: RuntimeName,
    readonly root: string,
    /** The executable; a bare name is looked up on PATH. */
    readonly binary: string = name,
  ) {}

  async check(): Promise<void> {
    await this.version();
  }

  async version(): Promise<string> {
    const res = await runCli(this.binary, ["--version"]);
    const version = res.code === 0 ? parseVersionOutput(res.stdout) : null;
    if (!version) {
      throw new MissingDependencyError(this.name, `\`${this.binary} --version\` did not report a version (${lastLine(res.stderr || res.stdout)}).`);
    }
    return version;
  }

  async create(id: string, bundleDir: string, opts: CreateOptions): Promise<void> {
    await this.launch(["create", "--bundle", bundleDir, "--pid-file", opts.pidFile, id], opts);
  }

  async start(id: string): Promise<void> {
    this.orThrow(await this.cli(["start", id]), `start ${id}`);
  }

  async runDetached(id: string, bundleDir: string, opts: CreateOptions): Promise<void> {
    await this.launch(["run", "--detach", "--bundle", bundleDir, "--pid-file", opts.pidFile, id], opts);
  }

  async state(id: string): Promise<ContainerState | null> {
    const res = await this.cli(["state", id]);
    if (res.code !== 0 && meansGone(res.stderr)) return null;
    this.orThrow(res, `state ${id}`);
    return toContainerState(RuncStateSchema.parse(JSON.parse(res.stdout)));
  }

  async kill(id: string, signal: NodeJS.Signals, opts: { all?: boolean } = {}): Promise<void> {
    const res = await this.cli(["kill", ...(opts.all ? ["--all"] : []), id, signal]);
    if (res.code !== 0 && meansGone(res.stderr)) return;
    this.orThrow(res, `kill ${id} ${signal}`);
  }

  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    const res = await this.cli(["delete", ...(opts.force ? ["--force"] : []), id]);
    if (res.code !== 0 && meansGone(res.stderr)) return;
    this.orThrow(res, `delete ${id}`);
  }

  exec(id: string, args: string[], opts: RuntimeExecOptions = {}): Promise<EngineExecResult> {
    const pidFileArgs = opts.pidFile ? ["--pid-file", opts.pidFile] : [];
    return execInContainer(this.binary, ["--root", this.root, "exec", ...pidFileArgs, id, ...args], {
      ...opts,
      label: args.join(" "),
      isRuntimeFailure: (code, stderr) => this.isExecFailure(code, stderr),
    });
  }

  async list(): Promise<ContainerState[]> {
    const res = this.orThrow(await this.cli(["list", "--format", "json"]), "list");
    return RuncListSchema.parse(JSON.parse(res.stdout || "null")).map(toContainerState);
  }

  /** Whether a non-zero `exec` exit came from the runtime rather than the program it ran. */
  protected abstract isExecFailure(exitCode: number, stderr: string): boolean;

  /** A chance to turn a known refusal (crun on hybrid cgroups) into a clearer error. */
  protected explainLaunchFailure(_logTail: string): Error | null {
    return null;
  }

  private cli(args: string[]): Promise<CliResult> {
    return runCli(this.binary, ["--root", this.root, ...args]);
  }

  /** create / run -d: the container's stdio and the runtime's own errors go to the log file. */
  private async launch(args: string[], { logPath, pidFile, shim }: CreateOptions): Promise<void> {
    const fd = fs.openSync(logPath, "a");
    const command = [this.binary, "--root", this.root, ...args];
    let res: CliResult;
    try {
      res = shim
        ? await runThroughShim(shim.binary, [shim.statusFile, pidFile, ...command], fd)
        : await runCli(command[0], command.slice(1), ["ignore", fd, fd]);
    } finally {
      fs.closeSync(fd);
    }
    if (res.code === 0) return;
    const tail = tailFile(logPath, 20);
    throw (
      this.explainLaunchFailure(tail) ??
      new OciRuntimeError(`${this.name} ${args[0]} failed: ${runtimeErrorMessage(tail) ?? (lastLine(tail) || `exit code ${res.code}`)}`, {
        runtime: this.name,
        exitCode: res.code,
        logTail: tail,
      })
    );
  }

  private orThrow(res: CliResult, what: string): CliResult {
    if (res.code === 0) return res;
    const why = runtimeErrorMessage(res.stderr) ?? (lastLine(res.stderr) || `exit code ${res.code}`);
    throw new OciRuntimeError(`${this.name} ${what} failed: ${why}`, { runtime: this.name, exitCode: res.code, stderr: res.stderr });
  }
}
