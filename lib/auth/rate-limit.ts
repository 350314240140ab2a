// Failed sign-ins, counted per key (an account name, a remote address) in a
// sliding window. Pure: the caller passes the time, so tests need no sleeps.

export interface RateLimitPolicy {
  /** Failures allowed within `windowMs` before the key is refused. */
  maxFailures: number;
  windowMs: number;
}

/** Per account: a password guesser on one name is slowed to a crawl. */
export const ACCOUNT_SIGN_IN_LIMIT: RateLimitPolicy = { maxFailures: 5, windowMs: 15 * 60_000 };
/** Per remote address: one client trying many names. */
export const ADDRESS_SIGN_IN_LIMIT: RateLimitPolicy = { maxFailures: 20, windowMs: 15 * 60_000 };

/** At most this many keys are remembered; the oldest are forgotten first (a flood of names cannot grow memory). */
const MAX_KEYS = 10_000;

export class FailureCounter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly policy: RateLimitPolicy) {}

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfterMs(key: string, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < this.policy.maxFailures) return 0;
    return recent[recent.length - this.policy.maxFailures] + this.policy.windowMs - now;
  }

  fail(key: string, now: number): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.policy.maxFailures));
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }

  /** A success forgets the key's failures. */
  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.policy.windowMs);
  }
}
