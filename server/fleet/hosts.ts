import "server-only";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { FleetHostNameSchema, type FleetHost, type FleetHostInput } from "@/lib/schemas/fleet";
import { ConflictError, InvalidRequestError, NotFoundError } from "@/server/errors";

// The hosts an admin added to the fleet: <state>/fleet/hosts.json (name and
// URL) and one token file per host under <state>/fleet/tokens/ (mode 0600,
// directory 0700), which Prometheus reads as its `credentials_file`: the
// token is written once, never sent back by the API, never in the config.
// The local host is always a target, scraped with the admin token that
// sign-in writes to <state>/admin-token (when it exists).

export const MAX_FLEET_HOSTS = 64;
export const LOCAL_HOST_NAME = "local";

const StoredSchema = z.object({ hosts: z.array(z.object({ name: FleetHostNameSchema, url: z.string() })) });

export interface FleetTarget extends FleetHost {
  credentialsFile?: string;
}

export function createFleetHosts(opts: { stateDir: string; localUrl: string | null }) {
  const dir = path.join(opts.stateDir, "fleet");
  const tokensDir = path.join(dir, "tokens");
  const file = path.join(dir, "hosts.json");
  const adminTokenFile = path.join(opts.stateDir, "admin-token");

  function read(): { name: string; url: string }[] {
    if (!fs.existsSync(file)) return [];
    const parsed = StoredSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is not a fleet host list; fix or remove it`);
    return parsed.data.hosts;
  }

  function write(hosts: { name: string; url: string }[]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ hosts }, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  const tokenFile = (name: string) => path.join(tokensDir, name);

  /** Every scrape target: the local host first, then the added ones, each with its token file if any. */
  function targets(): FleetTarget[] {
    const local: FleetTarget[] = opts.localUrl
      ? [
          {
            name: LOCAL_HOST_NAME,
            url: opts.localUrl,
            local: true,
            hasToken: fs.existsSync(adminTokenFile),
            ...(fs.existsSync(adminTokenFile) ? { credentialsFile: adminTokenFile } : {}),
          },
        ]
      : [];
    return [
      ...local,
      ...read().map((h) => {
        const has = fs.existsSync(tokenFile(h.name));
        return { ...h, local: false, hasToken: has, ...(has ? { credentialsFile: tokenFile(h.name) } : {}) };
      }),
    ];
  }

  function list(): FleetHost[] {
    return targets().map(({ name, url, local, hasToken }) => ({ name, url, local, hasToken }));
  }

  function add(input: FleetHostInput): FleetHost {
    if (input.name === LOCAL_HOST_NAME) throw new InvalidRequestError(`"${LOCAL_HOST_NAME}" names this host; choose another name.`, { field: "name" });
    const hosts = read();
    if (hosts.some((h) => h.name === input.name)) throw new ConflictError(`A host named "${input.name}" is already in the fleet; remove it first.`);
    if (hosts.length >= MAX_FLEET_HOSTS) throw new ConflictError(`The fleet holds at most ${MAX_FLEET_HOSTS} hosts.`);
    if (input.token) {
      fs.mkdirSync(tokensDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(tokenFile(input.name), input.token, { mode: 0o600 });
    }
    write([...hosts, { name: input.name, url: input.url }]);
    return { name: input.name, url: input.url, local: false, hasToken: Boolean(input.token) };
  }

  function remove(name: string) {
    FleetHostNameSchema.parse(name); // it becomes a path below
    const hosts = read();
    if (!hosts.some((h) => h.name === name)) throw new NotFoundError(`No host named "${name}" in the fleet.`);
    write(hosts.filter((h) => h.name !== name));
    fs.rmSync(tokenFile(name), { force: true });
  }

  /** The token Isolab sends to that host's own API (experiments across hosts), or null. */
  function token(name: string): string | null {
    const f = name === LOCAL_HOST_NAME ? adminTokenFile : tokenFile(name);
    return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim() : null;
  }

  return { list, targets, add, remove, token, paths: { dir, file, tokensDir, adminTokenFile } };
}

export type FleetHosts = ReturnType<typeof createFleetHosts>;
