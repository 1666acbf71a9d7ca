/**
 * One token bucket per key (an address, a user): `rate` a second, `2 × rate` saved up. Keys come
 * from clients, so the table is bounded: a bucket that has refilled to its burst carries no
 * state and is dropped by a sweep, and past `maxKeys` the oldest keys go first (they lose their
 * debt, which errs towards letting a request through rather than growing without bound).
 */
export interface KeyedRateLimiterOptions {
  /** Sustained takes per second per key. */
  rate: number;
  /** Takes one key may make at once (default 2 × rate). */
  burst?: number;
  /** Keys tracked at most (default 100,000). */
  maxKeys?: number;
  now?: () => number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSec: number };

interface Bucket {
  tokens: number;
  last: number;
}

const SWEEP_EVERY_MS = 10_000;

export class KeyedRateLimiter {
  readonly rate: number;
  readonly burst: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  #lastSweep: number;

  constructor(options: KeyedRateLimiterOptions) {
    this.rate = options.rate;
    this.burst = options.burst ?? options.rate * 2;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? (() => performance.now());
    this.#lastSweep = this.#now();
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token of `key`'s bucket; when there is none, says how long until there is. */
  take(key: string): RateDecision {
    const waitMs = this.takeOrWait(key);
    return waitMs === 0 ? { ok: true } : { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Takes one token of `key`'s bucket: 0 when taken, otherwise the milliseconds until one is there. */
  takeOrWait(key: string): number {
    const now = this.#now();
    if (now - this.#lastSweep >= SWEEP_EVERY_MS) this.#sweep(now);
    const bucket = this.#buckets.get(key) ?? this.#add(key, now);
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.last) / 1000) * this.rate);
    bucket.last = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.rate) * 1000);
  }

  #add(key: string, now: number): Bucket {
    if (this.#buckets.size >= this.#maxKeys) {
      // At most one full sweep a second, so a flood of new keys costs O(1) each.
      if (now - this.#lastSweep >= 1000) this.#sweep(now);
      // Still full: forget the oldest (a Map iterates in insertion order).
      const oldest = this.#buckets.keys().next();
      if (!oldest.done && this.#buckets.size >= this.#maxKeys) this.#buckets.delete(oldest.value);
    }
    const bucket = { tokens: this.burst, last: now };
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Drops the buckets that have refilled: a fresh bucket would be the same. */
  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.last) / 1000) * this.rate >= this.burst) this.#buckets.delete(key);
    }
  }
}
