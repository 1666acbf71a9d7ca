/**
 * Errors thrown inside the server. Each has a stable string code (never reused for another
 * meaning), a message for humans and an optional cause. Unknown throws are normalised once, at
 * the boundary where they would otherwise escape (toAgentwireError).
 */

export const InternalErrorCode = {
  /** A context was asked for with an empty, placeholder or malformed id. */
  INVALID_CONTEXT: 'INVALID_CONTEXT',
  /** A factory-only class was constructed directly. */
  FACTORY_ONLY: 'FACTORY_ONLY',
  /** An emitter was asked to send an event for another user, thread or run. */
  ISOLATION_VIOLATION: 'ISOLATION_VIOLATION',
  /** An event's payload does not match its type's schema. */
  INVALID_EVENT: 'INVALID_EVENT',
  /** The run already ended; nothing more can be emitted for it. */
  RUN_CLOSED: 'RUN_CLOSED',
  /** The token was missing, malformed, expired or not signed by a trusted key. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Configuration is missing or contradictory. */
  CONFIG: 'CONFIG',
  /** The store could not be read or written. */
  STORE: 'STORE',
  /** The store's file is held by another process (or already open in this one). */
  STORE_LOCKED: 'STORE_LOCKED',
  /** Anything that was not an AgentwireError when it reached a boundary. */
  INTERNAL: 'INTERNAL',
} as const;
export type InternalErrorCode = (typeof InternalErrorCode)[keyof typeof InternalErrorCode];

export class AgentwireError extends Error {
  readonly code: InternalErrorCode;

  constructor(code: InternalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentwireError';
    this.code = code;
  }
}

/** Raised when code tries to emit an event that names another user, thread or run. */
export class IsolationViolationError extends AgentwireError {
  constructor(message: string) {
    super(InternalErrorCode.ISOLATION_VIOLATION, message);
    this.name = 'IsolationViolationError';
  }
}

/** Raised when a run is over and its agent keeps emitting: the agent should stop. */
export class RunClosedError extends AgentwireError {
  constructor(runId: string) {
    super(InternalErrorCode.RUN_CLOSED, `run ${runId} has ended; no more events are accepted`);
    this.name = 'RunClosedError';
  }
}

export function toAgentwireError(error: unknown): AgentwireError {
  if (error instanceof AgentwireError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AgentwireError(InternalErrorCode.INTERNAL, message, { cause: error });
}

/** A readable one-line message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}
