import { describe, expect, it } from "vitest";
import { classifyAddress, ipv6Groups, isLoopbackHost, judgeRedirect, judgeRegistryUrl, refusedAddress } from "./registry-policy";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["169.254.169.254", "metadata"],
    ["169.254.0.1", "link-local"],
    ["169.254.255.255", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["fec0::1", "other"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["::ffff:169.254.1.1", "link-local"],
    ["::ffff:127.0.0.1", "loopback"],
    ["fd00:ec2::254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "multicast"],
    ["10.0.0.1", "other"],
    ["192.168.1.20", "other"],
    ["2001:db8::1", "other"],
    ["registry.example.org", null],
    ["256.1.1.1", null],
    ["1::2::3", null],
  ])("%s → %s", (a, c) => expect(classifyAddress(a)).toBe(c));

  it("expands IPv6 forms", () => {
    expect(ipv6Groups("fe80::1")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("[::ffff:1.2.3.4]")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups("1:2:3:4:5:6:7:8:9")).toBeNull();
  });

  it("refuses link-local and metadata addresses, allows loopback and the rest", () => {
    expect(refusedAddress("169.254.169.254")).toMatch(/cloud metadata/);
    expect(refusedAddress("fe80::abcd")).toMatch(/link-local/);
    expect(refusedAddress("127.0.0.1")).toBeNull();
    expect(refusedAddress("203.0.113.7")).toBeNull();
  });
});

describe("judgeRegistryUrl", () => {
  it.each([
    ["http://127.0.0.1:5000", { ok: true, loopback: true }],
    ["http://localhost:5000", { ok: true, loopback: true }],
    ["http://[::1]:5000", { ok: true, loopback: true }],
    ["https://registry.example.org", { ok: true, loopback: false }],
    ["https://10.1.2.3:5000", { ok: true, loopback: false }],
  ])("accepts %s", (url, v) => expect(judgeRegistryUrl(url)).toEqual(v));

  it.each([
    ["http://registry.example.org", /plain http is used only for a registry on this host/],
    ["https://169.254.169.254", /cloud metadata/],
    ["https://169.254.10.10:5000", /link-local/],
    ["https://[fe80::1]:5000", /link-local/],
    ["https://[::ffff:169.254.169.254]", /cloud metadata/],
    ["https://metadata.google.internal", /metadata endpoint/],
    ["https://METADATA.google.internal.", /metadata endpoint/],
    ["https://0.0.0.0:5000", /unspecified/],
    ["https://u:p@registry.example.org", /credentials/],
    ["ftp://registry.example.org", /not http or https/],
    ["not a url", /not a URL/],
  ])("refuses %s", (url, reason) => {
    const v = judgeRegistryUrl(url);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(reason);
  });

  it("knows loopback names", () => {
    expect(isLoopbackHost("LOCALHOST")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("127.0.0.2")).toBe(true);
    expect(isLoopbackHost("localhost.example.org")).toBe(false);
  });
});

describe("judgeRedirect", () => {
  it("follows a redirect on the same host", () => {
    expect(judgeRedirect("https://r.example.org/v2/", "/v2/?x=1")).toEqual({ ok: true, url: "https://r.example.org/v2/?x=1" });
    expect(judgeRedirect("http://127.0.0.1:5000/v2/_catalog", "http://127.0.0.1:5000/v2/_catalog?n=10")).toMatchObject({ ok: true });
  });

  it.each([
    ["http://127.0.0.1:5000/v2/", "http://169.254.169.254/latest/meta-data/", /another host \(169\.254\.169\.254\)/],
    ["https://r.example.org/v2/", "https://cdn.example.org/blob", /another host/],
    ["http://127.0.0.1:5000/v2/", "http://127.0.0.1:5001/v2/", /another host/],
    ["https://r.example.org/v2/", "http://r.example.org/v2/", /from https: to http:/],
    ["https://r.example.org/v2/", "file:///etc/passwd", /from https: to file:/],
  ])("refuses %s → %s", (from, to, reason) => {
    const v = judgeRedirect(from, to);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(reason);
  });
});
