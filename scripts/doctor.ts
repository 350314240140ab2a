// What this host can do for Isolab, line by line (✓ works, ✗ does not, with
// the fix, – for information):
//   npm run doctor [-- --json]
// Exit status 0 when the essentials work, 1 otherwise. Run it as root: it
// starts one tiny container with each OCI runtime (and removes it) and, when
// no decision is cached, boots the KVM probe guest once.
import { parseArgs } from "node:util";
import { verdictText } from "../lib/host/doctor";
import { config } from "../server/config";
import { runDoctor } from "../server/doctor";

async function main() {
  const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });
  const verdict = await runDoctor(config);
  process.stdout.write(values.json ? JSON.stringify(verdict, null, 2) + "\n" : verdictText(verdict));
  process.exit(verdict.ok ? 0 : 1);
}

void main().catch((err: Error) => {
  process.stderr.write(`[isolab] doctor: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
