/**
 * Composition root: builds the store, bridge, notifier, engine, connection manager and HTTP API
 * of one node, wires them together, and owns their shutdown order.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { AgentWebSocketBridge } from '../bridge/agent-websocket-bridge.js';
import { EventTaps } from '../bridge/event-taps.js';
import { agUiRoutes } from '../ag-ui/ag-ui-route.js';
import { AgentInstanceFactory } from '../engine/agent-instance-factory.js';
import { ExecutionEngine, type EngineLimits } from '../engine/execution-engine.js';
import type { AgentDefinition, ToolDefinition } from '../engine/define-agent.js';
import { assistantAgent, builtinTools, createAssistantAgent, SIMULATED_PACING, streamAgent } from '../agents/index.js';
import { Metrics } from '../metrics/metrics.js';
import type { EventStore, RetentionPolicy } from '../store/event-store.js';
import { Authenticator, type AuthOptions } from '../transport/authenticator.js';
import { ConnectionManager } from '../transport/connection-manager.js';
import { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from '../transport/transport-limits.js';
import { requestUrl } from '../transport/request-url.js';
import { ClientAddressResolver, type ForwardedHeader } from '../transport/client-address.js';
import { DEFAULT_HTTP_RATE_LIMITS, HttpRateGate, type HttpRateLimits } from './http-rate-limit.js';
import { WebSocketNotifier } from '../transport/websocket-notifier.js';
import { CloseCode } from '../protocol/codes.js';
import { defaultNodeId } from './config.js';
import { isRedisSetting, localBackend, openBackend, type NodeBackend, type RedisSettings } from './node-backend.js';
import { createHttpHandler } from './http-api.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limits.js';
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import { threadRoutes } from './thread-routes.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { setUpPublish, type PublishOptions } from '../publish/publish-setup.js';
import { RunTracer, type TracingOptions } from '../tracing/run-tracer.js';

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
  /**
   * Pace the built-in assistant like a model (~1–2 s a run, simulated) so the live timeline can
   * be seen; AGENTWIRE_DEMO_PACING. Default false here (tests and embedders); `agentwire start`
   * turns it on.
   */
  demoPacing?: boolean;
  /** Also serve the `stream` load-generating agent (AGENTWIRE_DIAGNOSTICS=1; default false). */
  diagnostics?: boolean;
  /** Agent used when a user_message names none (default "assistant"). */
  defaultAgent?: string;
  transport?: Partial<TransportLimits>;
  /** HTTP server timeouts (headers, whole request, idle keep-alive). */
  http?: Partial<HttpLimits>;
  /**
   * Addresses or CIDRs of the reverse proxies whose forwarding header names the client (default
   * none: the socket's peer is the client). Per-address limits key on the address so resolved.
   */
  trustedProxies?: readonly string[];
  /** The forwarding header those proxies set (default `x-forwarded-for`; or `forwarded`, RFC 7239). */
  forwardedHeader?: ForwardedHeader;
  /** Request rate of the HTTP API per user and per client address. */
  httpRate?: Partial<HttpRateLimits>;
  engine?: Partial<EngineLimits>;
  toolTimeoutMs?: number;
  maxEventBytes?: number;
  /**
   * Demo mode: enables POST /api/dev-token (loopback, no forwarding headers), signing with
   * auth.jwtSecret. Only for a secret generated for the demo (as `agentwire start` does when the
   * operator supplied none): anyone on the machine can mint tokens with it. Refused with a JWKS.
   */
  demo?: boolean;
  /** Directory of the built chat page, served at /. */
  staticDir?: string;
  logger?: Logger;
  /** This node's id in the store's run records (default "local"; with Redis, unique per process). */
  nodeId?: string;
  /** How long running runs may finish on shutdown before they are ended (default 10 s). */
  shutdownGraceMs?: number;
  /** Longest thread title PATCH /api/threads/:id accepts (default 120, AGENTWIRE_MAX_THREAD_TITLE_CHARS). */
  maxThreadTitleChars?: number;
  /** Extra fields for GET /api/info. */
  info?: Record<string, unknown>;
  /** The publish API for detached workers (docs/remote-agents.md); off unless given. */
  publish?: PublishOptions;
  /** Export spans of runs, model and tool calls over OTLP/HTTP JSON (docs/deploy.md); off unless given. */
  tracing?: TracingOptions;
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
  /** The tracer when `tracing` was given; undefined otherwise (then no exporter exists). */
  readonly tracer: RunTracer | undefined;
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

