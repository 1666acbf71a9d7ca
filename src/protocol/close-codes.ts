import { ERROR_CODES } from './error-codes.js';

/**
 * WebSocket close codes the server uses. A close that has an error code (UNAUTHORIZED, FORBIDDEN,
 * RATE_LIMITED, INTERNAL, TOO_LARGE) takes its number from that code's row of the table.
 */
export const CloseCode = {
  /** Normal closure (client asked). */
  NORMAL: 1000,
  /** The server is shutting down; reconnect (possibly to another node). */
  GOING_AWAY: 1001,
  /** A text frame was not valid UTF-8 (sent by the `ws` library itself). */
  INVALID_PAYLOAD: 1007,
  /** An inbound frame exceeded the frame size limit. */
  MESSAGE_TOO_BIG: ERROR_CODES.TOO_LARGE.closeCode,
  /** An unexpected server error; reconnect and resume. */
  INTERNAL_ERROR: ERROR_CODES.INTERNAL.closeCode,
  /**
   * The server's event store restarted without its data (a new epoch): reconnect and resume;
   * the resume is answered with `recovered: false`.
   */
  SERVICE_RESTART: 1012,
  /** Missing, invalid or expired credentials. Get a fresh token before reconnecting. */
  UNAUTHORIZED: ERROR_CODES.UNAUTHORIZED.closeCode,
  /** Authenticated, but not allowed (for example a disabled user). */
  FORBIDDEN: ERROR_CODES.FORBIDDEN.closeCode,
  /** The connection did not read its events fast enough; resume from the last seq. */
  SLOW_CONSUMER: 4408,
  /** Too many connections for this user, or the connection kept exceeding its message rate. */
  RATE_LIMITED: ERROR_CODES.RATE_LIMITED.closeCode,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
