/**
 * The one table of agentwire's error codes. Every refusal, close, thrown server error and
 * `agent_error`/`agent_death` code is a row here with its meaning, its HTTP status and WebSocket
 * close code where they apply, and whether client applications ever see it. The named-constant
 * objects (ErrorCode, AgentErrorCode, InternalErrorCode, PublishErrorCode, ClientErrorCode) are
 * views of this table, and docs/protocol.md's code table is checked against it by a test.
 *
 * Codes are the public contract: a code string never changes, and a retired code is never reused
 * for another meaning (leave its row, say "retired" in the meaning).
 *
 * No imports at all: the client entry uses this file, and close-codes.ts takes the close codes
 * of these rows from it.
 */
/**
 * Where a code is seen. `error_frame`: an `error` frame on the socket (the connection stays
 * open). `publish`: a refusal of the publish API. `client`: raised by the client SDK itself.
 * `server`: thrown inside the server as AgentwireError. `agent_error` / `agent_death`: the
 * `code` / `cause` of those events.
 */
export type CodeSurface = 'error_frame' | 'publish' | 'client' | 'server' | 'agent_error' | 'agent_death';

export interface CodeSpec {
  readonly meaning: string;
  readonly on: readonly CodeSurface[];
  /** The status of an HTTP answer that carries this code. */
  readonly httpStatus?: number;
  /** The WebSocket close code of a connection closed for this reason. */
  readonly closeCode?: number;
  /** Whether a client application can ever see the code (false: it stays in server logs). */
  readonly reachesClients: boolean;
}

const wire = { reachesClients: true } as const;
const serverOnly = { reachesClients: false, on: ['server'] } as const;

export const ERROR_CODES = {
  INVALID_MESSAGE: { ...wire, on: ['error_frame', 'publish'], httpStatus: 400, meaning: 'not JSON, not an object, nested too deep, a field of the wrong type or size, a binary frame, an ack beyond the sent range; for HTTP a malformed request, body or parameter' },
  UNKNOWN_TYPE: { ...wire, on: ['error_frame'], httpStatus: 400, meaning: '`type` is not a client message of this protocol version' },
  RATE_LIMITED: { ...wire, on: ['error_frame', 'publish'], httpStatus: 429, closeCode: 4429, meaning: 'more messages or bytes than the connection\'s rate (the message was dropped), too many connections for the user, too many waiting resumes, or too many HTTP requests (with Retry-After)' },
  TOO_MANY_RUNS: { ...wire, on: ['error_frame'], httpStatus: 429, meaning: 'the user already has the maximum number of running and queued runs' },
  UNKNOWN_AGENT: { ...wire, on: ['error_frame'], httpStatus: 404, meaning: 'no agent by that name' },
  FORBIDDEN: { ...wire, on: ['error_frame', 'publish'], httpStatus: 403, closeCode: 4403, meaning: 'the thread or run belongs to another user, or the credential is not for this' },
  NOT_FOUND: { ...wire, on: ['error_frame'], httpStatus: 404, meaning: 'no such thread, run or endpoint (or the run is no longer running)' },
  UNAVAILABLE: { ...wire, on: ['error_frame'], httpStatus: 503, meaning: 'the server is shutting down or its store is unavailable; retry' },
  UNAUTHORIZED: { ...wire, on: ['server', 'publish', 'client'], httpStatus: 401, closeCode: 4401, meaning: 'the token is missing, malformed, expired or not signed by a trusted key' },
  TOO_LARGE: { ...wire, on: [], httpStatus: 413, closeCode: 1009, meaning: 'a request body (or an inbound frame) over its size limit' },
  METHOD_NOT_ALLOWED: { ...wire, on: [], httpStatus: 405, meaning: 'the path exists, but not for this HTTP method' },
  REQUEST_TIMEOUT: { ...wire, on: [], httpStatus: 408, meaning: 'the request body did not arrive in time; the connection closes after the answer' },
  THREAD_BUSY: { ...wire, on: [], httpStatus: 409, meaning: 'a run of the thread is still going: stop it before deleting the thread' },
  INTERNAL: { ...wire, on: ['server'], httpStatus: 500, closeCode: 1011, meaning: 'an unexpected server error (anything thrown that was not a refusal); reconnect and resume' },
  INVALID_EVENT: { ...wire, on: ['server', 'publish'], httpStatus: 400, meaning: 'an event\'s payload does not match its type\'s schema (publish API: nothing of the batch was delivered)' },
  PRODUCER_SEQ_GAP: { ...wire, on: ['publish'], httpStatus: 409, meaning: 'the batch skips producer sequence numbers; `expected` is the next one the run accepts' },
  PRODUCER_FENCED: { ...wire, on: ['publish'], httpStatus: 409, meaning: 'another producer already appends to this run; only the first one may' },
  RUN_ENDED: { ...wire, on: ['publish'], httpStatus: 409, meaning: 'the run has ended; nothing more can be appended' },
  BATCH_TOO_LARGE: { ...wire, on: ['publish'], httpStatus: 413, meaning: 'the batch has more events, or more bytes, than allowed' },
  NOT_ENABLED: { ...wire, on: ['publish'], httpStatus: 404, meaning: 'the publish API is not enabled on this server (no AGENTWIRE_SERVICE_SECRET)' },
  CLOSED: { ...wire, on: ['client'], meaning: 'client SDK: the client was closed, or there is no WebSocket implementation' },
  HTTP_ERROR: { ...wire, on: ['client'], meaning: 'client SDK: an HTTP call failed with a code the SDK does not pass through' },
  PROTOCOL_ERROR: { ...wire, on: ['client'], meaning: 'client SDK: the server sent a frame or history event that is not valid protocol; it was dropped, not cast' },
  INVALID_CONTEXT: { ...serverOnly, meaning: 'a context was asked for with an empty, placeholder or malformed id' },
  FACTORY_ONLY: { ...serverOnly, meaning: 'a factory-only class was constructed directly' },
  ISOLATION_VIOLATION: { ...serverOnly, meaning: 'an emitter was asked to send an event for another user, thread or run' },
  RUN_CLOSED: { ...serverOnly, meaning: 'the run already ended; nothing more can be emitted for it' },
  CONFIG: { ...serverOnly, meaning: 'configuration is missing or contradictory' },
  STORE: { ...serverOnly, meaning: 'the store could not be read or written' },
  STORE_LOCKED: { ...serverOnly, meaning: 'the store\'s file is held by another process (or already open in this one)' },
  timeout: { ...wire, on: ['agent_error'], meaning: 'the run exceeded its time limit' },
  cancelled: { ...wire, on: ['agent_error'], meaning: 'the user (or the AG-UI server) cancelled the run' },
  agent_exception: { ...wire, on: ['agent_error'], meaning: 'the agent threw' },
  shutdown: { ...wire, on: ['agent_error'], meaning: 'the server shut down before the run finished' },
  store_unavailable: { ...wire, on: ['agent_error'], meaning: 'the event store failed during the run' },
  provider_error: { ...wire, on: ['agent_error'], meaning: 'the model provider answered with an error (a 5xx, a bad request, an error mid-stream)' },
  provider_unreachable: { ...wire, on: ['agent_error'], meaning: 'the model provider could not be reached (connection refused or reset, DNS, TLS)' },
  provider_auth: { ...wire, on: ['agent_error'], meaning: 'the model provider refused the credentials (401, 403)' },
  rate_limited: { ...wire, on: ['agent_error'], meaning: 'the model provider rate-limited the request (429) and retries did not get through' },
  worker_http_error: { ...wire, on: ['agent_error'], meaning: 'a remote agent\'s worker answered the run request with an HTTP error status' },
  worker_unreachable: { ...wire, on: ['agent_error'], meaning: 'a remote agent\'s worker could not be reached (connection refused, DNS, no response headers in time)' },
  worker_protocol_error: { ...wire, on: ['agent_error'], meaning: 'a remote agent\'s worker sent something that is not a valid event' },
  worker_event_too_large: { ...wire, on: ['agent_error'], meaning: 'a remote agent\'s worker sent a line or event over the size limit' },
  not_detached: { ...wire, on: ['agent_error'], meaning: 'the agent takes its events from the publish API; start its runs with POST /api/runs' },
  no_heartbeat: { ...wire, on: ['agent_death'], meaning: 'the run\'s node stopped renewing its heartbeat' },
  node_lost: { ...wire, on: ['agent_death'], meaning: 'the node running the run is gone' },
  worker_lost: { ...wire, on: ['agent_death'], meaning: 'a remote agent\'s response ended (connection cut, worker killed) before a terminal event' },
} as const satisfies Record<string, CodeSpec>;

