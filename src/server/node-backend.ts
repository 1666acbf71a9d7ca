/**
 * What a node is built on: its event store and, when several nodes share that store, live
 * fan-out between them and run leases. Single-node back-ends (memory, SQLite) deliver to the
 * local notifier directly and lease nothing: a restart on the same store ends the runs it cut
 * off. The Redis back-end (agentwire/redis) adds pub/sub fan-out, leases and epoch watching.
 */
import type { Fanout } from '../bridge/agent-websocket-bridge.js';
import type { ExecutionEngine } from '../engine/execution-engine.js';
import { localRunRegistry, type RunRegistry } from '../engine/run-registry.js';
import type { Metrics } from '../metrics/metrics.js';
import type { EventStore, RetentionPolicy } from '../store/event-store.js';
import { openStore } from '../store/open-store.js';
import type { WebSocketNotifier } from '../transport/websocket-notifier.js';
import type { Logger } from './logger.js';

export interface NodeBackend {
  readonly store: EventStore;
  readonly registry: RunRegistry;
  /** The bridge's fan-out: delivers to this node's notifier (and, across nodes, to theirs). */
  fanout(notifier: WebSocketNotifier): Fanout;
  /** Starts background work once the node is assembled. */
  start(node: NodeHooks): Promise<void>;
  /** Stops that work and closes the store. */
  close(): Promise<void>;
}

export interface NodeHooks {
  engine: ExecutionEngine;
  /**
   * The store moved to a new epoch under open connections (Redis lost its data): their
   * cursors mean nothing any more, and the node closes them so clients resume and learn it.
   */
  onEpochChange(epoch: string): void;
}

/** Settings of the Redis back-end (AGENTWIRE_REDIS_PREFIX, AGENTWIRE_STORE_RETRY_MS, AGENTWIRE_RUN_LEASE_MS). */
export interface RedisSettings {
  /** Prefix of every key and channel (default "agentwire"). */
  prefix?: string;
  /** How long a command waits for an unreachable Redis before it fails (default 10 s). */
  retryMs?: number;
  /** Run lease length; a dead node's runs end within 4/3 of it (default 15 s). */
  leaseMs?: number;
}

export interface BackendOptions {
  retention?: Partial<RetentionPolicy> | undefined;
  nodeId: string;
  metrics: Metrics;
  logger: Logger;
  redis?: RedisSettings | undefined;
}

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
