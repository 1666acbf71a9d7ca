/**
 * Unknown throws are normalised once, at the boundary: the HTTP handler answers INTERNAL with the
 * status of its row and no internals, the WebSocket message handler answers UNAVAILABLE and keeps
 * the connection; both log the normalised code and count the failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore, type AgentwireServer, type LogFields, type Logger } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

const POISON_RUN = `run_${'p'.repeat(22)}`;
const POISON_USER = 'boundary-poison';

/** A store that throws a plain Error (not an AgentwireError) for one run and one user only. */
class ThrowingStore extends MemoryEventStore {
  override getRun(runId: string): ReturnType<MemoryEventStore['getRun']> {
    if (runId === POISON_RUN) return Promise.reject(new Error('disk on fire at /var/lib/agentwire'));
    return super.getRun(runId);
  }

  override listThreads(userId: string, limit: number): ReturnType<MemoryEventStore['listThreads']> {
    if (userId === POISON_USER) return Promise.reject(new Error('disk on fire at /var/lib/agentwire'));
    return super.listThreads(userId, limit);
  }
}

const errors: { message: string; fields: LogFields }[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message, fields = {}) => errors.push({ message, fields }),
};

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ store: new ThrowingStore(), logger });
});
afterAll(async () => {
  await server.close();
});

describe('unknown throws at the boundary', () => {
  it('HTTP: answers 500 INTERNAL without the message, and logs the normalised code', async () => {
    const res = await fetch(`${server.url}/api/threads`, { headers: { authorization: `Bearer ${await signToken(POISON_USER)}` } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    const logged = errors.find((e) => e.message === 'HTTP handler failed');
    expect(logged?.fields).toMatchObject({ path: '/api/threads', code: 'INTERNAL' });
  });

  it('WebSocket: answers UNAVAILABLE echoing the runId, keeps the connection, and logs the normalised code', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('boundary-ws'));
    client.send({ type: 'cancel', runId: POISON_RUN });
    const refused = await client.waitFor((f) => f.type === 'error');
    expect(refused).toMatchObject({ type: 'error', code: 'UNAVAILABLE', runId: POISON_RUN });
    const logged = errors.find((e) => e.message === 'handling a client message failed');
    expect(logged?.fields).toMatchObject({ type: 'cancel', code: 'INTERNAL' });
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong');
    await client.close();
  });

  it('HTTP: a refusal carries the status of its code\'s row (405 METHOD_NOT_ALLOWED, 404 NOT_FOUND)', async () => {
    const wrongMethod = await fetch(`${server.url}/api/threads`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
    const missing = await fetch(`${server.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
