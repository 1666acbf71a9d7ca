/**
 * UserExecutionContext: who a run belongs to. Immutable, and made only from a verified identity
 * plus server-issued thread and run ids. Everything downstream (emitter, store, fan-out) routes
 * by the userId it carries and by nothing else.
 */
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import { parseRunId, parseThreadId, parseUserId, type RunId, type ThreadId, type UserId } from './ids.js';
import { assertVerifiedIdentity, type VerifiedIdentity } from './verified-identity.js';

const CONSTRUCT = Symbol('UserExecutionContext.construct');

class UserExecutionContextImpl {
  readonly userId: UserId;
  readonly threadId: ThreadId;
  readonly runId: RunId;

  constructor(token: symbol, userId: UserId, threadId: ThreadId, runId: RunId) {
    if (token !== CONSTRUCT) {
      throw new AgentwireError(InternalErrorCode.FACTORY_ONLY, 'UserExecutionContext is made only by createUserExecutionContext()');
    }
    this.userId = userId;
    this.threadId = threadId;
    this.runId = runId;
    Object.freeze(this);
  }
}

/** The type is public; the class is not, so `new` is impossible from outside this module. */
export type UserExecutionContext = UserExecutionContextImpl;

export function createUserExecutionContext(
  identity: VerifiedIdentity,
  ids: { threadId: string; runId: string },
): UserExecutionContext {
  assertVerifiedIdentity(identity);
  return new UserExecutionContextImpl(CONSTRUCT, identity.userId, parseThreadId(ids.threadId), parseRunId(ids.runId));
}

export function isUserExecutionContext(value: unknown): value is UserExecutionContext {
  return value instanceof UserExecutionContextImpl;
}

/**
 * Rebuilds the context of a run the store recorded when an authenticated user submitted it.
 * Used only to end runs whose executor is gone (a restart, a lost node) with their terminal
 * event; never to start work.
 */
export function restoreUserExecutionContext(recorded: { userId: string; threadId: string; runId: string }): UserExecutionContext {
  return new UserExecutionContextImpl(CONSTRUCT, parseUserId(recorded.userId), parseThreadId(recorded.threadId), parseRunId(recorded.runId));
}
