// WebSocket upgrades for browser terminals (`/ws/terminal/<instanceId>`),
// after the gate in scripts/serve.mjs has let them through (Host, Origin and
// any sign-in). The `ws` server only speaks the protocol; each socket goes to
// the app's terminal service (server/terminal/service.ts), reached through
// the one app the Next.js side built (server/app/index.ts keeps it under
// Symbol.for("isolab.app")), so this plain-JS server never imports
// server-only modules.
import { WebSocketServer } from "ws";

/** `protocol` is lib/terminal/protocol.ts, loaded by the caller through tsx. */
export function terminalUpgrades(protocol) {
  const { TERMINAL_PATH_PREFIX, MAX_WS_PAYLOAD_BYTES, CLOSE_CODES, terminalInstanceId, sizeFromQuery } = protocol;
  // maxPayload: a bigger frame closes the socket (1009) before it is buffered whole.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES, perMessageDeflate: false });

  const endWith = (ws, code, message) => {
    ws.send(JSON.stringify({ type: "ended", message }));
    ws.close(code, "refused");
  };

  /** Takes the upgrade and returns true when it is a terminal's; false leaves it to Next.js. */
  return function handleUpgrade(req, socket, head) {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(TERMINAL_PATH_PREFIX)) return false;
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A malformed or oversized frame makes ws emit "error" and close; without a listener it would crash the server.
      ws.on("error", () => {});
      const instanceId = terminalInstanceId(url.pathname);
      if (!instanceId) return endWith(ws, CLOSE_CODES.notFound, `"${url.pathname}" names no instance: use ${TERMINAL_PATH_PREFIX}<instance id>.`);
      const app = globalThis[Symbol.for("isolab.app")];
      if (!app?.terminals) return endWith(ws, CLOSE_CODES.failed, "Isolab is still starting; try again in a moment.");
      app.terminals.attach(ws, {
        instanceId,
        size: sizeFromQuery(url.searchParams),
        principal: req.isolabPrincipal,
        from: req.socket.remoteAddress,
      });
    });
    return true;
  };
}
