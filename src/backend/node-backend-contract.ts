/**
 * The contract between a node and what it is built on (event store, fan-out, run leases), in
 * its own folder below both sides: the server opens a back-end and the Redis back-end
 * implements one, so neither has to import the other's folder for the shape.
 */
import type { Fanout } from '../bridge/agent-websocket-bridge.js';
import type { ExecutionEngine } from '../engine/execution-engine.js';
import type { RunRegistry } from '../engine/run-registry.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import type { EventStore, RetentionPolicy } from '../store/event-store.js';
import type { WebSocketNotifier } from '../transport/websocket-notifier.js';

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
