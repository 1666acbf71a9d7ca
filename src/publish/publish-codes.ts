/**
 * Codes of the publish API's refusals (`{ "error": { "code", "message", … } }`), as named
 * constants. Stable: a retired code is never reused.
 */
export const PublishErrorCode = {
  /** No service credential / run token, or a bad one. HTTP 401. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The credential is valid but not for this (a run token used on another run, a user token). HTTP 403. */
  FORBIDDEN: 'FORBIDDEN',
  /** The body is not a valid request or batch. HTTP 400. */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** An event of the batch is not a valid agentwire worker event; nothing of the batch was delivered. HTTP 400. */
  INVALID_EVENT: 'INVALID_EVENT',
  /** The batch skips producer sequence numbers; `expected` is the next one the run accepts. HTTP 409. */
  PRODUCER_SEQ_GAP: 'PRODUCER_SEQ_GAP',
  /** Another producer already appends to this run; only the first one may. HTTP 409. */
  PRODUCER_FENCED: 'PRODUCER_FENCED',
  /** The run has ended; nothing more can be appended. HTTP 409. */
  RUN_ENDED: 'RUN_ENDED',
  /** The batch has more events, or more bytes, than allowed. HTTP 413. */
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  /** The producer appends faster than its rate. HTTP 429, with `retryAfterMs`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The publish API is not enabled on this server (no AGENTWIRE_SERVICE_SECRET). HTTP 404. */
  NOT_ENABLED: 'NOT_ENABLED',
} as const;
export type PublishErrorCode = (typeof PublishErrorCode)[keyof typeof PublishErrorCode];
