/**
 * Request rate of the HTTP API (`/api/*`): a request with a valid token is counted against its
 * user, any other against its client address (resolved through the trusted proxies), so users
 * behind one proxy or NAT do not share an allowance, and a caller without credentials cannot
 * spend another's. Probes, metrics and the page are not counted: a balancer's health checks
 * must not be refused.
 */
import type { IncomingMessage } from 'node:http';
import { extractToken, type Authenticator } from '../transport/authenticator.js';
import type { ClientAddressResolver } from '../transport/client-address.js';
import { KeyedRateLimiter } from '../transport/keyed-rate-limiter.js';
import { verifyRequest } from './request-identity.js';

export interface HttpRateLimits {
  /** Sustained `/api/*` requests per second per authenticated user; burst twice that (default 20). */
  requestsPerSecondPerUser: number;
  /** Sustained `/api/*` requests per second per client address without a valid token; burst twice that (default 50). */
  requestsPerSecondPerAddress: number;
}

export const DEFAULT_HTTP_RATE_LIMITS: HttpRateLimits = {
  requestsPerSecondPerUser: 20,
  requestsPerSecondPerAddress: 50,
};

export type HttpRateDecision = { ok: true } | { ok: false; key: 'user' | 'address'; retryAfterSec: number };

export class HttpRateGate {
  readonly #users: KeyedRateLimiter;
  readonly #addresses: KeyedRateLimiter;

  constructor(
    limits: HttpRateLimits,
    private readonly authenticator: Authenticator,
    private readonly clientAddress: ClientAddressResolver,
  ) {
    this.#users = new KeyedRateLimiter({ rate: limits.requestsPerSecondPerUser });
    this.#addresses = new KeyedRateLimiter({ rate: limits.requestsPerSecondPerAddress });
  }

  /** Takes one request from the right allowance; the route reuses the verification (request-identity.ts). */
  async admit(req: IncomingMessage, url: URL): Promise<HttpRateDecision> {
    const token = extractToken(req.headers, url);
    if (token !== undefined) {
      const userId = await verifyRequest(this.authenticator, req, url).then(
        (identity) => identity.userId,
        () => undefined,
      );
      if (userId !== undefined) return decide(this.#users.take(userId), 'user');
    }
    return decide(this.#addresses.take(this.clientAddress.resolve(req)), 'address');
  }
}

function decide(decision: ReturnType<KeyedRateLimiter['take']>, key: 'user' | 'address'): HttpRateDecision {
  return decision.ok ? decision : { ok: false, key, retryAfterSec: decision.retryAfterSec };
}
