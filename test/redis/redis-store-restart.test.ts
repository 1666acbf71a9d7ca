/**
 * The Redis store across Redis restarts, on redis-server processes of the test's own: the
 * epoch is kept exactly when nothing acknowledged can have been lost, appends keep their call
 * order through NOSCRIPT and epoch refusals, and appends fail after the retry window.
 */
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import type { StoredEvent } from 'agentwire/server';
import { RedisEventStore } from 'agentwire/redis';
import { draft } from '../store/store-contract.js';
import { deleteKeys, redisServerSuite, startCuttableProxy, startPrivateRedis, uniquePrefix, type PrivateRedis } from './redis-env.js';

let redis: PrivateRedis | undefined;
let store: RedisEventStore | undefined;

afterEach(async () => {
  await store?.close();
  store = undefined;
  await redis?.stop();
  redis = undefined;
});

async function openStore(url: string, options: { retryMs?: number } = {}): Promise<{ store: RedisEventStore; epochs: string[] }> {
  store = await RedisEventStore.open({ url, prefix: uniquePrefix('store-restart'), ...options });
  const epochs: string[] = [];
  store.onEpochChange((epoch) => epochs.push(epoch));
  return { store, epochs };
}

function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

async function waitForAsync(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

await redisServerSuite('Redis store across Redis restarts', () => {
  it('keys deleted under a live store (data lost without a restart): the next append starts a new epoch at seq 1, and listeners hear it', async () => {
    redis = await startPrivateRedis();
    const { store: s, epochs } = await openStore(redis.url);
    const before = s.epoch;
    await s.append(draft('alice'));
    await s.append(draft('alice'));
    await deleteKeys(redis.url, s.keys.prefix);
    const event = await s.append(draft('alice'));
    expect(event.seq).toBe(1);
    expect(s.epoch).not.toBe(before);
    expect(JSON.parse(event.frame)).toMatchObject({ seq: 1, epoch: s.epoch });
    expect(epochs).toEqual([s.epoch]);
  });

  it('without persistence, a restart means a new epoch, noticed without any append', async () => {
    redis = await startPrivateRedis();
    const { store: s, epochs } = await openStore(redis.url);
    const before = s.epoch;
    await s.append(draft('alice'));
    await redis.stop();
    await redis.start();
    await waitUntil(() => epochs.length === 1);
    expect(s.epoch).not.toBe(before);
    expect(await s.lastSeq('alice')).toBe(0);
  });

  it('an RDB snapshot restored after a crash keeps the epoch key but may be older than what clients saw: new epoch', async () => {
    redis = await startPrivateRedis();
    const { store: s, epochs } = await openStore(redis.url);
    const before = s.epoch;
    await s.append(draft('alice'));
    execFileSync('redis-cli', ['-p', String(redis.port), 'SAVE']);
    // Acknowledged after the snapshot: a crash now loses it, and seq 2 would be handed out again.
    await s.append(draft('alice'));
    await redis.stop('SIGKILL');
    await redis.start();
    await waitUntil(() => epochs.length === 1);
    expect(s.epoch).not.toBe(before);
    expect(await s.lastSeq('alice')).toBe(1);
    const next = await s.append(draft('alice'));
    expect(JSON.parse(next.frame)).toMatchObject({ seq: 2, epoch: s.epoch });
  });

  it('an fsync-always append-only file keeps the epoch and every acknowledged event across a SIGKILL', async () => {
    redis = await startPrivateRedis({ persistence: 'aof-always' });
    const { store: s, epochs } = await openStore(redis.url);
    const before = s.epoch;
    for (let i = 0; i < 5; i++) await s.append(draft('alice'));
    await redis.stop('SIGKILL');
    await redis.start();
    const next = await s.append(draft('alice'));
    expect(next.seq).toBe(6);
    expect(s.epoch).toBe(before);
    expect(epochs).toEqual([]);
    expect((await s.readAfter('alice', 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('appends issued while Redis restarts are stored in call order: the script cache is empty afterwards, and no later append overtakes a refused one', async () => {
    redis = await startPrivateRedis({ persistence: 'aof-always' });
    const { store: s } = await openStore(redis.url);
    const drafts = Array.from({ length: 600 }, (_, i) => draft('alice', { eventId: `ordered-${i}` }));
    const results: Promise<StoredEvent>[] = [];
    for (const [i, d] of drafts.entries()) {
      results.push(s.append(d));
      if (i === 150) {
        // Kill mid-stream: some appends are answered, some in flight, the rest not yet sent.
        await redis.stop('SIGKILL');
        void redis.start();
      }
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const settled = await Promise.allSettled(results);
    const stored = settled.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, seq: r.value.seq }] : []));
    expect(stored.length).toBe(drafts.length);
    // Seqs ascend with call order, without gaps.
    expect(stored.map((r) => r.seq)).toEqual(stored.map((_, k) => k + 1));
    const inStream = await s.readAfter('alice', 0, 1000);
    expect(inStream.map((e) => (JSON.parse(e.frame) as { eventId: string }).eventId)).toEqual(drafts.map((d) => d.eventId));
  });

  it('appends that ran but whose replies were lost with the connection are answered with their stored seq, not stored twice', async () => {
    redis = await startPrivateRedis();
    const proxy = await startCuttableProxy(redis.port);
    try {
      const { store: s } = await openStore(`redis://127.0.0.1:${proxy.port}`);
      await s.append(draft('alice'));
      proxy.dropReplies = true;
      const drafts = Array.from({ length: 50 }, (_, i) => draft('alice', { eventId: `lost-reply-${i}` }));
      const results = drafts.map((d) => s.append(d));
      // Redis runs every append; none of the answers arrives. Then the connection drops.
      const direct = new Redis(redis.url);
      try {
        await waitForAsync(async () => Number(await direct.get(s.keys.seq('alice'))) === 51);
      } finally {
        direct.disconnect();
      }
      proxy.dropReplies = false;
      proxy.cutAll();
      const stored = await Promise.all(results);
      expect(stored.map((e) => e.seq)).toEqual(drafts.map((_, i) => i + 2));
      const inStream = await s.readAfter('alice', 1, 1000);
      expect(inStream.map((e) => (JSON.parse(e.frame) as { eventId: string }).eventId)).toEqual(drafts.map((d) => d.eventId));
      expect(stored.map((e) => e.frame)).toEqual(inStream.map((e) => e.frame));
    } finally {
      await proxy.close();
    }
  });

  it('appends fail with a STORE error once Redis has been away longer than the retry window, and flow again when it is back', async () => {
    redis = await startPrivateRedis({ persistence: 'aof-always' });
    const { store: s } = await openStore(redis.url, { retryMs: 500 });
    await s.append(draft('alice'));
    await redis.stop('SIGKILL');
    const started = Date.now();
    await expect(s.append(draft('alice'))).rejects.toMatchObject({ code: 'STORE' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(await s.healthy()).toBe(false);
    await redis.start();
    const deadline = Date.now() + 10_000;
    while (!(await s.healthy()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await s.append(draft('alice'))).seq).toBe(2);
    expect(await s.healthy()).toBe(true);
  });
});
