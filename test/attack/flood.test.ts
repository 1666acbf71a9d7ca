/**
 * Floods: hostile frames faster than the per-connection rate allows get RATE_LIMITED and then
 * close 4429; a flood of valid user_messages cannot start more runs than the per-user limits;
 * and tens of thousands of hostile frames over many connections leave nothing behind: once
 * collected, none of the server-side sockets of the closed connections is still reachable
 * (a WeakRef to each, taken from Node's `net.server.socket` diagnostics channel), which is the
 * behaviour itself rather than a heap-size bound that GC timing on a loaded machine can miss.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { answerTo, expectedAnswers, type SpecContext } from './support/answers.js';
import { objectFrameArbitrary } from './support/arbitraries.js';
import { Bystander, expectCompleteRun } from './support/bystander.js';

const RATE = 20;
const BURST = 20;
const IN_A_ROW = 20;
const MAX_TEXT_CHARS = 2_000;
const RUNS_PER_USER = 2;
const QUEUED_PER_USER = 3;

let server: AgentwireServer;
let bystander: Bystander;
beforeAll(async () => {
  server = await startTestServer({
    transport: { messagesPerSecond: RATE, messageBurst: BURST, maxRateLimitedInARow: IN_A_ROW, maxTextChars: MAX_TEXT_CHARS, connectionsPerSecondPerIp: 100_000 },
    engine: { maxRunsPerUser: RUNS_PER_USER, maxQueuedPerUser: QUEUED_PER_USER },
  });
  bystander = await Bystander.start(server, 'flood-bystander');
});
afterAll(async () => {
  await bystander.stop();
  await server.close();
});

/** Hostile frames whose documented answer is one error frame (nothing that starts or resumes anything). */
function hostileFrames(count: number, seed: number): string[] {
  const spec: SpecContext = { maxTextChars: MAX_TEXT_CHARS, epoch: 'none', cursor: 0, agents: new Set() };
  // Small frames: the many connections are the point here (huge fields are hostile-frames.test.ts's).
  const oneError = objectFrameArbitrary(MAX_TEXT_CHARS).filter((text) => {
    if (text.length > 1024) return false;
    const answer = expectedAnswers(text, spec);
    return answer !== 'starts-a-run' && answer.length === 1 && answer[0]?.type === 'error' && answer[0].code !== 'NOT_FOUND';
  });
  return fc.sample(fc.oneof(oneError, fc.string({ maxLength: 40 }), fc.constant('[[[[]]]]')), { numRuns: count, seed });
}

const codeOf = (frame: { type: string; code?: string }): string => (frame.type === 'error' ? (frame.code ?? '') : frame.type);

/**
 * One connection sends `frames` in one go. Checks the documented sequence: answers while the
 * burst lasts, then RATE_LIMITED for each dropped message, and close 4429 at the
 * IN_A_ROW-th dropped message in a row.
 */
async function floodOne(user: string, frames: string[]): Promise<void> {
  const client = await TestClient.open(server.wsUrl, await signToken(user));
  const started = Date.now();
  for (const frame of frames) client.send(frame);
  const { code } = await client.closed;
  const seconds = (Date.now() - started) / 1000;
  expect(code).toBe(4429);
  const codes = client.frames.slice(1).map((f) => codeOf(f));
  expect(codes.every((c) => c === 'INVALID_MESSAGE' || c === 'UNKNOWN_TYPE' || c === 'RATE_LIMITED')).toBe(true);
  const answered = codes.filter((c) => c !== 'RATE_LIMITED').length;
  expect(answered).toBeGreaterThanOrEqual(Math.min(BURST, frames.length));
  expect(answered).toBeLessThanOrEqual(BURST + Math.ceil(RATE * seconds) + 1);
  // The close came at the IN_A_ROW-th dropped message in a row: IN_A_ROW - 1 answered RATE_LIMITED.
  const trailing = codes.length - 1 - codes.map((c) => c !== 'RATE_LIMITED').lastIndexOf(true);
  expect(trailing).toBe(IN_A_ROW - 1);
}

/** 200 connections (20 users × 10) × 100 frames: 20,000 hostile frames. */
async function flood(round: number, users = 20): Promise<void> {
  const frames = hostileFrames(100, 1000 + round);
  await Promise.all(range(1, users).flatMap((u) => range(1, 10).map(() => floodOne(`flood-user-${u}`, frames))));
}

