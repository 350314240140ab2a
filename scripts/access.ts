// Accounts and API tokens from the command line, over the same database the
// web server reads at each request (a change applies at once):
//   npm run access -- token create NAME --role operator   prints the token, once
//   …  token list [--json] | token revoke ID
//   …  user add NAME --role admin     password from stdin, or asked for on a terminal
//   …  user passwd NAME | user role NAME --role viewer | user rm NAME | user list [--json]
import { parseArgs } from "node:util";
import { AccountNameSchema, PasswordSchema, RoleSchema, TokenNameSchema } from "../lib/schemas/access";
import { createAuthService } from "../server/auth/service";
import { config } from "../server/config";
import { isIsolabError } from "../server/errors";
import { openDatabase } from "../server/store/db";

const USAGE = `usage: npm run access -- <command> [options]
  token create NAME --role viewer|operator|admin   a new API token, printed once
  token list [--json]                              id, name, role, created, last used
  token revoke ID                                  the token and its sessions stop working at once
  user add NAME --role viewer|operator|admin       the password is read from stdin (or asked for)
  user passwd NAME                                 a new password; the account's sessions end
  user role NAME --role ROLE
  user rm NAME
  user list [--json]`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  const [noun, verb, arg] = positionals;
  if (values.help || !noun || !verb) return void console.log(USAGE);
  const db = openDatabase(config.dbPath);
  const auth = createAuthService({ db, stateDir: config.stateDir });
  const role = () => RoleSchema.parse(values.role);
  const need = (what: string) => {
    if (!arg) throw new Error(`${noun} ${verb} needs ${what}`);
    return arg;
  };
  try {
    switch (`${noun} ${verb}`) {
      case "token create": {
        const { info, token } = auth.tokens.create(
          TokenNameSchema.parse(need("a NAME")),
          role(),
          `cli (${process.env.SUDO_USER ?? process.env.USER ?? "root"})`,
        );
        console.error(`created token ${info.id} "${info.name}" (${info.role}); it is shown only now:`);
        return void console.log(token);
      }
      case "token list": {
        const tokens = auth.tokens.list();
        if (values.json) return void console.log(JSON.stringify({ tokens }, null, 2));
        for (const t of tokens)
          console.log(
            `${t.id}  ${t.role.padEnd(8)}  ${t.name}  (created ${iso(t.createdAt)} by ${t.createdBy}, last used ${t.lastUsedAt ? iso(t.lastUsedAt) : "never"})`,
          );
        return;
      }
      case "token revoke":
        auth.tokens.revoke(need("an ID (token list shows them)"));
        return void console.log(`revoked ${arg}`);
      case "user add": {
        const name = AccountNameSchema.parse(need("a NAME"));
        const r = role();
        await auth.users.add(name, r, PasswordSchema.parse(await readPassword(`password for ${name}: `)));
        return void console.log(`added ${name} (${r})`);
      }
      case "user passwd": {
        const name = AccountNameSchema.parse(need("a NAME"));
        await auth.users.setPassword(name, PasswordSchema.parse(await readPassword(`new password for ${name}: `)));
        return void console.log(`changed the password of ${name}; its sessions were signed out`);
      }
      case "user role":
        auth.users.setRole(AccountNameSchema.parse(need("a NAME")), role());
        return void console.log(`${arg} is now ${values.role}`);
      case "user rm":
        auth.users.remove(AccountNameSchema.parse(need("a NAME")));
        return void console.log(`removed ${arg} and its sessions`);
      case "user list": {
        const users = auth.users.list();
        if (values.json) return void console.log(JSON.stringify({ users }, null, 2));
        for (const u of users) console.log(`${u.role.padEnd(8)}  ${u.name}  (created ${iso(u.createdAt)})`);
        return;
      }
      default:
        throw new Error(`unknown command "${noun} ${verb}"\n${USAGE}`);
    }
  } finally {
    db.close();
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

/** The first line of stdin when it is piped; on a terminal, asked for without echo. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) text += chunk;
    return text.split(/\r?\n/)[0];
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let typed = "";
    const onData = (chars: string) => {
      for (const c of chars) {
        if (c === "\r" || c === "\n") return done(() => resolve(typed));
        if (c === "\u0003") return done(() => reject(new Error("cancelled")));
        if (c === "\u007f") typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    const done = (then: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      then();
    };
    stdin.on("data", onData);
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err && typeof err === "object" && "issues" in err) {
    console.error(`error: ${(err as { issues: { path: PropertyKey[]; message: string }[] }).issues.map((i) => i.message).join("; ")}`);
  } else console.error(`error: ${isIsolabError(err) ? err.message : (err as Error).message}`);
  process.exit(1);
});
