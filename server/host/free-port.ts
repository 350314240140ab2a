import net from "node:net";

// No "server-only" here: the Playwright specs' server starter
// (scripts/testing/isolab-server.ts) runs without React's server condition.

/** A TCP port on 127.0.0.1 that nothing listens on right now (the caller binds it next; a race is possible and rare). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
