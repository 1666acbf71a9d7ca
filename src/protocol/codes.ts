/**
 * Every code on the wire, as named constants. Codes are stable: a retired code is never reused
 * for a different meaning.
 */

/** Codes of `error` frames. The connection stays open after any of them. */
export const ErrorCode = {
  /** The frame was not valid JSON or did not match the message schema. */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** The frame's `type` is not a client message type of this protocol version. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** The connection sent more messages than its rate allows; the message was dropped. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The user already has the maximum number of running and queued runs. */
  TOO_MANY_RUNS: 'TOO_MANY_RUNS',
  /** The requested agent is not registered. */
  UNKNOWN_AGENT: 'UNKNOWN_AGENT',
  /** The thread or run belongs to another user. */
  FORBIDDEN: 'FORBIDDEN',
  /** The thread or run does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** The server is shutting down or cannot take new work right now; retry later. */
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. */
export const CloseCode = {
  /** Normal closure (client asked). */
  NORMAL: 1000,
  /** The server is shutting down; reconnect (possibly to another node). */
  GOING_AWAY: 1001,
  /** A text frame was not valid UTF-8 (sent by the `ws` library itself). */
  INVALID_PAYLOAD: 1007,
  /** An inbound frame exceeded the frame size limit. */
  MESSAGE_TOO_BIG: 1009,
  /** An unexpected server error; reconnect and resume. */
  INTERNAL_ERROR: 1011,
  /**
   * The server's event store restarted without its data (a new epoch): reconnect and resume;
   * the resume is answered with `recovered: false`.
   */
  SERVICE_RESTART: 1012,
  /** Missing, invalid or expired credentials. Get a fresh token before reconnecting. */
  UNAUTHORIZED: 4401,
  /** Authenticated, but not allowed (for example a disabled user). */
  FORBIDDEN: 4403,
  /** The connection did not read its events fast enough; resume from the last seq. */
  SLOW_CONSUMER: 4408,
  /** Too many connections for this user, or the connection kept exceeding its message rate. */
  RATE_LIMITED: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** `data.code` of an `agent_error` event. */
export const AgentErrorCode = {
  TIMEOUT: 'timeout',
  CANCELLED: 'cancelled',
  AGENT_EXCEPTION: 'agent_exception',
  SHUTDOWN: 'shutdown',
  STORE_UNAVAILABLE: 'store_unavailable',
  /** The model provider answered with an error (a 5xx, a bad request, an error mid-stream). */
  PROVIDER_ERROR: 'provider_error',
  /** The model provider could not be reached (connection refused or reset, DNS, TLS). */
  PROVIDER_UNREACHABLE: 'provider_unreachable',
  /** The model provider refused the credentials (401, 403). */
  PROVIDER_AUTH: 'provider_auth',
  /** The model provider rate-limited the request (429) and retries did not get through. */
  RATE_LIMITED: 'rate_limited',
  /** A remote agent's worker answered the run request with an HTTP error status (data.message has it). */
  WORKER_HTTP_ERROR: 'worker_http_error',
  /** A remote agent's worker could not be reached (connection refused, DNS, no response headers in time). */
  WORKER_UNREACHABLE: 'worker_unreachable',
  /** A remote agent's worker sent something that is not a valid event (bad JSON, unknown type, bad payload, wrong content type). */
  WORKER_PROTOCOL_ERROR: 'worker_protocol_error',
  /** A remote agent's worker sent a line or event over the size limit. */
  WORKER_EVENT_TOO_LARGE: 'worker_event_too_large',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

/** `data.cause` of an `agent_death` event. */
export const DeathCause = {
  NO_HEARTBEAT: 'no_heartbeat',
  NODE_LOST: 'node_lost',
  /** A remote agent's response ended (connection cut, worker killed) before a terminal event. */
  WORKER_LOST: 'worker_lost',
} as const;
export type DeathCause = (typeof DeathCause)[keyof typeof DeathCause];
