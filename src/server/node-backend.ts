/**
 * What a node is built on: its event store and, when several nodes share that store, live
 * fan-out between them and run leases. Single-node back-ends (memory, SQLite) deliver to the
 * local notifier directly and lease nothing: a restart on the same store ends the runs it cut
 * off. The Redis back-end (agentwire/redis) adds pub/sub fan-out, leases and epoch watching.
 */
import type { BackendOptions, NodeBackend } from '../backend/node-backend-contract.js';
import { localRunRegistry } from '../engine/run-registry.js';
import type { EventStore } from '../store/event-store.js';
import { openStore } from '../store/open-store.js';

export type { NodeBackend, NodeHooks, RedisSettings, BackendOptions } from '../backend/node-backend-contract.js';

export function isRedisSetting(setting: string): boolean {
  return setting.startsWith('redis://') || setting.startsWith('rediss://');
}

/** Opens `memory`, `sqlite:PATH` or `redis://…`. Redis is loaded only when asked for. */
export async function openBackend(setting: string, options: BackendOptions): Promise<NodeBackend> {
  if (isRedisSetting(setting)) {
    const { openRedisBackend } = await import('../redis/redis-backend.js');
    return openRedisBackend({ url: setting, ...options, ...options.redis });
  }
  const { logger, metrics } = options;
  return localBackend(
    openStore(setting, options.retention, (failure) => {
      // Counted every time; logged when it starts (a failing checkpoint repeats every tick).
      metrics.backgroundErrors.inc({ loop: 'sqlite_checkpoint' });
      if (failure.first) logger.error('SQLite checkpoint failed; the write-ahead log grows until one succeeds', { phase: failure.phase, error: failure.error });
    }),
  );
}

/** One node on its own store. */
export function localBackend(store: EventStore): NodeBackend {
  return {
    store,
    registry: localRunRegistry,
    fanout: (notifier) => ({ publish: (event) => notifier.notify(event) }),
    start: () => Promise.resolve(),
    close: () => store.close(),
  };
}
