/** Reconnect delays: exponential with full jitter (AWS architecture blog), capped. */
export interface BackoffOptions {
  /** First delay's upper bound (default 500 ms). */
  initialDelayMs: number;
  /** Largest delay (default 15 s). */
  maxDelayMs: number;
  /** Growth per attempt (default 2). */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 15_000, factor: 2 };

/** A uniformly random delay in [0, min(max, initial × factor^attempt)]. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** attempt);
  return Math.floor(random() * ceiling);
}
