/**
 * A valid token for one user (mallory) used against another user's (bob's) stream, runs and
 * threads: resume from bob's position, replay, read his history, cancel his run, post into his
 * thread, reuse his clientMessageId, ack his seqs. Mallory gets her own stream or a refusal,
 * never a byte of bob's; bob, connected throughout, sees nothing of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { expectCompleteRun } from './support/bystander.js';

let server: AgentwireServer;
let bob: TestClient;
let bobToken: string;
let malloryToken: string;
/** Bob's finished run and thread, and a long run of his that is still going. */
let bobDone: { runId: string; threadId: string };
let bobLive: { runId: string; threadId: string };
let bobClientMessageId: string;
let malloryEvents: number;

beforeAll(async () => {
  server = await startTestServer();
  bobToken = await signToken('xu-bob');
  malloryToken = await signToken('xu-mallory');
  bob = await TestClient.open(server.wsUrl, bobToken);
  bobDone = await bob.submit(streamInput(5), { agent: 'stream', clientMessageId: 'bob-secret-cmid' });
  bobClientMessageId = 'bob-secret-cmid';
  await bob.terminalOf(bobDone.runId);
  // Mallory has a little history of her own, so that "her stream" is not empty.
  const mallory = await TestClient.open(server.wsUrl, malloryToken);
  const own = await mallory.submit(streamInput(2), { agent: 'stream' });
  await mallory.terminalOf(own.runId);
  malloryEvents = mallory.events().length;
  await mallory.close();
  // Bob's second run streams for the whole file: 150 events, 20 ms apart.
  bobLive = await bob.submit(streamInput(150, 20), { agent: 'stream' });
});
afterAll(async () => {
  await bob.close();
  await server.close();
});

function expectOnlyOwn(client: TestClient, userId: string): void {
  const events = client.events();
  expect(events.every((e) => e.userId === userId)).toBe(true);
  expect(events.some((e) => e.runId === bobDone.runId || e.runId === bobLive.runId)).toBe(false);
  expect(JSON.stringify(client.frames)).not.toContain('xu-bob');
}

