/**
 * The store under useAgentThread against a real server and the real client: history over HTTP
 * merged with live events, each event once, the full text of a message sent from here, and a
 * fresh history after the server says it could not replay everything.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentwireClient, type AgentEvent, type WebSocketConstructor } from 'agentwire/client';
import { threadStore, type ThreadSnapshot } from 'agentwire/react';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';

let server: AgentwireServer;
const clients: AgentwireClient[] = [];
const unsubscribes: (() => void)[] = [];

beforeAll(async () => {
  // Small retention, so that the last test can outrun it; the other runs stay below it.
  server = await startTestServer({ retention: { maxEventsPerUser: 50 } });
});
afterEach(() => {
  for (const off of unsubscribes.splice(0)) off();
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await server.close();
});

function newClient(user: string, options: { resumeFrom?: { lastSeq: number; epoch: string }; fetch?: typeof fetch } = {}): AgentwireClient {
  const client = new AgentwireClient({ url: server.wsUrl, token: () => signToken(user), WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
  clients.push(client);
  return client;
}

/** Subscribes like React does and resolves with the first snapshot that passes `done`. */
function until(store: ReturnType<typeof threadStore>, done: (snapshot: ThreadSnapshot) => boolean): Promise<ThreadSnapshot> {
  return new Promise((resolve) => {
    const check = () => {
      const snapshot = store.getSnapshot();
      if (done(snapshot)) resolve(snapshot);
    };
    unsubscribes.push(store.subscribe(check));
    check();
  });
}

const finished = (snapshot: ThreadSnapshot) => !snapshot.loading && snapshot.runs.length > 0 && snapshot.runs.every((run) => run.terminal !== undefined);

async function history(client: AgentwireClient, threadId: string): Promise<number[]> {
  return (await client.history(threadId, { all: true })).events.map((e: AgentEvent) => e.seq);
}

describe('thread store', () => {
  it('shows a message sent from the draft in the thread the server created, with its full text and every event once', async () => {
    const client = newClient('ann');
    await client.connect();
    const text = `What is 17 * 23? ${'and some context '.repeat(20)}`;
    const draft = threadStore(client, undefined);
    unsubscribes.push(draft.subscribe(() => undefined));
    const { threadId, runId } = await draft.send(text);
    expect(draft.getSnapshot().sending).toEqual([]);

    const snapshot = await until(threadStore(client, threadId), finished);
    const run = snapshot.runs[0]!;
    expect(snapshot.runs).toHaveLength(1);
    expect(run.runId).toBe(runId);
    expect(run.userText).toBe(text);
    expect(run.tools[0]).toMatchObject({ toolName: 'calculator', status: 'success', result: { value: 391 } });
    expect(run.answer).toContain('391');
    expect(run.events.map((e) => e.seq)).toEqual(await history(client, threadId));
  });

  it('merges a history fetched mid-run with the live events that overlap it', async () => {
    const client = newClient('ben');
    await client.connect();
    let seen = 0;
    const reachedTen = new Promise<void>((resolve) => {
      client.on('event', () => {
        if (++seen === 10) resolve();
      });
    });
    const { threadId } = await client.send(streamInput(40, 5, 16), { agent: 'stream' });
    await reachedTen;
    const snapshot = await until(threadStore(client, threadId), finished);
    const seqs = snapshot.runs[0]!.events.map((e) => e.seq);
    expect(seqs).toHaveLength(42);
    expect(seqs).toEqual(await history(client, threadId));
    expect(snapshot.runs[0]!.answerParts.map((p) => p.text.slice(0, 7))).toEqual(Array.from({ length: 40 }, (_, i) => `#${String(i + 1).padStart(6, '0')}`));
  });

  it('fetches the history again when the server cannot replay what the client missed', async () => {
    const first = newClient('cy');
    await first.connect();
    const { threadId, runId } = await first.send(streamInput(80, 0, 16), { agent: 'stream' });
    await first.run(runId).done;
    const epoch = first.position!.epoch;

    // A client that last saw seq 1: retention (50 events) has dropped what came after it.
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(input instanceof Request ? input.url : input.toString());
      return fetch(input, init);
    };
    const late = newClient('cy', { resumeFrom: { lastSeq: 1, epoch }, fetch: counting });
    const store = threadStore(late, threadId);
    const unrecovered = new Promise((resolve) => late.on('unrecovered', resolve));
    unsubscribes.push(store.subscribe(() => undefined));
    await late.connect();
    await unrecovered;
    const snapshot = await until(store, (s) => !s.loading && s.runs[0]?.terminal !== undefined && requests.length >= 2);
    expect(requests.filter((url) => url.includes(`/api/threads/${threadId}/events`)).length).toBeGreaterThanOrEqual(2);
    expect(snapshot.runs[0]!.events.map((e) => e.seq)).toEqual(await history(late, threadId));
  });
});
