/**
 * Verifies bearer tokens (JWT) and turns them into VerifiedIdentity. HS256 tokens are checked
 * only against the shared secret and asymmetric ones only against the JWKS, so a token cannot
 * pick its own verification key (HS/RS confusion) and "alg: none" is never accepted.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { AgentwireError, errorMessage, InternalErrorCode } from '../errors/agentwire-error.js';
import { mintVerifiedIdentity, type VerifiedIdentity } from '../context/verified-identity.js';

export interface AuthOptions {
  /** Shared secret for HS256 tokens (AGENTWIRE_JWT_SECRET). At least 32 bytes. */
  jwtSecret?: string | undefined;
  /** URL of a JSON Web Key Set for RS/PS/ES/EdDSA tokens (AGENTWIRE_JWKS_URL). */
  jwksUrl?: string | undefined;
  /** Required `iss`, when set. */
  issuer?: string | undefined;
  /** Required `aud`, when set. */
  audience?: string | undefined;
  /** Allowed clock skew for exp/nbf, in seconds (default 5). */
  clockToleranceSec?: number | undefined;
  /**
   * Refuse tokens without `exp` (default true; AGENTWIRE_JWT_REQUIRE_EXP=0 relaxes it). A token
   * that never expires is a credential that cannot be taken back short of rotating the key.
   */
  requireExp?: boolean | undefined;
}

const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
export const MIN_SECRET_BYTES = 32;

export class Authenticator {
  readonly #secret: Uint8Array | undefined;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly #verifyOptions: JWTVerifyOptions;
  readonly #requireExp: boolean;

  constructor(options: AuthOptions) {
    if (!options.jwtSecret && !options.jwksUrl) {
      throw new AgentwireError(InternalErrorCode.CONFIG, 'authentication needs AGENTWIRE_JWT_SECRET or AGENTWIRE_JWKS_URL; there is no unauthenticated mode');
    }
    if (options.jwtSecret !== undefined) {
      const secret = new TextEncoder().encode(options.jwtSecret);
      if (secret.length < MIN_SECRET_BYTES) {
        throw new AgentwireError(InternalErrorCode.CONFIG, `the JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
      }
      this.#secret = secret;
    }
    this.#requireExp = options.requireExp ?? true;
    this.#jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
    this.#verifyOptions = {
      clockTolerance: options.clockToleranceSec ?? 5,
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
    };
  }

  /** Verifies a token; throws AgentwireError(UNAUTHORIZED) with the reason otherwise. */
  async verify(token: string | undefined): Promise<VerifiedIdentity> {
    if (!token) throw unauthorized('no token');
    let payload: JWTPayload;
    try {
      payload = await this.#verifySignature(token);
    } catch (error) {
      if (error instanceof AgentwireError) throw error;
      throw unauthorized(error instanceof Error ? error.message : 'invalid token', error);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw unauthorized('token has no string "sub"');
    // jose has already checked a present exp against the clock; here only its absence matters.
    if (this.#requireExp && typeof payload.exp !== 'number') throw unauthorized('token has no "exp": tokens must expire (auth.requireExp)');
    try {
      return mintVerifiedIdentity(payload.sub, typeof payload.exp === 'number' ? payload.exp * 1000 : undefined);
    } catch (error) {
      throw unauthorized(`unusable "sub": ${errorMessage(error)}`, error);
    }
  }

  async #verifySignature(token: string): Promise<JWTPayload> {
    const { alg } = decodeProtectedHeader(token);
    if (alg === 'HS256') {
      if (!this.#secret) throw unauthorized('HS256 tokens are not accepted here');
      return (await jwtVerify(token, this.#secret, { ...this.#verifyOptions, algorithms: ['HS256'] })).payload;
    }
    if (alg !== undefined && ASYMMETRIC_ALGS.includes(alg)) {
      if (!this.#jwks) throw unauthorized(`${alg} tokens are not accepted here`);
      return (await jwtVerify(token, this.#jwks, { ...this.#verifyOptions, algorithms: ASYMMETRIC_ALGS })).payload;
    }
    throw unauthorized(`algorithm "${String(alg)}" is not accepted`);
  }
}

function unauthorized(reason: string, cause?: unknown): AgentwireError {
  return new AgentwireError(InternalErrorCode.UNAUTHORIZED, reason, cause === undefined ? undefined : { cause });
}

/**
 * Finds the token in an upgrade or HTTP request: Authorization header, then the
 * `bearer.<jwt>` subprotocol (browsers cannot set headers on WebSocket), then ?access_token=.
 */
export function extractToken(headers: Record<string, string | string[] | undefined>, url: URL): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const part of protocols.split(',')) {
      const value = part.trim();
      if (value.startsWith('bearer.')) return value.slice('bearer.'.length);
    }
  }
  return url.searchParams.get('access_token') ?? undefined;
}
