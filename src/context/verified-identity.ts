/**
 * A user identity that a credential check produced. Only the authenticator mints these; a
 * UserExecutionContext cannot be made from anything else.
 */
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import { parseUserId, type UserId } from './ids.js';

export interface VerifiedIdentity {
  readonly userId: UserId;
  /** Epoch milliseconds at which the credential expires; undefined when it does not. */
  readonly expiresAt: number | undefined;
}

// A WeakSet rather than a brand: an object literal with the right shape is still refused.
const minted = new WeakSet<VerifiedIdentity>();

/** Called by the authenticator once a credential has been verified. Internal API. */
export function mintVerifiedIdentity(subject: unknown, expiresAt: number | undefined): VerifiedIdentity {
  const identity = Object.freeze({ userId: parseUserId(subject), expiresAt });
  minted.add(identity);
  return identity;
}

export function assertVerifiedIdentity(identity: VerifiedIdentity): void {
  if (!minted.has(identity)) {
    throw new AgentwireError(InternalErrorCode.FACTORY_ONLY, 'identity was not produced by the authenticator');
  }
}
