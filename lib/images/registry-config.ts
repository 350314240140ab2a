// The configuration file of Debian's `docker-registry` (Distribution 2.8)
// that Isolab starts: loopback only, data under Isolab's state directory,
// deletes allowed (so a test or a person can remove tags), no access log
// noise. Pure: YAML text from a few values.

export interface RegistryConfigSpec {
  /** Absolute path of the storage root. */
  dataDir: string;
  port: number;
  /** Random per start; the registry signs upload state with it. */
  secret: string;
}

/** A YAML double-quoted scalar. */
function yamlString(s: string): string {
  return JSON.stringify(s);
}

export function registryConfigYaml({ dataDir, port, secret }: RegistryConfigSpec): string {
  if (!dataDir.startsWith("/")) throw new Error(`the registry's data directory must be absolute, got ${dataDir}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a TCP port: ${port}`);
  return [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${yamlString(dataDir)}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${yamlString(`127.0.0.1:${port}`)}`,
    `  secret: ${yamlString(secret)}`,
    "",
  ].join("\n");
}
