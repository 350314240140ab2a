// Native modules the nested cgroup v2 guest does not carry: the bundled tests
// and doctor link the app's wiring point (server/app/create-app.ts), which
// imports sign-in (@node-rs/argon2) and terminals (node-pty), but the
// container engine and the doctor use neither. A call there fails loudly.
function absent(what: string): never {
  throw new Error(`the nested cgroup v2 host has no ${what}: nothing run there may sign in or open a terminal`);
}
export const hash = (): never => absent("@node-rs/argon2");
export const verify = (): never => absent("@node-rs/argon2");
export const spawn = (): never => absent("node-pty");
