/**
 * Composition root: builds the store, bridge, notifier, engine, connection manager and HTTP API
 * of one node, wires them together, and owns their shutdown order.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { AgentWebSocketBridge } from '../bridge/agent-websocket-bridge.js';
import { EventTaps } from '../bridge/event-taps.js';
import { agUiRoutes } from '../ag-ui/ag-ui-route.js';
import { AgentInstanceFactory } from '../engine/agent-instance-factory.js';
import { ExecutionEngine, type EngineLimits } from '../engine/execution-engine.js';
import type { AgentDefinition, ToolDefinition } from '../engine/define-agent.js';
import { assistantAgent, builtinTools, streamAgent } from '../agents/index.js';
import { Metrics } from '../metrics/metrics.js';
import type { EventStore, RetentionPolicy } from '../store/event-store.js';
import { Authenticator, type AuthOptions } from '../transport/authenticator.js';
import { ConnectionManager } from '../transport/connection-manager.js';
import { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from '../transport/transport-limits.js';
import { requestUrl } from '../transport/request-url.js';
import { WebSocketNotifier } from '../transport/websocket-notifier.js';
import { CloseCode } from '../protocol/codes.js';
import { defaultNodeId } from './config.js';
import { isRedisSetting, localBackend, openBackend, type NodeBackend, type RedisSettings } from './node-backend.js';
import { createHttpHandler } from './http-api.js';
import { createLogger, type Logger } from './logger.js';

export interface AgentwireServerOptions {
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Interface to listen on (default: all). */
  host?: string;
  /** A store instance, or `memory`, `sqlite:PATH` or `redis://host:port[/db]` (default memory). */
  store?: EventStore | string;
  /** A back-end built by hand (store, fan-out, run leases); takes precedence over `store`. */
  backend?: NodeBackend;
  /** Settings of a `redis://` store. */
  redis?: RedisSettings;
  retention?: Partial<RetentionPolicy>;
  auth: AuthOptions;
  /** Agents and tools to serve besides the built-in ones. */
  agents?: readonly AgentDefinition[];
  tools?: readonly ToolDefinition[];
  /** Serve the built-in `assistant` agent and its tools (default true). */
  builtins?: boolean;
  /** Also serve the `stream` load-generating agent (AGENTWIRE_DIAGNOSTICS=1; default false). */
  diagnostics?: boolean;
  /** Agent used when a user_message names none (default "assistant"). */
  defaultAgent?: string;
  transport?: Partial<TransportLimits>;
  engine?: Partial<EngineLimits>;
  toolTimeoutMs?: number;
  maxEventBytes?: number;
  /** Demo mode: enables POST /api/dev-token on loopback, signing with auth.jwtSecret. */
  demo?: boolean;
  /** Directory of the built chat page, served at /. */
  staticDir?: string;
  logger?: Logger;
  /** This node's id in the store's run records (default "local"; with Redis, unique per process). */
  nodeId?: string;
  /** How long running runs may finish on shutdown before they are ended (default 10 s). */
  shutdownGraceMs?: number;
  /** Extra fields for GET /api/info. */
  info?: Record<string, unknown>;
}