let gc: (() => void) | undefined;
function collect(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** WeakRefs to every socket the server accepts while `during` runs. */
async function serverSocketsOf(during: () => Promise<void>): Promise<WeakRef<Socket>[]> {
  const sockets: WeakRef<Socket>[] = [];
  const onSocket = (message: unknown): void => {
    sockets.push(new WeakRef((message as { socket: Socket }).socket));
  };
  subscribe('net.server.socket', onSocket);
  try {
    await during();
  } finally {
    unsubscribe('net.server.socket', onSocket);
  }
  return sockets;
}

/** How many of them are still reachable once garbage is collected (WeakRefs clear between turns). */
async function stillReachable(sockets: WeakRef<Socket>[]): Promise<number> {
  for (let i = 0; i < 10; i++) {
    collect();
    await new Promise((r) => setImmediate(r));
    if (sockets.every((ref) => ref.deref() === undefined)) return 0;
    await new Promise((r) => setTimeout(r, 20));
  }
  return sockets.filter((ref) => ref.deref() !== undefined).length;
}

async function onlyBystanderConnected(): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (server.connections.size !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(server.connections.size).toBe(1);
}

describe('floods', () => {
  it('a flood gets RATE_LIMITED, then close 4429; the same user\'s calm tab keeps working', async () => {
    const calm = await TestClient.open(server.wsUrl, await signToken('flood-calm'));
    await Promise.all(range(1, 3).map(() => floodOne('flood-calm', hostileFrames(200, 7))));
    // The limit is per connection: the user's other tab was never limited.
    await answerTo(calm, '{"type":"ping"}', [{ type: 'pong' }]);
    const { runId } = await calm.submit(streamInput(5), { agent: 'stream' });
    await calm.terminalOf(runId);
    expectCompleteRun(calm.runEvents(runId), 5);
    await calm.close();
    await bystander.completesMore();
  });

  it('a flood of valid user_messages starts at most the per-user runs, and each of them completes', async () => {
    const calm = await TestClient.open(server.wsUrl, await signToken('flood-runs'));
    const flooder = await TestClient.open(server.wsUrl, await signToken('flood-runs'));
    for (let i = 0; i < 200; i++) flooder.send({ type: 'user_message', text: streamInput(3, 20), agent: 'stream', clientMessageId: `flood-${i}` });
    expect((await flooder.closed).code).toBe(4429);
    // The flooder is closed before most submissions are answered; the user's other tab sees
    // what was started. At most the running plus the queued limit, each run whole.
    await new Promise((r) => setTimeout(r, 300));
    await calm.waitUntil(() => calm.events().length > 0 && calm.events().every((e) => calm.runEvents(e.runId).some((t) => t.type === 'agent_completed')), 20_000);
    const started = [...new Set(calm.events().map((e) => e.runId))];
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThanOrEqual(RUNS_PER_USER + QUEUED_PER_USER);
    for (const runId of started) expectCompleteRun(calm.runEvents(runId).filter((e) => e.type !== 'progress_update'), 3);
    expect(seqs(calm.events())).toEqual(range(1, calm.events().length));
    for (const frame of flooder.frames.slice(1)) {
      if (frame.type === 'error') expect(['TOO_MANY_RUNS', 'RATE_LIMITED']).toContain(frame.code);
      else if (frame.type === 'run_accepted' || 'seq' in frame) expect(started).toContain(frame.runId);
      else expect.fail(`unexpected ${frame.type}`);
    }
    await calm.close();
    await bystander.completesMore();
  });

  it('20,000 hostile frames over 200 connections, twice: no connection and no memory left behind', async () => {
    await flood(0, 5); // warm-up: JIT, lazily built schemas, metric label sets
    await onlyBystanderConnected();
    for (const round of [1, 2]) {
      const sockets = await serverSocketsOf(() => flood(round));
      expect(sockets.length).toBeGreaterThanOrEqual(200);
      await onlyBystanderConnected();
      // Nothing the server keeps (connection maps, timers, the notifier, metrics) holds a closed connection.
      expect(await stillReachable(sockets)).toBe(0);
    }
    // And the per-user accounting was released: a flooded user gets a full set of connections again.
    const again = await Promise.all(range(1, 10).map(async () => TestClient.open(server.wsUrl, await signToken('flood-user-1'))));
    await Promise.all(again.map((c) => c.close()));
    await bystander.completesMore();
  }, 60_000);
});
