import { describe, expect, it } from "vitest";
import { missingAltNames, opensslArgs, planTls, subjectAltNames, TlsConfigError } from "./tls-config";

const stateDir = "/var/lib/isolab";
const plan = (env: Record<string, string | undefined>, bindHost = "127.0.0.1", names: string[] = []) => planTls(env, { bindHost, stateDir, names });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TlsConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a TlsConfigError");
}

describe("planTls", () => {
  it("leaves loopback in plain HTTP unless TLS is asked for", () => {
    expect(plan({})).toEqual({ mode: "off" });
    expect(plan({ ISOLAB_TLS_GENERATE: "0" }, "localhost")).toEqual({ mode: "off" });
    expect(plan({ ISOLAB_TLS_CERT: "/c.pem", ISOLAB_TLS_KEY: "/k.pem" })).toEqual({ mode: "files", certPath: "/c.pem", keyPath: "/k.pem" });
  });

  it.each(["0.0.0.0", "::", "192.168.1.20", "isolab.example.org"])("refuses HOST=%s without TLS, saying what to set", (host) => {
    const message = refusal(() => plan({}, host));
    expect(message).toContain(`HOST=${host}`);
    expect(message).toContain("ISOLAB_TLS_CERT");
    expect(message).toContain("ISOLAB_TLS_KEY");
    expect(message).toContain("ISOLAB_TLS_GENERATE=1");
    expect(message).toContain("/var/lib/isolab/tls/");
  });

  it("generates into <state>/tls for the bind address and the given names", () => {
    expect(plan({ ISOLAB_TLS_GENERATE: "1" }, "0.0.0.0", ["isolab.example.org", "10.0.0.5"])).toEqual({
      mode: "generate",
      dir: "/var/lib/isolab/tls",
      certPath: "/var/lib/isolab/tls/cert.pem",
      keyPath: "/var/lib/isolab/tls/key.pem",
      altNames: ["DNS:localhost", "IP:127.0.0.1", "IP:::1", "DNS:isolab.example.org", "IP:10.0.0.5"],
    });
  });

  it("names the variable that is missing or contradicts another", () => {
    expect(refusal(() => plan({ ISOLAB_TLS_CERT: "/c.pem" }, "0.0.0.0"))).toMatch(/ISOLAB_TLS_CERT is set but ISOLAB_TLS_KEY is not/);
    expect(refusal(() => plan({ ISOLAB_TLS_KEY: "/k.pem" }))).toMatch(/ISOLAB_TLS_KEY is set but ISOLAB_TLS_CERT is not/);
    expect(refusal(() => plan({ ISOLAB_TLS_CERT: "/c.pem", ISOLAB_TLS_KEY: "/k.pem", ISOLAB_TLS_GENERATE: "1" }))).toMatch(/unset one/);
    expect(refusal(() => plan({ ISOLAB_TLS_GENERATE: "yes please" }))).toMatch(/ISOLAB_TLS_GENERATE: must be 1/);
  });
});

describe("subjectAltNames", () => {
  it("writes IPv4, IPv6 and DNS names once, and drops wildcards and anything openssl could misread", () => {
    expect(subjectAltNames(["0.0.0.0", "[::]", "[fe80::1]", "Box.Example", "box.example", "127.0.0.1", "evil,DNS:x", "a b", "a_b", "-lead.example"])).toEqual([
      "DNS:localhost",
      "IP:127.0.0.1",
      "IP:::1",
      "IP:fe80::1",
      "DNS:box.example",
    ]);
  });
});

describe("opensslArgs", () => {
  it("passes the names as one subjectAltName extension and writes to the given paths", () => {
    const args = opensslArgs(["DNS:localhost", "IP:127.0.0.1"], "/d/c.pem", "/d/k.pem");
    expect(args.slice(0, 2)).toEqual(["req", "-x509"]);
    expect(args[args.indexOf("-addext") + 1]).toBe("subjectAltName=DNS:localhost,IP:127.0.0.1");
    expect(args[args.indexOf("-keyout") + 1]).toBe("/d/k.pem");
    expect(args[args.indexOf("-out") + 1]).toBe("/d/c.pem");
  });
});

describe("missingAltNames", () => {
  it("compares with node's spelling and skips IPv6", () => {
    const cert = "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1";
    expect(missingAltNames(cert, ["DNS:localhost", "IP:127.0.0.1", "IP:::1", "DNS:box.example", "IP:10.0.0.5"])).toEqual(["DNS:box.example", "IP:10.0.0.5"]);
  });
});