export interface AgentwireServer {
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  /** ws://host:port/ws */
  readonly wsUrl: string;
  readonly store: EventStore;
  readonly metrics: Metrics;
  readonly engine: ExecutionEngine;
  readonly connections: ConnectionManager;
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

export async function startServer(options: AgentwireServerOptions): Promise<AgentwireServer> {
  const logger = options.logger ?? createLogger();
  const authenticator = new Authenticator(options.auth);
  const metrics = new Metrics();
  const setting = typeof options.store === 'string' ? options.store : 'memory';
  const nodeId = options.nodeId ?? defaultNodeId(setting);
  const backend =
    options.backend ??
    (typeof options.store === 'object'
      ? localBackend(options.store)
      : await openBackend(setting, { retention: options.retention, nodeId, metrics, logger, redis: options.redis }));
  const store = backend.store;
  const limits: TransportLimits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.transport };
  const notifier = new WebSocketNotifier({
    store,
    metrics,
    logger,
    maxOutboundBytes: limits.maxOutboundBytes,
    slowConsumerTimeoutMs: limits.slowConsumerTimeoutMs,
    replayPageSize: limits.replayPageEvents,
    maxPendingResumes: limits.maxPendingResumes,
  });
  const taps = new EventTaps({
    onError: (error) => {
      metrics.backgroundErrors.inc({ loop: 'event_tap' });
      logger.error('an event tap failed', { error });
    },
  });
  const bridge = new AgentWebSocketBridge({
    store,
    metrics,
    fanout: taps.wrap(backend.fanout(notifier)),
    ...(options.maxEventBytes === undefined ? {} : { maxEventBytes: options.maxEventBytes }),
  });
  const factory = buildFactory(options);
  const engine = new ExecutionEngine({
    store,
    bridge,
    factory,
    metrics,
    logger,
    nodeId,
    registry: backend.registry,
    defaultAgent: options.defaultAgent ?? 'assistant',
    ...(options.engine ? { limits: options.engine } : {}),
  });
  await engine.recoverUnfinished();
  const connections = new ConnectionManager({ authenticator, engine, notifier, store, metrics, logger, limits });
  await backend.start({
    engine,
    onEpochChange: (epoch) => {
      const closed = connections.dropAll(CloseCode.SERVICE_RESTART, 'the event store restarted without its data; reconnect');
      logger.warn('closed every connection: the store has a new epoch', { epoch, connections: closed });
    },
  });
  let closing = false;
  const handler = createHttpHandler({
    store,
    authenticator,
    metrics,
    logger,
    ready: async () => !closing && (await store.healthy()),
    agents: () => factory.list(),
    demo: options.demo && options.auth.jwtSecret ? { secret: options.auth.jwtSecret, tokenTtlSec: 12 * 3600 } : undefined,
    staticDir: options.staticDir,
    ...(options.info ? { info: options.info } : {}),
    extraRoutes: agUiRoutes({ engine, authenticator, store, taps, metrics, logger, maxBodyBytes: limits.maxFrameBytes, maxTextChars: limits.maxTextChars, maxOutboundBytes: limits.maxOutboundBytes }),
  });
  const http = createServer(handler);
  http.on('upgrade', (request, socket, head) => {
    if (requestUrl(request.url)?.pathname === '/ws') connections.handleUpgrade(request, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await listen(http, options.port ?? 0, options.host);
  const pruner = startPruning(store, metrics, logger);
  const port = (http.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  logger.info('agentwire listening', { port, store: describeStore(options.store), nodeId, multiNode: isRedisSetting(setting) });

  return {
    port,
    url: `http://${hostPart}:${port}`,
    wsUrl: `ws://${hostPart}:${port}/ws`,
    store,
    metrics,
    engine,
    connections,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(pruner);
      // Runs end first so their terminal events reach the clients before the sockets close.
      await engine.shutdown(options.shutdownGraceMs ?? 10_000);
      await connections.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await backend.close();
    },
  };
}

function buildFactory(options: AgentwireServerOptions): AgentInstanceFactory {
  const builtins = options.builtins ?? true;
  const tools = [...(builtins ? builtinTools : []), ...(options.tools ?? [])];
  const agents = [...(builtins ? [assistantAgent] : []), ...(options.diagnostics ? [streamAgent] : []), ...(options.agents ?? [])];
  return new AgentInstanceFactory({ agents, tools, ...(options.toolTimeoutMs === undefined ? {} : { toolTimeoutMs: options.toolTimeoutMs }) });
}

function startPruning(store: EventStore, metrics: Metrics, logger: Logger): NodeJS.Timeout {
  return setInterval(() => {
    store.prune(Date.now()).then(
      (dropped) => {
        if (dropped > 0) logger.debug('pruned events past retention', { dropped });
      },
      (error: unknown) => {
        metrics.backgroundErrors.inc({ loop: 'prune' });
        logger.error('pruning failed', { error });
      },
    );
  }, PRUNE_EVERY_MS).unref();
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function describeStore(store: AgentwireServerOptions['store']): string {
  if (store === undefined) return 'memory';
  return typeof store === 'string' ? store.replace(/\/\/[^@/]*@/, '//***@') : store.constructor.name;
}

/** A random secret for demo mode when none is configured. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
