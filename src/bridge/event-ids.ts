/**
 * Event ids: a random per-process prefix and a counter. Unique across processes (64 random
 * bits) without a call into the kernel's random source per event, which was the single most
 * expensive step of publishing.
 */
import { randomBytes } from 'node:crypto';

const PREFIX = randomBytes(8).toString('base64url');
let counter = 0;

export function nextEventId(): string {
  counter += 1;
  return PREFIX + counter.toString(36);
}
