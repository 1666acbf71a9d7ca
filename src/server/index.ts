/**
 * agentwire/server: run a node, or compose one from its parts.
 *
 *   import { startServer } from 'agentwire/server';
 *   const server = await startServer({ auth: { jwtSecret }, store: 'sqlite:./data/agentwire.db' });
 */
export { startServer, generateSecret, type AgentwireServer, type AgentwireServerOptions } from './agentwire-server.js';
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFields } from '../observability/logger.js';
export { loadConfig, type AgentwireConfig } from './config.js';
export { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limits.js';

// The built-in agents and tools that `agentwire start` registers. Public on purpose: an embedder
// composing its own server registers the same ones, and their pure parts (the calculator's
// grammar, the assistant's plan, the stream agent's deltas) are their documented behaviour, which
// the tests check through this entry rather than from src/. The server loads them anyway.
export {
  assistantAgent,
  builtinTools,
  createAssistantAgent,
  SIMULATED_PACING,
  UNPACED,
  type AssistantPacing,
  streamAgent,
  parseStreamRequest,
  streamDelta,
  STREAM_LIMITS,
  calculatorTool,
  evaluate,
  formatNumber,
  CalculatorError,
  type CalculatorResult,
  clockTool,
  createClockTool,
  readClock,
  type ClockResult,
  docsSearchTool,
  createDocsSearchTool,
  type DocsSearchHit,
  type DocsSearchOptions,
  chunkText,
  planFor,
  type AssistantPlan,
} from '../agents/index.js';

// The parts, for embedding agentwire in an existing server.
export { AgentWebSocketBridge, DEFAULT_MAX_EVENT_BYTES, type Fanout, type BridgeOptions, type UserWebSocketEmitter, type EventRouting } from '../bridge/agent-websocket-bridge.js';
export { WebSocketNotifier, DEFAULT_MAX_OUTBOUND_BYTES, type NotifiedConnection, type StreamStart, type NotifierOptions } from '../transport/websocket-notifier.js';
export { StreamSubscriber, type EventSink, type SubscriberSettings } from '../transport/stream-subscriber.js';
export { ConnectionManager, SUBPROTOCOL, type ConnectionManagerOptions } from '../transport/connection-manager.js';
export { Authenticator, extractToken, MIN_SECRET_BYTES, type AuthOptions } from '../transport/authenticator.js';
export { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from '../transport/transport-limits.js';
// The per-key allowance behind the handshake and HTTP rate limits. Public on purpose: an embedder
// fronting its own routes can apply the same burst-then-rate rule (with its Retry-After), and the
// clock-driven contract is tested through this entry.
export { KeyedRateLimiter, type KeyedRateLimiterOptions, type RateDecision } from '../transport/keyed-rate-limiter.js';
export { ClientAddressResolver, DEFAULT_CLIENT_ADDRESS_OPTIONS, type ClientAddressOptions, type ForwardedHeader, type AddressedRequest } from '../transport/client-address.js';
export { DEFAULT_HTTP_RATE_LIMITS, type HttpRateLimits } from './http-rate-limit.js';
export { ExecutionEngine, DEFAULT_ENGINE_LIMITS, type EngineLimits, type SubmitRequest, type SubmitResult } from '../engine/execution-engine.js';
export { AgentInstanceFactory, type AgentInstance, type AgentInstanceFactoryOptions } from '../engine/agent-instance-factory.js';
export { ToolDispatcher, DEFAULT_TOOL_TIMEOUT_MS } from '../engine/tool-dispatcher.js';
export { createUserExecutionContext, isUserExecutionContext, type UserExecutionContext } from '../context/user-execution-context.js';
export type { VerifiedIdentity } from '../context/verified-identity.js';
export { newRunId, newThreadId, parseUserId, parseThreadId, parseRunId, type UserId, type ThreadId, type RunId } from '../context/ids.js';
export { AgentwireError, IsolationViolationError, RunClosedError, InternalErrorCode } from '../errors/agentwire-error.js';
export { Metrics } from '../metrics/metrics.js';

// Stores.
export {
  DEFAULT_RETENTION,
  type EventStore,
  type EventDraft,
  type StoredEvent,
  type ThreadRecord,
  type RunRecord,
  type RunStatus,
  type RetentionPolicy,
  type ClaimRunResult,
} from '../store/event-store.js';
export { MemoryEventStore } from '../store/memory-store.js';
export { SqliteEventStore, type SqliteStoreOptions } from '../store/sqlite-store.js';
export type { CheckpointFailure, CheckpointOptions } from '../store/sqlite-checkpointer.js';
export { openStore } from '../store/open-store.js';
export { openBackend, localBackend, type NodeBackend, type NodeHooks, type RedisSettings, type BackendOptions } from './node-backend.js';
export { localRunRegistry, type RunRegistry } from '../engine/run-registry.js';
export { loadRemoteAgents } from '../remote/remote-config.js';
export { DEFAULT_REMOTE_TIMEOUT_MS, DEFAULT_REMOTE_MAX_LINE_BYTES, DEFAULT_REMOTE_HISTORY_TURNS } from '../remote/define-remote-agent.js';
export { DEFAULT_PUBLISH_LIMITS, type PublishLimits } from '../publish/publish-routes.js';
export type { PublishOptions } from '../publish/publish-setup.js';
export { PublishErrorCode } from '../publish/publish-codes.js';
export { SERVICE_SCOPE } from '../publish/credentials.js';
export { MemoryProducerLedger, SqliteProducerLedger, type ProducerLedger, type ProducerState } from '../publish/producer-ledger.js';
export { RunTracer, type TracingOptions } from '../tracing/run-tracer.js';
export { tracingFromEnv } from '../tracing/tracing-config.js';
export { DEFAULT_OTLP_FLUSH_INTERVAL_MS, DEFAULT_OTLP_MAX_BATCH_SPANS, DEFAULT_OTLP_MAX_QUEUE_SPANS, DEFAULT_OTLP_EXPORT_TIMEOUT_MS } from '../tracing/otlp-exporter.js';
