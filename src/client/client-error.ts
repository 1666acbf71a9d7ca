import type { ErrorCode } from '../protocol/codes.js';

/**
 * Codes the client itself raises, beside the server's ErrorCode values. PROTOCOL_ERROR: the server
 * sent a frame that is not JSON or not a message of this protocol; it was dropped, not cast.
 */
export type ClientErrorCode = ErrorCode | 'CLOSED' | 'UNAUTHORIZED' | 'HTTP_ERROR' | 'PROTOCOL_ERROR';

/** A refusal from the server (its `error` frame or HTTP error) or a client-side failure. */
export class AgentwireClientError extends Error {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentwireClientError';
    this.code = code;
  }
}
