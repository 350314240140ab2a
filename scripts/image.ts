// The image store from the command line, the same code the web server uses:
//   node --conditions=react-server --import tsx scripts/image.ts import FILE [--name NAME[:TAG]]
//   … list [--json] | rm NAME[:TAG]
//   … push NAME[:TAG] --registry URL [--repository REPO] [--tag TAG]
//   … pull REPO[:TAG] --registry URL [--name NAME[:TAG]]
// (`npm run image -- …` once package.json has that script.) The store is
// <ISOLAB_STATE_DIR>/image-store; a running server sees what this does at
// once. `rm` refuses an image a live instance runs from, as the server does:
// it reads the instance records of the server and of the command-line runner.
import path from "node:path";
import { parseArgs } from "node:util";
import { formatBytes } from "../lib/core/format";
import { ImageRefSchema } from "../lib/schemas/image";
import { PullRequestSchema, PushRequestSchema, RegistryUrlSchema } from "../lib/schemas/registry";
import { isIsolabError } from "../server/errors";
import { buildImageStore } from "../server/app/create-app";
import { recordedInstances } from "../server/app/instance-records";
import { config } from "../server/config";
import { endpointFor } from "../server/registry/manager";
import { pullImage, pushImage } from "../server/registry/transfer";

const USAGE = `usage: scripts/image.ts <command> [options]
  import FILE [--name NAME[:TAG]]      an OCI archive or a \`docker save\` tarball
  list [--json]                        every image: reference, digest, size, layers, origin
  rm NAME[:TAG]
  push NAME[:TAG] --registry URL [--repository REPO] [--tag TAG]
  pull REPO[:TAG] --registry URL [--name NAME[:TAG]]`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      registry: { type: "string" },
      repository: { type: "string" },
      tag: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  const store = buildImageStore(config, () => recordedInstances([config.stateDir, path.join(config.stateDir, "cli")]));
  switch (command) {
    case "import": {
      if (!arg) throw new Error("import needs a FILE");
      const name = values.name === undefined ? undefined : ImageRefSchema.parse(values.name);
      const { image, format, tookMs } = await store.importArchive(arg, { name, detail: `file ${arg}` });
      console.log(`imported ${image.ref} (${format}) ${image.digest} ${formatBytes(image.sizeBytes)} in ${Math.round(tookMs)} ms`);
      return;
    }
    case "list": {
      const images = await store.list();
      if (values.json) return void console.log(JSON.stringify({ images }, null, 2));
      for (const i of images) {
        const layers = i.layers.map((l) => `${l.digest.slice(7, 19)} ${formatBytes(l.sizeBytes)}`).join(", ");
        console.log(
          `${i.ref.padEnd(32)} ${i.digest.slice(0, 19)}  ${formatBytes(i.sizeBytes).padStart(9)}  ${i.origin.kind} ${i.origin.detail}\n  layers: ${layers}`,
        );
      }
      return;
    }
    case "rm": {
      if (!arg) throw new Error("rm needs NAME[:TAG]");
      await store.remove(ImageRefSchema.parse(arg));
      console.log(`removed ${arg}`);
      return;
    }
    case "push": {
      const ep = endpointFor(RegistryUrlSchema.parse(values.registry));
      const req = PushRequestSchema.parse({ image: arg, repository: values.repository, tag: values.tag });
      const r = await pushImage(store, ep, req);
      console.log(`pushed ${r.reference} ${r.digest} in ${Math.round(r.tookMs)} ms`);
      return;
    }
    case "pull": {
      const ep = endpointFor(RegistryUrlSchema.parse(values.registry));
      const [repository, tag] = (arg ?? "").split(/:(?=[^/]*$)/);
      const req = PullRequestSchema.parse({ repository, ...(tag ? { tag } : {}), ...(values.name ? { name: values.name } : {}) });
      const r = await pullImage(store, ep, req);
      console.log(`pulled ${r.reference} as ${r.image.ref} ${r.image.digest} in ${Math.round(r.tookMs)} ms`);
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const name = isIsolabError(err) ? `${err.name}: ` : "";
  console.error(`${name}${(err as Error).message}`);
  process.exit(isIsolabError(err) && err.status < 500 ? 2 : 1);
});
