/**
 * A node on Redis: the Redis store, pub/sub fan-out on a connection of its own, and run
 * leases swept on every node.
 */
import type { RedisOptions } from 'ioredis';
import type { NodeBackend, NodeHooks, RedisSettings } from '../backend/node-backend-contract.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import type { RetentionPolicy } from '../store/event-store.js';
import { errorMessage } from '../errors/agentwire-error.js';
import { RedisEventStore } from './redis-event-store.js';
import { createRedisClient } from './redis-link.js';
import { RedisFanout } from './redis-fanout.js';
import { RedisRunRegistry, parseControlRequest } from './redis-run-registry.js';

export interface RedisBackendOptions extends RedisSettings {
  url: string;
  nodeId: string;
  retention?: Partial<RetentionPolicy> | undefined;
  metrics: Metrics;
  logger: Logger;
  /** Extra ioredis options for both connections (TLS, Sentinel, …). */
  redisOptions?: RedisOptions;
}

export async function openRedisBackend(options: RedisBackendOptions): Promise<NodeBackend> {
  const { metrics, logger } = options;
  const store = await RedisEventStore.open({
    url: options.url,
    logger,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.retention === undefined ? {} : { retention: options.retention }),
    ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
    ...(options.redisOptions === undefined ? {} : { redisOptions: options.redisOptions }),
  });
  const registry = new RedisRunRegistry({
    link: store.link,
    keys: store.keys,
    metrics,
    logger,
    lookupRun: (runId) => store.getRun(runId),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  const subscriber = createRedisClient(options.url, store.retryMs, options.redisOptions, 'subscriber');
  subscriber.on('error', (error: Error) => {
    logger.debug('Redis subscriber connection error', { error: error.message });
  });
  let fanout: RedisFanout | undefined;
  let unwatch: (() => void) | undefined;
  return {
    store,
    registry,
    fanout(notifier) {
      fanout = new RedisFanout({ subscriber, channel: store.keys.channel, notifier, metrics, logger });
      return fanout;
    },
    async start(node: NodeHooks) {
      await fanout?.start();
      // Requests for the runs this node executes, from whichever node the user talks to.
      subscriber.on('message', (channel: string, message: string) => {
        if (channel !== store.keys.control) return;
        const request = parseControlRequest(message);
        if ('malformed' in request) {
          // Every node reads every request: each one that cannot read it says so.
          metrics.dropped.inc({ reason: 'malformed_control_request' });
          logger.error('ignored a malformed request on the control channel', { reason: request.malformed, message: message.slice(0, 200) });
          return;
        }
        if (request.nodeId !== options.nodeId) return;
        node.engine.cancel(request.userId, request.runId).catch((error: unknown) => {
          metrics.backgroundErrors.inc({ loop: 'run_control' });
          logger.error('a cancel request from another node failed', { runId: request.runId, error: errorMessage(error) });
        });
      });
      await subscriber.subscribe(store.keys.control);
      unwatch = store.onEpochChange((epoch) => {
        node.onEpochChange(epoch);
      });
      registry.startSweeping((run) => node.engine.endOrphan(run));
      logger.info('joined the Redis deployment', { nodeId: options.nodeId, prefix: store.keys.prefix, leaseMs: registry.leaseMs });
    },
    async close() {
      unwatch?.();
      await registry.close();
      if (fanout) await fanout.close();
      else subscriber.disconnect();
      await store.close().catch((error: unknown) => {
        logger.warn('closing the Redis store failed', { error: errorMessage(error) });
      });
    },
  };
}
