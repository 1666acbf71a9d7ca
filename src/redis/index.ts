/**
 * agentwire/redis: many nodes sharing one Redis. `startServer({ store: 'redis://…' })` uses
 * all of this; the parts are exported for servers composed by hand.
 *
 *   import { RedisEventStore } from 'agentwire/redis';
 *   const store = await RedisEventStore.open({ url: 'redis://127.0.0.1:6379', prefix: 'myapp' });
 */
export { RedisEventStore, DEFAULT_REDIS_PREFIX, DEFAULT_STORE_RETRY_MS, type RedisStoreOptions } from './redis-event-store.js';
export { RedisKeys } from './redis-keys.js';
export { RedisFanout, type RedisFanoutOptions } from './redis-fanout.js';
export { RedisRunRegistry, DEFAULT_LEASE_MS, type RedisRunRegistryOptions, type OrphanHandler } from './redis-run-registry.js';
export { openRedisBackend, type RedisBackendOptions } from './redis-backend.js';
