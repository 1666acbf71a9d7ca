import type { CodeOn } from '../protocol/error-codes.js';

/**
 * The server's `error` frame codes, and the codes the client raises itself (the `client` rows of
 * the code table: CLOSED, UNAUTHORIZED, HTTP_ERROR, PROTOCOL_ERROR).
 */
export type ClientErrorCode = CodeOn<'error_frame'> | CodeOn<'client'>;

/** A refusal from the server (its `error` frame or HTTP error) or a client-side failure. */
export class AgentwireClientError extends Error {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentwireClientError';
    this.code = code;
  }
}
