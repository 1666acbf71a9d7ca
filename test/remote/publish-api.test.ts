import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import type { AgentwireServer, AgentwireServerOptions } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

const SERVICE_SECRET = 'service-secret-that-is-at-least-32-bytes!!';
const publish: AgentwireServerOptions['publish'] = { serviceSecret: SERVICE_SECRET, detachedAgents: ['report'], limits: { maxBatchEvents: 5, batchesPerSecond: 5 } };

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ publish, engine: { heartbeatTimeoutMs: 1500 } });
});
afterAll(async () => {
  await server.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; expected?: number; retryAfterMs?: number } };
}

async function post(base: string, path: string, token: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function startRun(base: string, userId: string, extra: Record<string, unknown> = {}): Promise<{ runId: string; threadId: string; runToken: string; appendUrl: string }> {
  const answer = await post(base, '/api/runs', SERVICE_SECRET, { userId, input: 'nightly report', ...extra });
  expect(answer.status).toBe(201);
  return answer.body as never;
}

const batch = (producerSeq: number, events: object[], producerId = 'job-1') => ({ producerId, producerSeq, events });
const delta = (text: string) => ({ type: 'agent_message_delta', data: { delta: text } });

describe('publish API', () => {
  it('a service starts a run for a user; its producer appends batches; the user sees them in order with one terminal', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('pub-alice'));
    const run = await startRun(server.url, 'pub-alice');
    expect(run.appendUrl).toBe(`/api/runs/${run.runId}/events`);
    const first = await post(server.url, run.appendUrl, run.runToken, batch(1, [{ type: 'progress_update', data: { message: 'reading', progress: 0.5 } }, delta('All ')]));
    expect(first).toEqual({ status: 200, body: { runId: run.runId, producerSeq: 1, accepted: 2, duplicate: false } });
    // A retried batch: accepted once, same answer.
    const retry = await post(server.url, run.appendUrl, run.runToken, batch(1, [delta('All ')]));
    expect(retry.body).toEqual({ ...first.body, duplicate: true });
    const gap = await post(server.url, run.appendUrl, run.runToken, batch(3, [delta('x')]));
    expect(gap.status).toBe(409);
    expect(gap.body.error).toMatchObject({ code: 'PRODUCER_SEQ_GAP', expected: 2 });
    const fenced = await post(server.url, run.appendUrl, run.runToken, batch(2, [delta('x')], 'job-2'));
    expect(fenced.body.error?.code).toBe('PRODUCER_FENCED');
    const invalid = await post(server.url, run.appendUrl, run.runToken, batch(2, [delta('fine'), { type: 'agent_thinking', data: {} }]));
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'INVALID_EVENT' } } });
    const done = await post(server.url, run.appendUrl, run.runToken, batch(2, [delta('good.'), { type: 'agent_completed', data: { result: { rows: 3 } } }]));
    expect(done.body).toMatchObject({ accepted: 2, duplicate: false });
    const terminal = await client.terminalOf(run.runId);
    expect(terminal).toMatchObject({ type: 'agent_completed', agentName: 'report', data: { result: { rows: 3 } } });
    const events = client.runEvents(run.runId);
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'progress_update', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    expect(seqs(events)).toEqual(range(1, 5));
    expect(JSON.stringify(events)).not.toContain('fine');
    const late = await post(server.url, run.appendUrl, run.runToken, batch(3, [delta('late')]));
    expect(late.body.error?.code).toBe('RUN_ENDED');
    await client.close();
  });

  it('the same batch posted twice at once is accepted once: one answer says duplicate, no event is delivered twice', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('pub-twice'));
    const run = await startRun(server.url, 'pub-twice');
    const same = batch(1, [delta('once '), delta('only')]);
    const answers = await Promise.all([post(server.url, run.appendUrl, run.runToken, same), post(server.url, run.appendUrl, run.runToken, same)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.body.duplicate).sort()).toEqual([false, true]);
    await post(server.url, run.appendUrl, run.runToken, batch(2, [{ type: 'agent_completed', data: { result: {} } }]));
    await client.terminalOf(run.runId);
    const deltas = client.runEvents(run.runId).filter((e) => e.type === 'agent_message_delta');
    expect(deltas.map((e) => e.data.delta)).toEqual(['once ', 'only']);
    await client.close();
  });

  it('a run token appends to its run only; user tokens and bad service credentials are refused', async () => {
    const mine = await startRun(server.url, 'pub-bob');
    const theirs = await startRun(server.url, 'pub-carol');
    const across = await post(server.url, theirs.appendUrl, mine.runToken, batch(1, [delta('hijack')]));
    expect(across).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const userToken = await signToken('pub-bob');
    expect((await post(server.url, mine.appendUrl, userToken, batch(1, [delta('x')]))).status).toBe(401);
    expect((await post(server.url, '/api/runs', userToken, { userId: 'pub-bob', input: 'x' })).status).toBe(401);
    // A run token is no user token either: the WebSocket refuses it.
    const impostor = await TestClient.connect(server.wsUrl, mine.runToken);
    expect((await impostor.closed).code).toBe(4401);
    const scoped = await new SignJWT({ scope: 'agentwire:runs' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SERVICE_SECRET));
    expect((await post(server.url, '/api/runs', scoped, { userId: 'pub-bob', input: 'x' })).status).toBe(201);
    const unscoped = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SERVICE_SECRET));
    expect((await post(server.url, '/api/runs', unscoped, { userId: 'pub-bob', input: 'x' })).status).toBe(401);
    // Nothing reached carol's run.
    const carol = await TestClient.open(server.wsUrl, await signToken('pub-carol'), { lastSeq: 0, epoch: server.store.epoch });
    await carol.waitFor((f) => f.type === 'resumed');
    expect(JSON.stringify(carol.events())).not.toContain('hijack');
    await carol.close();
  });

  it('limits batch size and rate per producer, with codes; a user cannot run the detached agent over the WebSocket', async () => {
    const run = await startRun(server.url, 'pub-dave');
    const big = await post(server.url, run.appendUrl, run.runToken, batch(1, Array.from({ length: 6 }, () => delta('x'))));
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'BATCH_TOO_LARGE' } } });
    const answers: Answer[] = [];
    for (let seq = 1; seq <= 14; seq++) answers.push(await post(server.url, run.appendUrl, run.runToken, batch(seq, [{ type: 'heartbeat' }])));
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.body.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited?.body.error?.retryAfterMs).toBeGreaterThan(0);

    const client = await TestClient.open(server.wsUrl, await signToken('pub-dave'));
    const direct = await client.submit('pretend', { agent: 'report' });
    expect(await client.terminalOf(direct.runId)).toMatchObject({ type: 'agent_error', data: { code: 'not_detached' } });
    await client.close();
  });

  it('a producer that goes silent ends the run with agent_death no_heartbeat', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('pub-erin'));
    const run = await startRun(server.url, 'pub-erin');
    await post(server.url, run.appendUrl, run.runToken, batch(1, [delta('starting…')]));
    expect(await client.terminalOf(run.runId)).toMatchObject({ type: 'agent_death', data: { cause: 'no_heartbeat' } });
    await client.close();
  });
});

