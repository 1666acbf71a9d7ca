/**
 * The Redis store reads an event's routing fields back from its frame (it does not store them
 * twice). A frame that names another user or seq than the stream entry it sits in — corruption,
 * or a writer that is not this codec — is refused on read, never handed out under the key's user.
 */
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { RedisEventStore } from 'agentwire/redis';
import { encodeFrame, FrameFormatError, type FrameDraft } from 'agentwire/protocol';
import { REDIS_URL, deleteKeys, redisSuite, uniquePrefix } from './redis-env.js';

const prefix = uniquePrefix('frame-guard');

function frameOf(userId: string, seq: number): string {
  const draft: FrameDraft = { type: 'agent_message_delta', eventId: `ev${seq}`, runId: 'r1', threadId: 't1', userId, agentName: 'a', ts: 0, data: { delta: 'x' } };
  return encodeFrame(draft, seq, 'e1');
}

await redisSuite('Redis store: frames are checked against their key', () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  afterAll(async () => {
    redis.disconnect();
    await deleteKeys(REDIS_URL, prefix);
  });

  it('reads a frame of its own user and seq, and refuses one naming another user or seq', async () => {
    const store = await RedisEventStore.open({ url: REDIS_URL, prefix });
    try {
      await redis.connect();
      // Stream entries as the append script writes them: id <seq>-0, fields f (frame) and ts.
      await redis.xadd(`${prefix}:{u:alice}:events`, '1-0', 'f', frameOf('alice', 1), 'ts', '0');
      await redis.set(`${prefix}:{u:alice}:seq`, '1');
      expect((await store.readAfter('alice', 0, 10)).map((e) => [e.seq, e.runId, e.threadId])).toEqual([[1, 'r1', 't1']]);

      await redis.xadd(`${prefix}:{u:alice}:events`, '2-0', 'f', frameOf('mallory', 2), 'ts', '0');
      await redis.set(`${prefix}:{u:alice}:seq`, '2');
      await expect(store.readAfter('alice', 1, 10)).rejects.toThrow(FrameFormatError);

      await redis.xadd(`${prefix}:{u:bob}:events`, '1-0', 'f', frameOf('bob', 7), 'ts', '0');
      await redis.set(`${prefix}:{u:bob}:seq`, '1');
      await expect(store.readAfter('bob', 0, 10)).rejects.toThrow(FrameFormatError);
    } finally {
      await store.close();
    }
  });
});
