/**
 * Who an HTTP request is, verified once per request. The API's rate gate needs it to pick the
 * allowance to charge and the route needs it to act; verifying the token twice doubled the
 * signature check of every `/api/*` request (and, with a JWKS, the key look-up).
 */
import type { IncomingMessage } from 'node:http';
import type { VerifiedIdentity } from '../context/verified-identity.js';
import { extractToken, type Authenticator } from '../transport/authenticator.js';

const verified = new WeakMap<IncomingMessage, Promise<VerifiedIdentity>>();

export function verifyRequest(authenticator: Authenticator, req: IncomingMessage, url: URL): Promise<VerifiedIdentity> {
  let identity = verified.get(req);
  if (!identity) {
    identity = authenticator.verify(extractToken(req.headers, url));
    verified.set(req, identity);
  }
  return identity;
}
