/**
 * Redis restarted under traffic: two nodes on a redis-server of the test's own, users watching
 * from one node while their runs execute on the other. With an fsync-always append-only file
 * nothing is lost; without persistence the store starts a new epoch and every client is told
 * `recovered: false` instead of silently missing events. Either way readiness follows Redis,
 * new runs are refused while it is away, and nodes recover by themselves.
 */
import { afterEach, expect, it } from 'vitest';
import type { AgentEvent, ErrorMessage, Resumed } from 'agentwire';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { redisServerSuite, startPrivateRedis, uniquePrefix, type PrivateRedis } from './redis-env.js';
import { recordFigure } from './figures.js';
import { deltaIndices, gapsAndDuplicates, terminalsOf } from './streams.js';

const USERS = 4;
const EVENTS = 250;
const INTERVAL_MS = 20;
const OUTAGE_MS = 1_500;

interface Session {
  userId: string;
  token: string;
  watcher: TestClient;
  submitter: TestClient;
  runId: string;
}

let redis: PrivateRedis | undefined;
let nodes: ChildServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
  nodes = [];
  await redis?.stop();
  redis = undefined;
});

async function startNodes(url: string, env: Record<string, string> = {}): Promise<ChildServer[]> {
  const prefix = uniquePrefix('restart');
  nodes = await Promise.all(
    ['r1', 'r2'].map((id) => spawnServer({ AGENTWIRE_STORE: url, AGENTWIRE_REDIS_PREFIX: prefix, AGENTWIRE_NODE_ID: id, AGENTWIRE_RUN_LEASE_MS: '3000', ...env }, { startTimeoutMs: 60_000 })),
  );
  return nodes;
}

async function open(node: ChildServer, token: string, resume?: { lastSeq: number; epoch: string }): Promise<TestClient> {
  const client = await TestClient.open(node.wsUrl, token, resume ?? {});
  clients.push(client);
  return client;
}

/** Users watching from one node while their run executes on the other. */
async function startTraffic(label: string, events = EVENTS): Promise<Session[]> {
  return Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const userId = `${label}-${i}`;
      const token = await signToken(userId);
      const watcher = await open(nodes[i % 2]!, token);
      const submitter = await open(nodes[(i + 1) % 2]!, token);
      const { runId } = await submitter.submit(streamInput(events, INTERVAL_MS), { agent: 'stream' });
      await watcher.waitUntil(() => watcher.runEvents(runId).length >= 15);
      return { userId, token, watcher, submitter, runId };
    }),
  );
}