export async function startServer(options: AgentwireServerOptions): Promise<AgentwireServer> {
  const logger = options.logger ?? createLogger();
  if (options.demo && options.auth.jwksUrl) {
    throw new AgentwireError(InternalErrorCode.CONFIG, 'demo sign-in cannot be combined with a JWKS: tokens come from the identity provider');
  }
  const httpLimits = checkedHttpLimits(options.http);
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
  const publish = options.publish ? setUpPublish(options.publish, setting) : undefined;
  const factory = buildFactory(options, publish?.agents ?? []);
  const tracer = options.tracing
    ? new RunTracer(options.tracing, logger, { dropped: (count, reason) => metrics.spansDropped.inc({ reason }, count) })
    : undefined;
  const engine = new ExecutionEngine({
    tracer,
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
  const clientAddress = new ClientAddressResolver({
    trustedProxies: options.trustedProxies ?? [],
    ...(options.forwardedHeader ? { forwardedHeader: options.forwardedHeader } : {}),
  });
  const connections = new ConnectionManager({ authenticator, engine, notifier, store, metrics, logger, limits, clientAddress });
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
    body: { maxJsonDepth: limits.maxJsonDepth, timeoutMs: httpLimits.requestTimeoutMs },
    staticDir: options.staticDir,
    rateGate: new HttpRateGate({ ...DEFAULT_HTTP_RATE_LIMITS, ...options.httpRate }, authenticator, clientAddress),
    ...(options.info ? { info: options.info } : {}),
    extraRoutes: [
      ...agUiRoutes({ engine, authenticator, store, taps, metrics, logger, maxBodyBytes: limits.maxFrameBytes, maxJsonDepth: limits.maxJsonDepth, bodyTimeoutMs: httpLimits.requestTimeoutMs, maxTextChars: limits.maxTextChars, maxOutboundBytes: limits.maxOutboundBytes }),
      ...threadRoutes({ store, authenticator, logger, ...(options.maxThreadTitleChars === undefined ? {} : { maxTitleChars: options.maxThreadTitleChars }) }),
      ...(publish?.routes({ engine, store, metrics, logger, runTimeoutMs: engine.limits.runTimeoutMs }) ?? []),
    ],
  });
  const http = createHttpServer(httpLimits, handler);
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
    tracer,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(pruner);
      // Runs end first so their terminal events reach the clients before the sockets close.
      await engine.shutdown(options.shutdownGraceMs ?? 10_000);
      await tracer?.close();
      await connections.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await backend.close();
      await publish?.close();
    },
  };
}

function buildFactory(options: AgentwireServerOptions, detachedAgents: readonly AgentDefinition[]): AgentInstanceFactory {
  const builtins = options.builtins ?? true;
  const tools = [...(builtins ? builtinTools : []), ...(options.tools ?? [])];
  const assistant = options.demoPacing ? createAssistantAgent({ pacing: SIMULATED_PACING }) : assistantAgent;
  const agents = [...(builtins ? [assistant] : []), ...(options.diagnostics ? [streamAgent] : []), ...(options.agents ?? []), ...detachedAgents];
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

/**
 * Node's own timeouts are the backstop for every route: headers within headersTimeoutMs, the
 * whole request within headersTimeoutMs + requestTimeoutMs (a GET with a body nobody reads is
 * bounded too). A JSON body's reader has its own deadline, requestTimeoutMs after the headers,
 * which therefore always comes first and answers with a code (408 REQUEST_TIMEOUT). Node checks
 * only every connectionsCheckingInterval (30 s by default), so a 2 s timeout could hold a socket
 * for 32 s: check at a quarter of the shorter timeout, at least 100 ms apart.
 */
function createHttpServer(limits: HttpLimits, handler: RequestListener): Server {
  const interval = Math.max(100, Math.min(30_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
  const server = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.headersTimeoutMs + limits.requestTimeoutMs, connectionsCheckingInterval: interval }, handler);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  return server;
}

function checkedHttpLimits(settings: Partial<HttpLimits> | undefined): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...settings };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new AgentwireError(InternalErrorCode.CONFIG, `http.${name} must be a positive integer (ms), got ${value}`);
  }
  return limits;
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
