import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ demo: true });
});
afterAll(async () => {
  await server.close();
});

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

describe('HTTP API', () => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await get('/readyz')).status).toBe(200);
    const metrics = await (await get('/metrics')).text();
    for (const name of ['agentwire_connections', 'agentwire_events_published_total', 'agentwire_events_delivered_total', 'agentwire_events_acked_total', 'agentwire_delivery_latency_seconds', 'agentwire_isolation_violations_total', 'agentwire_slow_consumer_closes_total', 'agentwire_runs_active']) {
      expect(metrics).toContain(name);
    }
  });

  it('returns a user\'s own thread history, and FORBIDDEN for another user\'s thread, over HTTP and WebSocket', async () => {
    const aliceToken = await signToken('http-alice');
    const bobToken = await signToken('http-bob');
    const alice = await TestClient.open(server.wsUrl, aliceToken);
    const { runId, threadId } = await alice.submit(streamInput(3), { agent: 'stream' });
    await alice.terminalOf(runId);

    const own = await get(`/api/threads/${threadId}/events`, aliceToken);
    expect(own.status).toBe(200);
    const body = (await own.json()) as { events: { seq: number; runId: string }[]; thread: { userId: string } };
    expect(body.events.map((e) => e.seq)).toEqual(alice.runEvents(runId).map((e) => e.seq));
    expect(body.thread.userId).toBe('http-alice');
    const paged = (await (await get(`/api/threads/${threadId}/events?afterSeq=2&limit=2`, aliceToken)).json()) as { events: { seq: number }[]; hasMore: boolean };
    expect(paged.events.map((e) => e.seq)).toEqual([3, 4]);
    expect(paged.hasMore).toBe(true);

    const stolen = await get(`/api/threads/${threadId}/events`, bobToken);
    expect(stolen.status).toBe(403);
    expect(await stolen.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await get(`/api/threads/thr_${'q'.repeat(22)}/events`, bobToken)).status).toBe(404);
    expect((await get(`/api/threads/${threadId}/events`)).status).toBe(401);
    expect((await get(`/api/threads/${threadId}/events?limit=0`, aliceToken)).status).toBe(400);

    const bob = await TestClient.open(server.wsUrl, bobToken);
    bob.send({ type: 'user_message', text: 'let me in', threadId, clientMessageId: 'intrude' });
    expect(await bob.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'FORBIDDEN', clientMessageId: 'intrude' });
    const threads = (await (await get('/api/threads', bobToken)).json()) as { threads: unknown[] };
    expect(threads.threads).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(bob.events()).toEqual([]);
    expect(alice.events().every((e) => e.userId === 'http-alice')).toBe(true);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('lists a user\'s threads', async () => {
    const token = await signToken('http-carol');
    const client = await TestClient.open(server.wsUrl, token);
    const run = await client.submit(streamInput(1), { agent: 'stream' });
    await client.terminalOf(run.runId);
    const { threads } = (await (await get('/api/threads', token)).json()) as { threads: { threadId: string; userId: string }[] };
    expect(threads).toEqual([expect.objectContaining({ threadId: run.threadId, userId: 'http-carol' })]);
    await client.close();
  });

  it('issues demo tokens on loopback that the WebSocket endpoint accepts', async () => {
    const res = await fetch(`${server.url}/api/dev-token`, { method: 'POST', body: JSON.stringify({ name: 'demo-dana' }) });
    const { token, userId } = (await res.json()) as { token: string; userId: string };
    expect(userId).toBe('demo-dana');
    const client = await TestClient.open(server.wsUrl, token);
    expect(client.established.userId).toBe('demo-dana');
    await client.close();
    const bad = await fetch(`${server.url}/api/dev-token`, { method: 'POST', body: JSON.stringify({ name: 'null' }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${server.url}/api/dev-token`, { method: 'POST', body: '{' })).status).toBe(400);
  });

  it('has no dev-token endpoint outside demo mode', async () => {
    const production = await startTestServer();
    try {
      expect((await fetch(`${production.url}/api/dev-token`, { method: 'POST', body: '{"name":"x"}' })).status).toBe(404);
    } finally {
      await production.close();
    }
  });
});
