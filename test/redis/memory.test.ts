/**
 * Memory the Redis store uses per user, per event, per run and per thread, measured with
 * MEMORY USAGE and INFO memory on a sample; docs/deploy.md quotes test-results/redis-figures.json.
 */
import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisEventStore } from 'agentwire/redis';
import { newRunId, newThreadId } from 'agentwire/server';
import { draft } from '../store/store-contract.js';
import { REDIS_URL, deleteKeys, redisSuite, uniquePrefix } from './redis-env.js';
import { recordFigure } from './figures.js';

const USERS = 200;
const EVENTS_PER_USER = 500;
const DELTA = 'x'.repeat(60);

const prefix = uniquePrefix('memory');

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

async function keyBytes(client: Redis, key: string): Promise<number> {
  return Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
}

await redisSuite('Redis memory use', () => {
  const client = new Redis(REDIS_URL, { lazyConnect: true });

  afterAll(async () => {
    client.disconnect();
    await deleteKeys(REDIS_URL, prefix);
  });

  it('per user, per event, per run and per thread', async () => {
    await client.connect();
    const store = await RedisEventStore.open({ url: REDIS_URL, prefix });
    try {
      const users = Array.from({ length: USERS }, (_, i) => `memory-user-${i}`);
      const baseline = await usedMemory(client);
      const started = Date.now();
      for (let round = 0; round < EVENTS_PER_USER; round++) {
        await Promise.all(users.map((u) => store.append(draft(u, { data: { delta: DELTA } }))));
      }
      const appendMs = Date.now() - started;
      const afterEvents = await usedMemory(client);
      const frame = (await store.readAfter(users[0]!, 0, 1))[0]!.frame;

      // One user's keys, exactly.
      const stream = await keyBytes(client, store.keys.events(users[0]!));
      const seq = await keyBytes(client, store.keys.seq(users[0]!));
      const oneEventUser = 'memory-single';
      await store.append(draft(oneEventUser, { data: { delta: DELTA } }));
      const streamOfOne = await keyBytes(client, store.keys.events(oneEventUser));
      const perEventInStream = (stream - streamOfOne) / (EVENTS_PER_USER - 1);
      const perUserFixed = streamOfOne - perEventInStream + seq;

      // Runs and threads: one run in a new thread per user; their keys, exactly, and their
      // share of the index keys (the node's open runs, the user's thread list).
      const claimed: { userId: string; runId: string; threadId: string; clientMessageId: string }[] = [];
      for (const userId of users) {
        const threadId = newThreadId();
        const runId = newRunId();
        const clientMessageId = `cm-${runId}`;
        const now = Date.now();
        await store.claimRun({ runId, userId, threadId, agentName: 'assistant', clientMessageId, status: 'queued', createdAt: now, nodeId: 'memory-node' });
        await store.createThread({ threadId, userId, title: 'What is 17 × 23, and what time is it in Tokyo?', createdAt: now, updatedAt: now });
        claimed.push({ userId, runId, threadId, clientMessageId });
      }
      const sample = claimed[0]!;
      const perRun =
        (await keyBytes(client, store.keys.run(sample.userId, sample.runId))) +
        (await keyBytes(client, store.keys.clientMessage(sample.userId, sample.clientMessageId))) +
        (await keyBytes(client, store.keys.runUser(sample.runId))) +
        (await keyBytes(client, store.keys.nodeRuns('memory-node'))) / USERS;
      const perThread = (await keyBytes(client, store.keys.thread(sample.threadId))) + (await keyBytes(client, store.keys.threads(sample.userId)));

      const figure = {
        users: USERS,
        eventsPerUser: EVENTS_PER_USER,
        frameBytes: Buffer.byteLength(frame),
        bytesPerEventInStream: Math.round(perEventInStream),
        bytesPerEventUsedMemory: Math.round((afterEvents - baseline) / (USERS * EVENTS_PER_USER)),
        bytesPerUserFixed: Math.round(perUserFixed),
        bytesPerRun: Math.round(perRun),
        bytesPerThread: Math.round(perThread),
        appendsPerSecondOneConnection: Math.round((USERS * EVENTS_PER_USER) / (appendMs / 1000)),
        streamNodeMaxBytes: Number(((await client.config('GET', 'stream-node-max-bytes')) as string[])[1]),
      };
      recordFigure('memory', figure);
      // Guard rails, not targets: the frame plus listpack overhead (nothing stored twice), and
      // per user mostly the stream's tail node, which Redis allocates at stream-node-max-bytes.
      const nodeBytes = figure.streamNodeMaxBytes;
      expect(figure.bytesPerEventInStream).toBeLessThan(figure.frameBytes + 128);
      expect(figure.bytesPerUserFixed).toBeLessThan(nodeBytes + 1024);
    } finally {
      await store.close();
    }
  }, 120_000);
});
