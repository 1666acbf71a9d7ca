/**
 * Two limits of a node that had no test: concurrent runs per node (runs past it wait in a FIFO
 * queue and say so) and the event payload limit (256 KiB by default; the emit is refused with
 * INVALID_EVENT and nothing of it reaches a socket).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAgent, type AgentEvent } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

const MAX_CONCURRENT_RUNS = 2;
const KIB = 1024;

/** Runs of `gate` hold until the test opens their gate; the agent records what ran at once. */
const gates = new Map<string, () => void>();
const startedOrder: string[] = [];
let running = 0;
let maxRunning = 0;
const gate = defineAgent({
  name: 'gate',
  description: 'waits until the test releases it',
  async run(input, ctx) {
    startedOrder.push(input.runId);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      await new Promise<void>((resolve, reject) => {
        gates.set(input.runId, resolve);
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true });
      });
    } finally {
      running -= 1;
    }
    return 'released';
  },
});

/** Emits a progress_update and a text delta of the sizes asked; reports which emits were refused, and how. */
const big = defineAgent({
  name: 'big',
  description: 'emits events of a given size',
  async run(input, ctx) {
    const { progressBytes, deltaChars } = JSON.parse(input.text) as { progressBytes: number; deltaChars: number };
    const refused: string[] = [];
    const attempt = async (name: string, emit: () => Promise<void>): Promise<void> => {
      try {
        await emit();
      } catch (error) {
        refused.push(`${name}:${String((error as { code?: unknown }).code)}`);
      }
    };
    await attempt('progress', () => ctx.progress('p'.repeat(progressBytes)));
    await attempt('delta', () => ctx.say('d'.repeat(deltaChars)));
    return { refused };
  },
});

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ agents: [gate, big], engine: { maxConcurrentRuns: MAX_CONCURRENT_RUNS } });
});
afterAll(async () => {
  for (const release of gates.values()) release();
  await server.close();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
}

const started = (client: TestClient, runId: string) => client.events().some((e) => e.runId === runId && e.type === 'agent_started');

describe('concurrent runs per node', () => {
  it('runs past the node limit wait in FIFO order, say so, and each starts only when a slot frees', async () => {
    const users = await Promise.all([1, 2, 3, 4].map(async (i) => TestClient.open(server.wsUrl, await signToken(`node-limit-${i}`))));
    const runs: string[] = [];
    for (const user of users) runs.push((await user.submit('go', { agent: 'gate' })).runId);
    const [r1, r2, r3, r4] = runs as [string, string, string, string];
    const [u1, u2, u3, u4] = users as [TestClient, TestClient, TestClient, TestClient];
    await u1.waitUntil(() => started(u1, r1) && started(u2, r2));
    for (const [user, runId] of [[u3, r3], [u4, r4]] as const) {
      // The first event of the run says whether it waits: it must be the queue notice.
      const first = await user.waitFor<AgentEvent>((f) => 'seq' in f && f.runId === runId);
      expect(first).toMatchObject({ type: 'progress_update', data: { message: expect.stringContaining('free slot on the server') } });
    }
    expect(await metric('agentwire_runs_active')).toBe(MAX_CONCURRENT_RUNS);
    expect(await metric('agentwire_runs_queued')).toBe(2);
    expect(started(u3, r3) || started(u4, r4)).toBe(false);

    // One slot frees: the first in line (r3) starts, r4 keeps waiting.
    gates.get(r1)!();
    expect((await u1.terminalOf(r1)).type).toBe('agent_completed');
    await u3.waitUntil(() => started(u3, r3));
    expect(startedOrder).toEqual([r1, r2, r3]);
    expect(started(u4, r4)).toBe(false);

    for (const runId of [r2, r3]) gates.get(runId)!();
    await u4.waitUntil(() => started(u4, r4));
    gates.get(r4)!();
    for (const [user, runId] of users.map((u, i) => [u, runs[i]!] as const)) expect((await user.terminalOf(runId)).type).toBe('agent_completed');
    expect(startedOrder).toEqual(runs);
    expect(maxRunning).toBe(MAX_CONCURRENT_RUNS);
    await Promise.all(users.map((u) => u.close()));
  });
});

describe('event payload limit (default 256 KiB)', () => {
  it('an event just under the limit is delivered; one over it is refused with INVALID_EVENT and never sent', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('payload-limit'));
    const invalidBefore = await metric('agentwire_invalid_events_total');
    // Under: 250 KiB of progress text, and a delta of 80 Ki chars (counted as 3 bytes each).
    const under = await client.submit(JSON.stringify({ progressBytes: 250 * KIB, deltaChars: 80 * KIB }), { agent: 'big' });
    const underEnd = await client.terminalOf(under.runId);
    expect(underEnd).toMatchObject({ type: 'agent_completed', data: { result: { refused: [] } } });
    expect(client.runEvents(under.runId).map((e) => e.type)).toEqual(['agent_started', 'progress_update', 'agent_message_delta', 'agent_completed']);

    // Over: 257 KiB of progress text, and a delta of 86 Ki chars (258 KiB counted).
    const over = await client.submit(JSON.stringify({ progressBytes: 257 * KIB, deltaChars: 86 * KIB }), { agent: 'big' });
    expect(await client.terminalOf(over.runId)).toMatchObject({ type: 'agent_completed', data: { result: { refused: ['progress:INVALID_EVENT', 'delta:INVALID_EVENT'] } } });
    expect(client.runEvents(over.runId).map((e) => e.type)).toEqual(['agent_started', 'agent_completed']);
    expect(await metric('agentwire_invalid_events_total')).toBe(invalidBefore + 2);
    await client.close();
  });
});