type Table = typeof ERROR_CODES;
/** Every code agentwire uses anywhere. */
export type AgentwireCode = keyof Table;
/** The codes seen on one surface. */
export type CodeOn<S extends CodeSurface> = { [K in AgentwireCode]: S extends Table[K]['on'][number] ? K : never }[AgentwireCode];
/** The codes an HTTP answer can carry; HttpError takes one and derives the status. */
export type HttpErrorCode = { [K in AgentwireCode]: Table[K] extends { httpStatus: number } ? K : never }[AgentwireCode];

/** Named constants (`TOO_MANY_RUNS: 'TOO_MANY_RUNS'`, `TIMEOUT: 'timeout'`) for the codes of one surface. */
export function constantsOn<S extends CodeSurface>(surface: S): { readonly [K in CodeOn<S> as Uppercase<K>]: K } {
  const entries = Object.entries(ERROR_CODES as Record<string, CodeSpec>)
    .filter(([, spec]) => spec.on.includes(surface))
    .map(([code]) => [code.toUpperCase(), code]);
  return Object.freeze(Object.fromEntries(entries)) as { readonly [K in CodeOn<S> as Uppercase<K>]: K };
}

export function httpStatusOf(code: HttpErrorCode): number {
  return ERROR_CODES[code].httpStatus;
}

/** Codes of `error` frames. The connection stays open after any of them. */
export const ErrorCode = constantsOn('error_frame');
export type ErrorCode = CodeOn<'error_frame'>;

/** `data.code` of an `agent_error` event. An agent may throw AgentRunError with a code of its own. */
export const AgentErrorCode = constantsOn('agent_error');
export type AgentErrorCode = CodeOn<'agent_error'>;

/** `data.cause` of an `agent_death` event. */
export const DeathCause = constantsOn('agent_death');
export type DeathCause = CodeOn<'agent_death'>;
