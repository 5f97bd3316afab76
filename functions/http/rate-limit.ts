// Per-caller token buckets: a burst of `burst` requests, refilled at `perSecond`. Kept in the
// instance's memory, so in Azure each instance limits on its own; the gateway in front (API
// Management or Front Door) enforces the global quota.
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until a request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly perSecond: number, readonly burst: number, private readonly now: () => number = Date.now, private readonly maxCallers = 100_000) {}

  take(caller: string): RateDecision {
    if (this.perSecond <= 0) return { allowed: true, retryAfterSeconds: 0, remaining: Infinity };
    const now = this.now();
    const b = this.buckets.get(caller) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    // Map order is insertion order: re-inserting keeps the most recent callers at the end.
    this.buckets.delete(caller);
    this.buckets.set(caller, b);
    if (this.buckets.size > this.maxCallers) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(b.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.ceil((1 - b.tokens) / this.perSecond), remaining: 0 };
  }
}
