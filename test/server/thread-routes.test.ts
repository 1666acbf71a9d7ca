/**
 * PATCH and DELETE /api/threads/:id over a real server: own threads only, stable refusal codes,
 * the title limit, the store's real deletion (the events are gone from history), and a client
 * that resumes across the deleted events is told they are gone instead of waiting for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, seqs } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ maxThreadTitleChars: 40 });
});
afterAll(async () => {
  await server.close();
});

async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: { error?: { code: string }; thread?: { title: string } } }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as never) };
}

async function threadWithRun(user: string, text = 'What is 2 + 2?'): Promise<{ client: TestClient; token: string; threadId: string; runId: string }> {
  const token = await signToken(user);
  const client = await TestClient.open(server.wsUrl, token);
  const { threadId, runId } = await client.submit(text);
  await client.terminalOf(runId);
  return { client, token, threadId, runId };
}

describe('thread rename and delete', () => {
  it('renames an own thread; refuses another user (FORBIDDEN), unknown ids (NOT_FOUND), empty and long titles (INVALID_MESSAGE)', async () => {
    const { client, token, threadId } = await threadWithRun('routes-ann');
    const renamed = await call('PATCH', `/api/threads/${threadId}`, token, { title: '  Sums \n with Ann ' });
    expect(renamed).toMatchObject({ status: 200, json: { thread: { title: 'Sums with Ann' } } });
    expect((await server.store.getThread(threadId))?.title).toBe('Sums with Ann');

    const other = await signToken('routes-bob');
    expect(await call('PATCH', `/api/threads/${threadId}`, other, { title: 'mine now' })).toMatchObject({ status: 403, json: { error: { code: 'FORBIDDEN' } } });
    expect(await call('DELETE', `/api/threads/${threadId}`, other)).toMatchObject({ status: 403, json: { error: { code: 'FORBIDDEN' } } });
    expect(await call('PATCH', `/api/threads/thr_${'Z'.repeat(22)}`, token, { title: 'x' })).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
    expect(await call('PATCH', `/api/threads/${threadId}`, token, { title: '   ' })).toMatchObject({ status: 400, json: { error: { code: 'INVALID_MESSAGE' } } });
    expect(await call('PATCH', `/api/threads/${threadId}`, token, { title: 'x'.repeat(41) })).toMatchObject({ status: 400, json: { error: { code: 'INVALID_MESSAGE' } } });
    expect((await call('PATCH', `/api/threads/${threadId}`, token, { title: 'x'.repeat(40) })).status).toBe(200);
    expect((await call('PUT', `/api/threads/${threadId}`, token, {})).status).toBe(405);
    expect((await server.store.getThread(threadId))?.userId).toBe('routes-ann');
    await client.close();
  });

  it('deletes an own thread with its events; the history is gone and the other thread stays', async () => {
    const { client, token, threadId } = await threadWithRun('routes-cat');
    const kept = await client.submit('What is 3 + 3?');
    await client.terminalOf(kept.runId);
    const res = await call('DELETE', `/api/threads/${threadId}`, token);
    expect(res.status).toBe(204);
    expect(await call('GET', `/api/threads/${threadId}/events`, token)).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
    expect(await server.store.readThread('routes-cat', threadId, 0, 1000)).toEqual([]);
    const listed = (await (await fetch(`${server.url}/api/threads`, { headers: { authorization: `Bearer ${token}` } })).json()) as { threads: { threadId: string }[] };
    expect(listed.threads.map((t) => t.threadId)).toEqual([kept.threadId]);
    expect(await call('DELETE', `/api/threads/${threadId}`, token)).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
    await client.close();
  });

  it('refuses to delete a thread while its run is going (THREAD_BUSY)', async () => {
    const token = await signToken('routes-dan');
    const client = await TestClient.open(server.wsUrl, token);
    const { threadId, runId } = await client.submit(streamInput(400, 20, 10), { agent: 'stream' });
    await client.waitFor((f) => f.type === 'agent_message_delta');
    expect(await call('DELETE', `/api/threads/${threadId}`, token)).toMatchObject({ status: 409, json: { error: { code: 'THREAD_BUSY' } } });
    client.socket.send(JSON.stringify({ type: 'cancel', runId }));
    await client.terminalOf(runId);
    expect((await call('DELETE', `/api/threads/${threadId}`, token)).status).toBe(204);
    await client.close();
  });

  it('tells a client resuming across deleted events that they are gone, then delivers the rest in order', async () => {
    // Thread K gets runs before and after thread D's; D is deleted, leaving a hole in the middle.
    const before = await threadWithRun('routes-eve', 'What is 1 + 1?');
    const beforeEvents = before.client.runEvents(before.runId);
    const dropped = await before.client.submit('What is 5 + 5?');
    await before.client.terminalOf(dropped.runId);
    const droppedEvents = before.client.runEvents(dropped.runId);
    const after = await before.client.submit('What is 7 + 7?', { threadId: before.threadId });
    await before.client.terminalOf(after.runId);
    const afterEvents = before.client.runEvents(after.runId);
    await before.client.close();
    expect((await call('DELETE', `/api/threads/${dropped.threadId}`, before.token)).status).toBe(204);

    // Resume from just before the last event of the first run: it, then the hole, then the third run.
    const lastBefore = beforeEvents.at(-1)!.seq;
    const resumed = await TestClient.open(server.wsUrl, before.token, { lastSeq: lastBefore - 1, epoch: server.store.epoch });
    await resumed.waitFor((f) => f.type === 'resumed' && f.recovered);
    const controls = resumed.frames.filter((f) => f.type === 'resumed');
    expect(controls).toEqual([
      { type: 'resumed', fromSeq: droppedEvents[0]!.seq, toSeq: droppedEvents.at(-1)!.seq, recovered: false },
      { type: 'resumed', fromSeq: lastBefore, toSeq: afterEvents.at(-1)!.seq, recovered: true },
    ]);
    const replayed = resumed.frames.filter((f) => 'seq' in f && 'runId' in f) as typeof afterEvents;
    expect(seqs(replayed)).toEqual([lastBefore, ...seqs(afterEvents)]);
    await resumed.close();
  });
});
