/**
 * Per-key rate limits: one token bucket per key hash, refilled continuously. On Node the buckets
 * live in the one process; on Workers each isolate keeps its own (documented in the README: a
 * key may get up to the limit per isolate), which bounds abuse without a round trip.
 */

/** Bucket size and refill rate. */
export interface RateLimit {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket capacity: the largest burst. */
  burst: number;
}

/** The outcome of taking a token. */
export interface RateDecision {
  ok: boolean;
  /** Milliseconds until a token is available (0 when `ok`). */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets keyed by string. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: () => number = Date.now,
    /** Buckets kept at most; the oldest full ones are dropped beyond it. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token from `key`'s bucket. */
  take(key: string): RateDecision {
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) / this.limit.perSecond) * 1000) };
  }
}
