/**
 * The code table is the public contract: these tests fail when docs/protocol.md and the table
 * disagree, and when a code string that clients see changes or disappears.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentErrorCode, CloseCode, DeathCause, ERROR_CODES, ErrorCode } from 'agentwire';
import { InternalErrorCode, PublishErrorCode } from 'agentwire/server';
import { PROTOCOL_DOC, documentedTable, renderErrorCodeTable } from '../../scripts/error-codes-doc.js';

const doc = readFileSync(PROTOCOL_DOC, 'utf8');

/** The backticked first cell of every row of a markdown table. */
function firstColumn(table: string): string[] {
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

function section(title: string): string {
  const start = doc.indexOf(`## ${title}\n`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

describe('docs/protocol.md against the code table', () => {
  it('lists every code of the table and no other, with the status and close code of its row', () => {
    const documented = documentedTable(doc);
    expect(documented, 'docs/protocol.md lacks the error-codes markers').toBeDefined();
    expect(firstColumn(documented ?? '').sort()).toEqual(Object.keys(ERROR_CODES).sort());
    // Meanings, statuses and close codes too: regenerate with `npm run docs:error-codes`.
    expect(documented).toBe(renderErrorCodeTable());
  });

  it('"Errors that keep the connection" lists exactly the error frame codes', () => {
    expect(firstColumn(section('Errors that keep the connection')).sort()).toEqual(Object.values(ErrorCode).sort());
  });
});

describe('code strings are the public contract', () => {
  it('keeps every code string clients see, with its HTTP status and close code', () => {
    expect(Object.values(ErrorCode)).toEqual(['INVALID_MESSAGE', 'UNKNOWN_TYPE', 'RATE_LIMITED', 'TOO_MANY_RUNS', 'UNKNOWN_AGENT', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE']);
    expect(Object.values(PublishErrorCode).sort()).toEqual(
      ['UNAUTHORIZED', 'FORBIDDEN', 'INVALID_MESSAGE', 'INVALID_EVENT', 'PRODUCER_SEQ_GAP', 'PRODUCER_FENCED', 'RUN_ENDED', 'BATCH_TOO_LARGE', 'RATE_LIMITED', 'NOT_ENABLED'].sort(),
    );
    expect(Object.values(InternalErrorCode).sort()).toEqual(
      ['INVALID_CONTEXT', 'FACTORY_ONLY', 'ISOLATION_VIOLATION', 'INVALID_EVENT', 'RUN_CLOSED', 'UNAUTHORIZED', 'CONFIG', 'STORE', 'STORE_LOCKED', 'INTERNAL'].sort(),
    );
    expect(AgentErrorCode).toMatchObject({ TIMEOUT: 'timeout', CANCELLED: 'cancelled', AGENT_EXCEPTION: 'agent_exception', SHUTDOWN: 'shutdown', STORE_UNAVAILABLE: 'store_unavailable', PROVIDER_ERROR: 'provider_error', PROVIDER_UNREACHABLE: 'provider_unreachable', PROVIDER_AUTH: 'provider_auth', RATE_LIMITED: 'rate_limited', WORKER_HTTP_ERROR: 'worker_http_error', WORKER_UNREACHABLE: 'worker_unreachable', WORKER_PROTOCOL_ERROR: 'worker_protocol_error', WORKER_EVENT_TOO_LARGE: 'worker_event_too_large', NOT_DETACHED: 'not_detached' });
    expect(DeathCause).toEqual({ NO_HEARTBEAT: 'no_heartbeat', NODE_LOST: 'node_lost', WORKER_LOST: 'worker_lost' });
    expect(CloseCode).toEqual({ NORMAL: 1000, GOING_AWAY: 1001, INVALID_PAYLOAD: 1007, MESSAGE_TOO_BIG: 1009, INTERNAL_ERROR: 1011, SERVICE_RESTART: 1012, UNAUTHORIZED: 4401, FORBIDDEN: 4403, SLOW_CONSUMER: 4408, RATE_LIMITED: 4429 });
    const statuses = Object.fromEntries(Object.entries(ERROR_CODES).flatMap(([code, spec]) => ('httpStatus' in spec ? [[code, spec.httpStatus]] : [])));
    expect(statuses).toEqual({
      INVALID_MESSAGE: 400, UNKNOWN_TYPE: 400, RATE_LIMITED: 429, TOO_MANY_RUNS: 429, UNKNOWN_AGENT: 404, FORBIDDEN: 403, NOT_FOUND: 404, UNAVAILABLE: 503,
      UNAUTHORIZED: 401, TOO_LARGE: 413, METHOD_NOT_ALLOWED: 405, REQUEST_TIMEOUT: 408, THREAD_BUSY: 409, INTERNAL: 500, INVALID_EVENT: 400,
      PRODUCER_SEQ_GAP: 409, PRODUCER_FENCED: 409, RUN_ENDED: 409, BATCH_TOO_LARGE: 413, NOT_ENABLED: 404,
    });
  });
});
