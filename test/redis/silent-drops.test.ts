/**
 * Nothing read from Redis is dropped in silence: a run lease record that cannot be parsed and a
 * malformed request on the control channel are each logged and counted, and the run behind a
 * corrupt lease record still ends with agent_death. Written into Redis directly, as a bug,
 * a bad deploy or an operator with redis-cli would leave them.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { RunRecord } from 'agentwire/server';
import { createLogger, type AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';
import { REDIS_URL, deleteKeys, redisSuite, uniquePrefix } from './redis-env.js';

const prefix = uniquePrefix('drops');
const NODE_ID = 'drops-node';

/** The value of one series on the server's /metrics, 0 when absent. */
async function metric(server: AgentwireServer, series: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

await redisSuite('silent drops on Redis', () => {
  let server: AgentwireServer;
  let redis: Redis;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    server = await startTestServer({
      store: REDIS_URL,
      redis: { prefix, leaseMs: 600 },
      nodeId: NODE_ID,
      logger: createLogger('error', (line) => logs.push(line)),
    });
  }, 60_000);

  afterAll(async () => {
    await server.close();
    redis.disconnect();
    await deleteKeys(REDIS_URL, prefix);
  });

  /** An id in the server's own shape (prefix and 22 url-safe characters). */
  const serverId = (kind: 'run' | 'thr'): string => `${kind}_${randomBytes(16).toString('base64url').slice(0, 22)}`;

  /** A run recorded as running on a node that is gone, with the lease it left behind written raw. */
  async function orphanWithLease(userId: string, leaseRecord: string, inStore: boolean): Promise<RunRecord> {
    const now = Date.now();
    const runId = serverId('run');
    const run: RunRecord = { runId, userId, threadId: serverId('thr'), agentName: 'stream', clientMessageId: `cm-${runId}`, status: 'running', createdAt: now, nodeId: 'dead-node' };
    if (inStore) {
      await server.store.createThread({ threadId: run.threadId, userId, title: 'orphan', createdAt: now, updatedAt: now });
      await server.store.claimRun(run);
    }
    // Score 0: expired long ago, so the next sweep claims it.
    await redis.multi().zadd(`${prefix}:leases`, 0, runId).hset(`${prefix}:leaserecs`, runId, leaseRecord).exec();
    return run;
  }

  it('a corrupt lease record is logged and counted, and its run still ends with agent_death from the store record', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('drops-alice'));
    try {
      const run = await orphanWithLease('drops-alice', '{"runId":"run_corr', true);
      const death = await client.terminalOf(run.runId, 20_000);
      expect(death).toMatchObject({ type: 'agent_death', userId: 'drops-alice', threadId: run.threadId, data: { cause: 'node_lost' } });
      expect(await metric(server, 'agentwire_dropped_total{reason="corrupt_lease_record"}')).toBe(1);
      expect(logs.filter((l) => l.includes('lease record could not be read; ending its run') && l.includes(run.runId))).toHaveLength(1);
      await vi.waitFor(async () => expect(await redis.hexists(`${prefix}:leaserecs`, run.runId)).toBe(0));
    } finally {
      await client.close();
    }
  }, 30_000);

  it('a corrupt lease record whose run is not in the store is logged and counted, and its lease removed', async () => {
    const { runId } = await orphanWithLease('drops-bob', 'null', false);
    await vi.waitFor(async () => expect(await metric(server, 'agentwire_dropped_total{reason="corrupt_lease_record"}')).toBe(2), { timeout: 20_000, interval: 100 });
    expect(logs.filter((l) => l.includes('its run is not in the store') && l.includes(runId))).toHaveLength(1);
    await vi.waitFor(async () => expect(await redis.hexists(`${prefix}:leaserecs`, runId)).toBe(0));
  }, 30_000);

  it('malformed control-channel requests are logged and counted; a well-formed one for another node is not', async () => {
    const series = 'agentwire_dropped_total{reason="malformed_control_request"}';
    const before = await metric(server, series);
    const channel = `${prefix}:control`;
    // Published in order on one connection: the server reads them in this order.
    await redis.publish(channel, JSON.stringify({ op: 'cancel', nodeId: 'other-node', runId: 'r1', userId: 'u1' }));
    await redis.publish(channel, 'not json {');
    await redis.publish(channel, JSON.stringify({ op: 'shutdown', nodeId: NODE_ID, runId: 'r2', userId: 'u2' }));
    await redis.publish(channel, JSON.stringify({ op: 'cancel', nodeId: NODE_ID, runId: 42, userId: 'u3' }));
    await redis.publish(channel, 'null');
    await vi.waitFor(async () => expect(await metric(server, series)).toBe(before + 4), { timeout: 10_000, interval: 50 });
    const lines = logs.filter((l) => l.includes('malformed request on the control channel'));
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual([
      expect.stringMatching(/^not JSON/),
      'op is not "cancel"',
      'nodeId, runId and userId must be strings',
      'not an object',
    ]);
  });
});