async function waitForStatus(node: ChildServer, status: number, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`${node.url}/readyz`).catch(() => undefined);
    if (res?.status === status) return Date.now();
    if (Date.now() - started > timeoutMs) throw new Error(`/readyz did not become ${status} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A user_message while Redis is away is refused with UNAVAILABLE, not left hanging. */
async function expectRefused(client: TestClient): Promise<ErrorMessage> {
  const clientMessageId = `during-outage-${Math.random().toString(36).slice(2)}`;
  client.send({ type: 'user_message', text: streamInput(1), agent: 'stream', clientMessageId });
  return client.waitFor<ErrorMessage>((f) => f.type === 'error' && f.clientMessageId === clientMessageId, 5_000);
}

function firstEventAfter(client: TestClient, at: number, arrivals: Map<AgentEvent, number>): number | undefined {
  for (const event of client.events()) {
    const t = arrivals.get(event);
    if (t !== undefined && t >= at) return t;
  }
  return undefined;
}

/** Records when each event arrived, to time the recovery from what the client saw. */
function stampArrivals(client: TestClient, arrivals: Map<AgentEvent, number>): void {
  client.socket.on('message', () => {
    const now = Date.now();
    for (const event of client.events()) if (!arrivals.has(event)) arrivals.set(event, now);
  });
}

await redisServerSuite('Redis restarted under traffic', () => {
  it('append-only file, fsync always: readiness follows Redis, new runs are refused meanwhile, and afterwards nothing is lost or repeated', async () => {
    redis = await startPrivateRedis({ persistence: 'aof-always' });
    await startNodes(redis.url);
    const sessions = await startTraffic('aof');
    const arrivals = new Map<AgentEvent, number>();
    for (const s of sessions) stampArrivals(s.watcher, arrivals);

    const stoppedAt = Date.now();
    await redis.stop('SIGKILL');
    const notReady = await Promise.all(nodes.map((node) => waitForStatus(node, 503)));
    const refusal = await expectRefused(sessions[0]!.watcher);
    expect(refusal.code).toBe('UNAVAILABLE');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    const restartedAt = Date.now();
    await redis.start();
    const ready = await Promise.all(nodes.map((node) => waitForStatus(node, 200)));

    let lost = 0;
    let repeated = 0;
    for (const s of sessions) {
      const terminal = await s.watcher.terminalOf(s.runId, 30_000);
      await s.submitter.terminalOf(s.runId, 10_000);
      expect(terminal.type).toBe('agent_completed');
      for (const client of [s.watcher, s.submitter]) {
        const { missing, duplicates } = gapsAndDuplicates(seqs(client.events()));
        lost += missing.length;
        repeated += duplicates.length;
        expect(seqs(client.events())).toEqual(range(1, terminal.seq));
        expect(deltaIndices(client.events(), s.runId)).toEqual(range(1, EVENTS));
        expect(terminalsOf(client.events(), s.runId)).toHaveLength(1);
      }
      // The same connection carried the run from start to end: it was never closed.
      expect(s.watcher.socket.readyState).toBe(s.watcher.socket.OPEN);
    }
    const firstAfter = Math.min(...sessions.map((s) => firstEventAfter(s.watcher, restartedAt, arrivals) ?? Infinity));
    recordFigure('redis_restart_aof_always', {
      nodes: 2,
      users: USERS,
      outageMs: restartedAt - stoppedAt,
      msToReadyzFalse: Math.max(...notReady) - stoppedAt,
      msFromRedisStartToReadyzTrue: Math.max(...ready) - restartedAt,
      msFromRedisStartToFirstLiveEvent: firstAfter - restartedAt,
      eventsLost: lost,
      eventsRepeated: repeated,
      refusedNewRunWith: refusal.code,
    });
    expect(lost).toBe(0);
    expect(repeated).toBe(0);
  }, 150_000);

  it('no persistence: Redis comes back empty, the store starts a new epoch, every connection is closed with 1012 and resumes with recovered: false; runs in flight go on', async () => {
    redis = await startPrivateRedis({ persistence: 'none' });
    await startNodes(redis.url);
    const sessions = await startTraffic('volatile');
    const oldEpoch = sessions[0]!.watcher.established.epoch;

    const stoppedAt = Date.now();
    await redis.stop('SIGKILL');
    const notReady = await Promise.all(nodes.map((node) => waitForStatus(node, 503)));
    expect((await expectRefused(sessions[1]!.watcher)).code).toBe('UNAVAILABLE');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    const restartedAt = Date.now();
    await redis.start();

    const closes = await Promise.all(sessions.map((s) => s.watcher.closed));
    const closedAt = Date.now();
    expect(closes.map((c) => c.code)).toEqual(sessions.map(() => 1012));
    const ready = await Promise.all(nodes.map((node) => waitForStatus(node, 200)));

    const outcomes = await Promise.all(
      sessions.map(async (s, i) => {
        const before = s.watcher.events();
        const lastSeq = before[before.length - 1]!.seq;
        const again = await open(nodes[(i + 1) % 2]!, s.token, { lastSeq, epoch: oldEpoch });
        const resumed = await again.waitFor<Resumed>((f) => f.type === 'resumed');
        const terminal = await again.terminalOf(s.runId, 30_000);
        return { again, resumed, terminal, lastSeq };
      }),
    );
    for (const { again, resumed, terminal, lastSeq } of outcomes) {
      expect(again.established.epoch).not.toBe(oldEpoch);
      expect(resumed).toMatchObject({ fromSeq: lastSeq + 1, recovered: false });
      // The run kept going and finished in the new epoch; its events there are gapless from 1.
      expect(terminal.type).toBe('agent_completed');
      expect(terminal.epoch).toBe(again.established.epoch);
      const fresh = again.events();
      expect(seqs(fresh)).toEqual(range(fresh[0]!.seq, terminal.seq));
    }
    recordFigure('redis_restart_no_persistence', {
      nodes: 2,
      users: USERS,
      outageMs: restartedAt - stoppedAt,
      msToReadyzFalse: Math.max(...notReady) - stoppedAt,
      msFromRedisStartToConnectionsClosed1012: closedAt - restartedAt,
      msFromRedisStartToReadyzTrue: Math.max(...ready) - restartedAt,
      resumedRecovered: outcomes.every((o) => o.resumed.recovered) ? 'true' : 'false (explicit)',
      runsCompletedInNewEpoch: outcomes.filter((o) => o.terminal.type === 'agent_completed').length,
    });
  }, 150_000);

  it('an outage longer than the retry window ends runs in flight with agent_error store_unavailable, delivered once Redis is back', async () => {
    redis = await startPrivateRedis({ persistence: 'aof-always' });
    await startNodes(redis.url, { AGENTWIRE_STORE_RETRY_MS: '1000' });
    const sessions = await startTraffic('outage', 2000);
    const stoppedAt = Date.now();
    await redis.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await redis.start();
    for (const s of sessions) {
      const terminal = await s.watcher.terminalOf(s.runId, 40_000);
      expect(terminal).toMatchObject({ type: 'agent_error', data: { code: 'store_unavailable' } });
      expect(seqs(s.watcher.events())).toEqual(range(1, terminal.seq));
      expect(terminalsOf(s.watcher.events(), s.runId)).toHaveLength(1);
    }
    const endedAfterMs = Date.now() - stoppedAt;
    // New work is accepted again.
    const after = await sessions[0]!.watcher.submit(streamInput(3), { agent: 'stream' });
    expect((await sessions[0]!.watcher.terminalOf(after.runId)).type).toBe('agent_completed');
    recordFigure('redis_outage_beyond_retry', { retryMs: 1000, outageMs: 3000, runs: USERS, terminal: 'agent_error store_unavailable', msFromOutageToAllTerminalsDelivered: endedAfterMs });
  }, 150_000);
});
