import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecError } from "@/server/errors";
import { AgentChannel, AgentClosedError, MAX_AGENT_LINE_CHARS } from "./agent-channel";

// A fake guest on the far end of a unix socket: the test writes what the
// agent would print and reads what the host sends.

let dir: string;
let server: net.Server;
let guest: net.Socket;
let channel: AgentChannel;
let received: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "isolab-agent-"));
  const sock = path.join(dir, "agent.sock");
  server = net.createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  const accepted = new Promise<net.Socket>((r) => server.once("connection", r));
  guest = net.connect(sock);
  received = "";
  guest.on("data", (d) => (received += d.toString()));
  channel = new AgentChannel(await accepted, () => 1234.5);
});
afterEach(async () => {
  channel.close();
  guest.destroy();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const say = (text: string) => guest.write(text);
const until = async (pred: () => boolean) => {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
};
const requestIds = () => [...received.matchAll(/^(\d+) /gm)].map((m) => Number(m[1]));

describe("AgentChannel", () => {
  it("resolves ready with the parsed READY line and the host time it arrived", async () => {
    say("garbage before\r\n[ 1.0] kernel noise\nREADY uptime=1.42 init_uptime=1.40\n");
    await expect(channel.ready).resolves.toEqual({ uptimeSeconds: 1.42, initUptimeSeconds: 1.4, at: 1234.5 });
    expect(channel.isReady).toBe(true);
  });

  it("assembles a READY line split across chunks", async () => {
    say("REA");
    await new Promise((r) => setTimeout(r, 10));
    say("DY uptime=2.00\n");
    await expect(channel.ready).resolves.toMatchObject({ uptimeSeconds: 2, initUptimeSeconds: undefined });
  });

  it("runs one request and collects its output lines and exit code", async () => {
    say("READY uptime=1 init_uptime=0.9\n");
    const lines: string[] = [];
    const result = channel.exec("cpu", ["200"], { onLine: (l) => lines.push(l) });
    await until(() => received.includes("\n"));
    expect(received).toBe("1 cpu 200\n");
    say('1|{"progress":true}\n1|{"ops":5}\n1#0\n');
    await expect(result).resolves.toEqual({ exitCode: 0, output: '{"progress":true}\n{"ops":5}' });
    expect(lines).toEqual(['{"progress":true}', '{"ops":5}']);
  });

  it("drops a line that never ends past the limit, and reads the lines after its newline", async () => {
    say("READY uptime=1 init_uptime=0.9\n");
    const result = channel.exec("info", []);
    await until(() => received.includes("\n"));
    const flood = `1|${"x".repeat(64 * 1024)}`;
    for (let i = 0; i < Math.ceil((MAX_AGENT_LINE_CHARS * 1.5) / flood.length); i++) say(flood);
    say("\n1|after\n1#0\n");
    await expect(result).resolves.toEqual({ exitCode: 0, output: "after" });
  });

  it("routes interleaved lines of concurrent requests by id, ignoring garbage", async () => {
    say("READY uptime=1 init_uptime=0.9\n");
    const a = channel.exec("info", []);
    const b = channel.exec("ping", []);
    await until(() => requestIds().length === 2);
    const [ia, ib] = requestIds();
    say(`${ib}|pong\nnot a protocol line\n${ia}|one\n99|stray\n${ia}|two\n${ib}#0\n${ia}#3\n`);
    await expect(b).resolves.toEqual({ exitCode: 0, output: "pong" });
    await expect(a).resolves.toEqual({ exitCode: 3, output: "one\ntwo" });
  });

  it("fails a request after timeoutMs and ignores its late lines", async () => {
    say("READY uptime=1\n");
    await expect(channel.exec("latency", ["1000", "10"], { timeoutMs: 30 })).rejects.toThrow(/within 30 ms/);
    say("1|late\n1#0\n");
    const next = channel.exec("ping", []);
    await until(() => requestIds().length === 2);
    say("2|pong\n2#0\n");
    await expect(next).resolves.toEqual({ exitCode: 0, output: "pong" });
  });

  it("honours an abort signal", async () => {
    say("READY uptime=1\n");
    const ac = new AbortController();
    const p = channel.exec("cpu", [], { signal: ac.signal });
    await until(() => requestIds().length === 1);
    ac.abort("user");
    await expect(p).rejects.toThrow(/aborted/);
  });

  it("waits for READY before sending, within the request's timeout", async () => {
    await expect(channel.exec("ping", [], { timeoutMs: 30 })).rejects.toThrow(/not ready within 30 ms/);
    expect(received).toBe("");
    const later = channel.exec("ping", []);
    say("READY uptime=1\n");
    await until(() => received !== "");
    say(`${requestIds()[0]}|pong\n${requestIds()[0]}#0\n`);
    await expect(later).resolves.toEqual({ exitCode: 0, output: "pong" });
  });

  it("refuses arguments the guest would split", async () => {
    await expect(channel.exec("io", ["a b"])).rejects.toBeInstanceOf(ExecError);
  });

  it("rejects every pending request, and ready, when the channel closes", async () => {
    say("READY uptime=1\n");
    const a = channel.exec("cpu", []);
    const b = channel.exec("mem", ["64"]);
    await until(() => requestIds().length === 2);
    guest.destroy();
    await expect(a).rejects.toBeInstanceOf(AgentClosedError);
    await expect(b).rejects.toBeInstanceOf(AgentClosedError);
    await expect(channel.exec("ping", [])).rejects.toBeInstanceOf(AgentClosedError);
  });

  it("rejects ready when the channel closes before READY", async () => {
    guest.destroy();
    await expect(channel.ready).rejects.toBeInstanceOf(AgentClosedError);
  });

  it("fails requests in flight when the agent restarts (a second READY)", async () => {
    say("READY uptime=1\n");
    const p = channel.exec("cpu", []);
    await until(() => requestIds().length === 1);
    say("READY uptime=5\n");
    await expect(p).rejects.toThrow(/agent restarted/);
  });

  it("adopts a restored guest's agent without a READY line, numbering requests on from the snapshot's", async () => {
    channel.adopt(7);
    expect(channel.isReady).toBe(true);
    const p = channel.exec("ping", []);
    await until(() => requestIds().length === 1);
    expect(requestIds()).toEqual([7]);
    say('3|{"stale":true}\n3#0\n7|{"pong":true,"uptime":9.5}\n7#0\n');
    await expect(p).resolves.toEqual({ exitCode: 0, output: '{"pong":true,"uptime":9.5}' });
    expect(channel.nextRequestId).toBe(8);
  });
});
