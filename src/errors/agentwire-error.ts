/**
 * Errors thrown inside the server. Each has a stable string code (never reused for another
 * meaning), a message for humans and an optional cause. Unknown throws are normalised once, at
 * the boundary where they would otherwise escape (toAgentwireError).
 */
import { constantsOn, type CodeOn } from '../protocol/error-codes.js';

/** The codes of errors thrown inside the server: the `server` rows of the code table. */
export const InternalErrorCode = constantsOn('server');
export type InternalErrorCode = CodeOn<'server'>;

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
