import { afterAll } from 'vitest';
import type { EventStore, RetentionPolicy } from 'agentwire/server';
import { RedisEventStore } from 'agentwire/redis';
import { storeContract } from '../store/store-contract.js';
import { threadEditContract } from '../store/thread-edit-contract.js';
import { REDIS_URL, deleteKeys, redisSuite, uniquePrefix } from './redis-env.js';

const root = uniquePrefix('contract');
let n = 0;
const prefixes = new WeakMap<EventStore, { prefix: string; retention: Partial<RetentionPolicy> | undefined }>();

async function open(prefix: string, retention?: Partial<RetentionPolicy>): Promise<RedisEventStore> {
  const store = await RedisEventStore.open({ url: REDIS_URL, prefix, ...(retention ? { retention } : {}) });
  prefixes.set(store, { prefix, retention });
  return store;
}

await redisSuite('Redis store', () => {
  afterAll(async () => {
    await deleteKeys(REDIS_URL, root);
  });

  const redis = {
    create: (retention?: Partial<RetentionPolicy>) => open(`${root}:${++n}`, retention),
    reopen: async (store: EventStore) => {
      const { prefix, retention } = prefixes.get(store)!;
      await store.close();
      return open(prefix, retention);
    },
  };
  storeContract('redis', redis);
  threadEditContract('redis', redis);
});