describe('publish API and the run queue', () => {
  it('a batch for a queued run waits for it, and is answered RUN_ENDED when the run is cancelled in the queue', async () => {
    const queued = await startTestServer({ publish, engine: { maxRunsPerUser: 1 } });
    try {
      const client = await TestClient.open(queued.wsUrl, await signToken('pub-gail'));
      const first = await startRun(queued.url, 'pub-gail');
      await post(queued.url, first.appendUrl, first.runToken, batch(1, [delta('busy')]));
      const second = await startRun(queued.url, 'pub-gail');
      const waiting = post(queued.url, second.appendUrl, second.runToken, batch(1, [delta('after you')]));
      // Let the append reach the server and wait there for the queued run before the cancel.
      await new Promise((resolve) => setTimeout(resolve, 300));
      client.send({ type: 'cancel', runId: second.runId });
      expect(await client.terminalOf(second.runId)).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
      expect((await waiting).body.error?.code).toBe('RUN_ENDED');
      await post(queued.url, first.appendUrl, first.runToken, batch(2, [{ type: 'agent_completed', data: {} }]));
      expect((await client.terminalOf(first.runId)).type).toBe('agent_completed');
      await client.close();
    } finally {
      await queued.close();
    }
  });
});

describe('publish API across a restart (SQLite)', () => {
  it('a retried batch gets its answer after a restart; the run itself was ended by the restart', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'aw-publish-')), 'agentwire.db')}`;
    const before = await startTestServer({ publish, store });
    const run = await startRun(before.url, 'pub-frank');
    const first = await post(before.url, run.appendUrl, run.runToken, batch(1, [delta('one')]));
    expect(first.status).toBe(200);
    await before.close();
    const after = await startTestServer({ publish, store });
    try {
      const retry = await post(after.url, run.appendUrl, run.runToken, batch(1, [delta('one')]));
      expect(retry.body).toEqual({ ...first.body, duplicate: true });
      const gap = await post(after.url, run.appendUrl, run.runToken, batch(5, [delta('five')]));
      expect(gap.body.error).toMatchObject({ code: 'PRODUCER_SEQ_GAP', expected: 2 });
      const next = await post(after.url, run.appendUrl, run.runToken, batch(2, [delta('two')]));
      expect(next.body.error?.code).toBe('RUN_ENDED');
    } finally {
      await after.close();
    }
  });
});