describe('one user\'s token against another user\'s stream', () => {
  it('resuming from bob\'s position (?lastSeq=0&epoch=…) replays mallory\'s own stream, nothing else', async () => {
    const epoch = bob.established.epoch;
    const mallory = await TestClient.open(server.wsUrl, malloryToken, { lastSeq: 0, epoch });
    await mallory.waitFor((f) => f.type === 'resumed');
    expect(mallory.frames.find((f) => f.type === 'resumed')).toMatchObject({ fromSeq: 1, toSeq: malloryEvents, recovered: true });
    expect(seqs(mallory.events())).toEqual(range(1, malloryEvents));
    expectOnlyOwn(mallory, 'xu-mallory');
    // In-band, too.
    mallory.send({ type: 'resume', lastSeq: 0, epoch });
    await mallory.waitUntil(() => mallory.frames.filter((f) => f.type === 'resumed').length === 2);
    expectOnlyOwn(mallory, 'xu-mallory');
    await mallory.close();
  });

  it('resuming at bob\'s (higher) head is unrecoverable for mallory and replays nothing', async () => {
    const bobHead = bob.events().at(-1)!.seq;
    expect(bobHead).toBeGreaterThan(malloryEvents);
    const mallory = await TestClient.open(server.wsUrl, malloryToken, { lastSeq: bobHead, epoch: bob.established.epoch });
    expect(await mallory.waitFor((f) => f.type === 'resumed')).toMatchObject({ recovered: false });
    mallory.send({ type: 'resume', lastSeq: bobHead, epoch: bob.established.epoch });
    await mallory.waitUntil(() => mallory.frames.filter((f) => f.type === 'resumed').length === 2);
    expect(mallory.frames.filter((f) => f.type === 'resumed').at(-1)).toMatchObject({ recovered: false });
    expect(mallory.events()).toEqual([]);
    expectOnlyOwn(mallory, 'xu-mallory');
    await mallory.close();
  });

  it('bob\'s thread history over HTTP: 403 FORBIDDEN, whatever the query or the way the token travels', async () => {
    for (const threadId of [bobDone.threadId, bobLive.threadId]) {
      for (const query of ['', '?afterSeq=0', '?afterSeq=0&limit=1000', `?access_token=${bobToken.slice(0, 10)}`]) {
        const res = await fetch(`${server.url}/api/threads/${threadId}/events${query}`, { headers: { authorization: `Bearer ${malloryToken}` } });
        expect(res.status).toBe(403);
        const body = await res.text();
        expect(JSON.parse(body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
        expect(body).not.toContain('xu-bob');
      }
      const viaQuery = await fetch(`${server.url}/api/threads/${threadId}/events?access_token=${malloryToken}`);
      expect(viaQuery.status).toBe(403);
    }
    const listed = (await (await fetch(`${server.url}/api/threads`, { headers: { authorization: `Bearer ${malloryToken}` } })).json()) as { threads: { userId: string; threadId: string }[] };
    expect(listed.threads.length).toBeGreaterThan(0);
    expect(listed.threads.every((t) => t.userId === 'xu-mallory')).toBe(true);
  });

  it('cancelling bob\'s run, posting into bob\'s thread: FORBIDDEN; reusing his clientMessageId starts mallory\'s own run', async () => {
    const mallory = await TestClient.open(server.wsUrl, malloryToken);
    mallory.send({ type: 'cancel', runId: bobLive.runId });
    expect(await mallory.waitFor((f) => f.type === 'error' && f.runId === bobLive.runId)).toMatchObject({ code: 'FORBIDDEN' });
    mallory.send({ type: 'cancel', runId: bobDone.runId });
    expect(await mallory.waitFor((f) => f.type === 'error' && f.runId === bobDone.runId)).toMatchObject({ code: 'FORBIDDEN' });
    for (const threadId of [bobDone.threadId, bobLive.threadId]) {
      const clientMessageId = `intrude-${threadId}`;
      mallory.send({ type: 'user_message', text: streamInput(1), agent: 'stream', threadId, clientMessageId });
      expect(await mallory.waitFor((f) => f.type === 'error' && f.clientMessageId === clientMessageId)).toMatchObject({ code: 'FORBIDDEN' });
    }
    // Idempotency is per user: bob's clientMessageId names nothing of mallory's.
    const own = await mallory.submit(streamInput(1), { agent: 'stream', clientMessageId: bobClientMessageId });
    expect(own.runId).not.toBe(bobDone.runId);
    expect(own.threadId).not.toBe(bobDone.threadId);
    await mallory.terminalOf(own.runId);
    // An ack of bob's head is beyond what mallory's connection carried.
    mallory.send({ type: 'ack', seq: bob.events().at(-1)!.seq });
    expect(await mallory.waitFor((f) => f.type === 'error' && f.code === 'INVALID_MESSAGE')).toBeDefined();
    expectOnlyOwn(mallory, 'xu-mallory');
    await mallory.close();
  });

  it('a look-alike user id (case, lookalike characters) is another user and sees nothing of bob\'s', async () => {
    // An invisible character does not even make another user: it is refused (test/server/token-claims.test.ts).
    const invisible = await TestClient.connect(server.wsUrl, await signToken('xu-bob\u200b'));
    expect((await invisible.closed).code).toBe(4401);
    expect(invisible.frames).toEqual([]);
    for (const sub of ['XU-BOB', 'Xu-bob', 'xu-bоb' /* Cyrillic о */]) {
      const other = await TestClient.open(server.wsUrl, await signToken(sub), { lastSeq: 0, epoch: bob.established.epoch });
      await other.waitFor((f) => f.type === 'resumed');
      expect(other.established.userId).toBe(sub);
      expect(other.events()).toEqual([]);
      const res = await fetch(`${server.url}/api/threads/${bobDone.threadId}/events`, { headers: { authorization: `Bearer ${await signToken(sub)}` } });
      expect(res.status).toBe(403);
      await other.close();
    }
  });

  it('bob noticed none of it: his runs are whole, his stream gapless, no frame that is not his', async () => {
    const terminal = await bob.terminalOf(bobLive.runId, 20_000);
    expect(terminal.type).toBe('agent_completed');
    expectCompleteRun(bob.runEvents(bobDone.runId), 5);
    expectCompleteRun(bob.runEvents(bobLive.runId), 150);
    expect(seqs(bob.events())).toEqual(range(1, bob.events().length));
    expect(bob.events().every((e) => e.userId === 'xu-bob')).toBe(true);
    expect(bob.frames.filter((f) => f.type !== 'run_accepted' && f.type !== 'connection_established' && !('seq' in f))).toEqual([]);
    // His history over HTTP holds his runs only.
    const history = (await (await fetch(`${server.url}/api/threads/${bobLive.threadId}/events`, { headers: { authorization: `Bearer ${bobToken}` } })).json()) as { events: { runId: string; userId: string }[] };
    expect(new Set(history.events.map((e) => e.runId))).toEqual(new Set([bobLive.runId]));
    expect(history.events.every((e) => e.userId === 'xu-bob')).toBe(true);
  }, 30_000);
});
