/**
 * The publish API's two credentials, neither of which is a user token:
 * - the service credential: the service secret itself as a bearer token, or an HS256 JWT signed
 *   with it that carries `scope: "agentwire:runs"` (so a job can hold a short-lived one). It may
 *   start runs on behalf of any user.
 * - a run token: minted when a run is started, signed with a key derived from the service secret
 *   (never the user-token secret, so the WebSocket's authenticator can never take it for a user),
 *   naming one run and its user. It may append to that run only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { errorMessage } from '../errors/agentwire-error.js';
import { MIN_SECRET_BYTES } from '../transport/authenticator.js';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';

export const SERVICE_SCOPE = 'agentwire:runs';

export interface RunClaims {
  runId: string;
  userId: string;
}

export class PublishCredentials {
  readonly #secret: Buffer;
  readonly #serviceKey: Uint8Array;
  readonly #runKey: Uint8Array;

  constructor(serviceSecret: string) {
    this.#secret = Buffer.from(serviceSecret, 'utf8');
    if (this.#secret.length < MIN_SECRET_BYTES) throw new AgentwireError(InternalErrorCode.CONFIG, `AGENTWIRE_SERVICE_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
    this.#serviceKey = new Uint8Array(this.#secret);
    this.#runKey = new Uint8Array(createHmac('sha256', this.#secret).update('agentwire run token v1').digest());
  }

  /** true for the service secret or a scoped service JWT; throws with the reason otherwise. */
  async verifyService(token: string | undefined): Promise<void> {
    if (!token) throw new Error('missing service credential');
    const given = Buffer.from(token, 'utf8');
    if (given.length === this.#secret.length && timingSafeEqual(given, this.#secret)) return;
    let scope: unknown;
    try {
      scope = (await jwtVerify(token, this.#serviceKey, { algorithms: ['HS256'] })).payload.scope;
    } catch (error) {
      throw new Error(`not a service credential: ${errorMessage(error)}`);
    }
    const scopes = typeof scope === 'string' ? scope.split(' ') : [];
    if (!scopes.includes(SERVICE_SCOPE)) throw new Error(`the service JWT has no "${SERVICE_SCOPE}" scope`);
  }

  async mintRunToken(claims: RunClaims, ttlSec: number): Promise<string> {
    return new SignJWT({ typ: 'agentwire-run', run: claims.runId, uid: claims.userId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime(`${ttlSec}s`)
      .sign(this.#runKey);
  }

  async verifyRunToken(token: string | undefined): Promise<RunClaims> {
    if (!token) throw new Error('missing run token');
    const { payload } = await jwtVerify(token, this.#runKey, { algorithms: ['HS256'] });
    if (payload.typ !== 'agentwire-run' || typeof payload.run !== 'string' || typeof payload.uid !== 'string') throw new Error('not a run token');
    return { runId: payload.run, userId: payload.uid };
  }
}
