/**
 * The per-key allowance behind the handshake and HTTP limits, on a hand-driven clock: burst
 * then rate, Retry-After that is honest, and a table that stays bounded however many keys
 * clients invent. Through agentwire/server, where it is public for embedders.
 */
import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter } from 'agentwire/server';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('KeyedRateLimiter', () => {
  it('allows 2 × rate at once, then the rate; says when to come back', () => {
    const c = clock();
    const limiter = new KeyedRateLimiter({ rate: 4, now: c.now });
    const taken = Array.from({ length: 10 }, () => limiter.take('a').ok);
    expect(taken.filter(Boolean)).toHaveLength(8);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSec: 1 });
    expect(limiter.take('b').ok).toBe(true);
    c.advance(250);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    const slow = new KeyedRateLimiter({ rate: 1, burst: 1, now: c.now });
    slow.take('x');
    expect(slow.take('x')).toEqual({ ok: false, retryAfterSec: 1 });
  });

  it('forgets refilled keys, and never holds more than maxKeys', () => {
    const c = clock();
    const limiter = new KeyedRateLimiter({ rate: 1, maxKeys: 100, now: c.now });
    for (let i = 0; i < 1_000; i++) limiter.take(`key-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    c.advance(20_000);
    limiter.take('late');
    expect(limiter.size).toBe(1);
  });
});
