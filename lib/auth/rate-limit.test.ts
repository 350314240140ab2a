import { describe, expect, it } from "vitest";
import { FailureCounter } from "./rate-limit";

describe("FailureCounter", () => {
  const policy = { maxFailures: 3, windowMs: 1000 };

  it("refuses a key after maxFailures within the window, until the oldest failure leaves it", () => {
    const c = new FailureCounter(policy);
    c.fail("bob", 0);
    c.fail("bob", 100);
    expect(c.retryAfterMs("bob", 200)).toBe(0);
    c.fail("bob", 200);
    expect(c.retryAfterMs("bob", 300)).toBe(700);
    expect(c.retryAfterMs("bob", 999)).toBe(1);
    expect(c.retryAfterMs("bob", 1000)).toBe(0);
  });

  it("counts keys apart and forgets a key on reset", () => {
    const c = new FailureCounter(policy);
    for (const t of [0, 1, 2]) c.fail("bob", t);
    expect(c.retryAfterMs("alice", 3)).toBe(0);
    expect(c.retryAfterMs("bob", 3)).toBeGreaterThan(0);
    c.reset("bob");
    expect(c.retryAfterMs("bob", 3)).toBe(0);
  });
});
